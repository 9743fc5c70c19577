#!/usr/bin/env bash
# Benchmark of datapilot-cleaner against the standard tools, on one fixture, in one run.
#   bench/run.sh [--jobs N] [--repeat R] [--xmx SIZE] [--dir DIR] [--objects N]
# Prints one table: median wall time of R runs (default 3) of
#   find <root>/uploads <root>/results -type f -mmin +<TTL minutes>   (the floor for the file store)
#   redis-cli --scan --pattern 'job:*'                                 (the floor for Redis)
#   java -jar target/datapilot-cleaner.jar run-once, dry run            (JVM start included)
#   the same, destructive, each time on a fresh copy of the fixture
# with items per second, the cleaner's peak RSS, and the ratio cleaner / (find + redis-cli).
# Then the object-storage mode (bench/object-storage.sh): N objects (default 10,000) in a local
# S3-compatible server, objects listed and deleted per second next to curl doing the same calls;
# --objects 0 skips it.
# Needs redis-server and redis-cli on the PATH (Debian's), python3, GNU time. It starts its own
# redis-server on a free port and never touches another Redis.
set -euo pipefail
cd "$(dirname "$0")/.."

JOBS=100000
REPEAT=3
XMX=""
DIR=""
OBJECTS=10000
while [ $# -gt 0 ]; do
  case "$1" in
    --jobs) JOBS="$2"; shift 2 ;;
    --repeat) REPEAT="$2"; shift 2 ;;
    --xmx) XMX="$2"; shift 2 ;;
    --dir) DIR="$2"; shift 2 ;;
    --objects) OBJECTS="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
TTL_HOURS=24
JAR=target/datapilot-cleaner.jar
[ -f "$JAR" ] || mvn -B -q package -DskipTests
JAVA=(java)
[ -n "$XMX" ] && JAVA+=("-Xmx$XMX")

WORK=${DIR:-$(mktemp -d /tmp/cleaner-bench-XXXXXX)}
mkdir -p "$WORK"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
redis-server --port "$PORT" --bind 127.0.0.1 --save "" --appendonly no --daemonize yes \
  --dir "$WORK" --logfile "$WORK/redis.log" --pidfile "$WORK/redis.pid"
cleanup() {
  redis-cli -p "$PORT" shutdown nosave >/dev/null 2>&1 || true
  [ -z "$DIR" ] && rm -rf "$WORK"
}
trap cleanup EXIT
until redis-cli -p "$PORT" ping >/dev/null 2>&1; do sleep 0.05; done

echo "fixture: $JOBS jobs in $WORK (one in ten expired), Redis on 127.0.0.1:$PORT" >&2
t0=$(date +%s.%N)
EXPIRED_JOBS=$(python3 bench/fixture.py --root "$WORK/master" --jobs "$JOBS" --ttl-hours "$TTL_HOURS" --resp "$WORK/keys.resp")
redis-cli -p "$PORT" --pipe < "$WORK/keys.resp" >/dev/null
t1=$(date +%s.%N)
echo "fixture built in $(python3 -c "print(round($t1-$t0,1))") s: $((JOBS*2)) files, $JOBS keys, $EXPIRED_JOBS expired jobs" >&2
EXPIRED_ITEMS=$((EXPIRED_JOBS * 3))
CAP=$((EXPIRED_ITEMS + 1))
[ "$CAP" -gt 1000000 ] && CAP=1000000

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# wall seconds and peak RSS (KB) of a command, from GNU time
timed() { /usr/bin/time -f "%e %M" -o "$WORK/time.txt" "$@" >"$WORK/out.txt" 2>"$WORK/err.txt"; cat "$WORK/time.txt"; }

cleaner_env=(env -i PATH="$PATH" LANG=C.UTF-8 LOCAL_STORAGE_ROOT="$WORK/run" REDIS_URL="redis://127.0.0.1:$PORT/0"
  JOB_TTL_HOURS="$TTL_HOURS" CLEANER_MAX_DELETE_BATCH="$CAP" CLEANER_DELETES_PER_SECOND=0 CLEANER_LOG_LEVEL=WARN)

FIND=(); SCAN=(); DRY=(); DRY_RSS=(); REAL=(); REAL_RSS=(); DELETED=0; PHASE=(); RMFLOOR=()
for i in $(seq "$REPEAT"); do
  rm -rf "$WORK/run"; cp -a "$WORK/master" "$WORK/run"
  redis-cli -p "$PORT" flushall >/dev/null; redis-cli -p "$PORT" --pipe < "$WORK/keys.resp" >/dev/null
  sync
  FIND+=("$(timed find "$WORK/run/uploads" "$WORK/run/results" -type f -mmin +$((TTL_HOURS*60)) | cut -d' ' -f1)")
  SCAN+=("$(timed redis-cli -p "$PORT" --scan --pattern 'job:*' | cut -d' ' -f1)")
  read -r s m <<<"$(timed "${cleaner_env[@]}" CLEANER_DRY_RUN=true "${JAVA[@]}" -jar "$JAR" run-once)"
  grep -q '"exitCode":0' "$WORK/out.txt" || { echo "dry run failed:" >&2; cat "$WORK/out.txt" "$WORK/err.txt" >&2; exit 1; }
  DRY+=("$s"); DRY_RSS+=("$m")
  read -r s m <<<"$(timed "${cleaner_env[@]}" CLEANER_DRY_RUN=false "${JAVA[@]}" -jar "$JAR" run-once)"
  grep -q '"exitCode":0' "$WORK/out.txt" || { echo "destructive run failed:" >&2; cat "$WORK/out.txt" "$WORK/err.txt" >&2; exit 1; }
  REAL+=("$s"); REAL_RSS+=("$m")
  read -r DELETED ms <<<"$(python3 -c '
import json,sys
l=[x for x in open(sys.argv[1]) if x.startswith("STRUCTURED_SUMMARY: ")][0]
s=json.loads(l[20:]); a=json.load(open(s["auditFile"]))
print(s["deletedBlobs"]+s["deletedKeys"], a["durationsMillis"]["deletes"])' "$WORK/out.txt")"
  PHASE+=("$ms")
  # the file system's own floor for the same deletes: find -delete on a fresh copy
  rm -rf "$WORK/run"; cp -a "$WORK/master" "$WORK/run"; sync
  RMFLOOR+=("$(timed find "$WORK/run/uploads" "$WORK/run/results" -type f -mmin +$((TTL_HOURS*60)) -delete | cut -d' ' -f1)")
done

f=$(printf '%s\n' "${FIND[@]}" | median); r=$(printf '%s\n' "${SCAN[@]}" | median)
d=$(printf '%s\n' "${DRY[@]}" | median); x=$(printf '%s\n' "${REAL[@]}" | median)
drss=$(printf '%s\n' "${DRY_RSS[@]}" | sort -n | tail -1); xrss=$(printf '%s\n' "${REAL_RSS[@]}" | sort -n | tail -1)
phase=$(printf '%s\n' "${PHASE[@]}" | median); rmf=$(printf '%s\n' "${RMFLOOR[@]}" | median)
python3 - "$JOBS" "$EXPIRED_ITEMS" "$DELETED" "$f" "$r" "$d" "$x" "$drss" "$xrss" "$REPEAT" "${XMX:-default}" "$phase" "$rmf" <<'PY'
import sys
jobs, expired, deleted = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
f, r, d, x = map(float, sys.argv[4:8])
drss, xrss = int(sys.argv[8]) // 1024, int(sys.argv[9]) // 1024
rep, xmx = sys.argv[10], sys.argv[11]
phase_s, rm_floor = int(sys.argv[12]) / 1000, float(sys.argv[13])
files, keys = 2 * jobs, jobs
floor = f + r
rows = [
    ("find -type f -mmin +TTL", f, files / f if f else 0, "", ""),
    ("redis-cli --scan job:*", r, keys / r if r else 0, "", ""),
    ("find + redis-cli", floor, (files + keys) / floor if floor else 0, "", "1.00"),
    ("cleaner run-once, dry run", d, (files + keys) / d, f"{drss} MB", f"{d / floor:.2f}"),
    ("cleaner run-once, destructive", x, (files + keys) / x, f"{xrss} MB", f"{x / floor:.2f}"),
]
print(f"\n{jobs:,} jobs: {files:,} files + {keys:,} keys scanned; {expired:,} expired items; "
      f"destructive run deleted {deleted:,}; median of {rep}; heap {xmx}\n")
print(f"| {'command':32} | {'wall s':>7} | {'items/s scanned':>15} | {'peak RSS':>8} | {'ratio':>5} |")
print(f"|{'-'*34}|{'-'*9}|{'-'*17}|{'-'*10}|{'-'*7}|")
for name, t, ips, rss, ratio in rows:
    print(f"| {name:32} | {t:7.2f} | {ips:15,.0f} | {rss:>8} | {ratio:>5} |")
print(f"| {'find -delete (files only)':32} | {rm_floor:7.2f} | {'':>15} | {'':>8} | {'':>5} |")
print(f"\ndestructive: {deleted:,} items (files and keys) deleted in a delete phase of {phase_s:.2f} s: "
      f"{deleted / phase_s if phase_s else 0:,.0f} items/s; {deleted / x:,.0f} items/s over the whole run, JVM start included")
print(f"file-system floor: find -delete removed the {2 * expired // 3:,} expired files in {rm_floor:.2f} s "
      f"({(2 * expired // 3) / rm_floor if rm_floor else 0:,.0f} files/s)")
PY

if [ "$OBJECTS" -gt 0 ]; then
  bench/object-storage.sh --objects "$OBJECTS" --repeat "$REPEAT"
fi
