#!/usr/bin/env bash
# Benchmark of datapilot-cleaner against the tools operators would use instead, on one fixture, in one run.
#   bench/run.sh [--jobs N] [--repeat R] [--xmx SIZE] [--dir DIR] [--objects N] [--python-job DIR]
# Prints one table: median wall time (and CPU time, user + sys) of R runs (default 3) of
#   find <root>/uploads <root>/results -type f -mmin +<TTL minutes>   (the floor for the file store)
#   redis-cli --scan --pattern 'job:*'                                 (the floor for Redis)
#   java <launch settings> -jar target/datapilot-cleaner.jar run-once, dry run (JVM start included)
#   the same with Redis unreachable: the blob half alone
#   rclone delete --dry-run --min-age <TTL>h on both prefixes          (the peer for the blob half)
#   the Python job it replaces (python -m src.maintenance.cron_entry), dry run, when --python-job
#     names a checkout of the DataPilot-AI project (its source is not part of this repository)
#   the cleaner destructive, each time on a fresh copy of the fixture, and find -delete
#   run-once on an empty root (JVM start to exit)
# with items per second, peak RSS and the ratios the targets are stated in (bench/README.md).
# The cleaner runs with the launch settings that ship (README, Dockerfile): bench/launch.sh; the
# class-data archive they name is made first when missing (the same command as the Dockerfile's).
# Then the object-storage mode (bench/object-storage.sh): N objects (default 10,000) in a local
# S3-compatible server, next to curl and rclone doing the same; --objects 0 skips it.
# Needs redis-server and redis-cli on the PATH (Debian's), python3, GNU time; rclone (Debian's) for
# its rows, which are skipped, saying so, when it is missing. It starts its own redis-server on a
# free port and never touches another Redis.
set -euo pipefail
cd "$(dirname "$0")/.."

JOBS=100000
REPEAT=3
XMX=""
DIR=""
OBJECTS=10000
PYJOB=""
while [ $# -gt 0 ]; do
  case "$1" in
    --jobs) JOBS="$2"; shift 2 ;;
    --repeat) REPEAT="$2"; shift 2 ;;
    --xmx) XMX="$2"; shift 2 ;;
    --dir) DIR="$2"; shift 2 ;;
    --objects) OBJECTS="$2"; shift 2 ;;
    --python-job) PYJOB="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
TTL_HOURS=24
JAR=target/datapilot-cleaner.jar
[ -f "$JAR" ] || mvn -B -q package -DskipTests
source bench/launch.sh
[ -n "$XMX" ] && LAUNCH+=("-Xmx$XMX")
JAVA=(java "${LAUNCH[@]}")
HAVE_RCLONE=1; command -v rclone >/dev/null || HAVE_RCLONE=0
export HAVE_RCLONE

WORK=${DIR:-$(mktemp -d /tmp/cleaner-bench-XXXXXX)}
mkdir -p "$WORK"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
PORT=$(free_port)
# a port nothing listens on: the blob-half run finds Redis unreachable
DEAD_PORT=$(free_port)
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
mkdir -p "$WORK/empty/uploads" "$WORK/empty/results"

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# wall seconds, peak RSS (KB) and CPU seconds (user + sys) of a command, from GNU time
timed() {
  /usr/bin/time -f "%e %M %U %S" -o "$WORK/time.txt" "$@" >"$WORK/out.txt" 2>"$WORK/err.txt" || true
  # the last line: a failing command's first line is "Command exited with non-zero status N"
  tail -n 1 "$WORK/time.txt" | awk '{printf "%s %s %.2f\n", $1, $2, $3 + $4}'
}
exit_code() { grep -o '"exitCode":[0-9]*' "$WORK/out.txt" | cut -d: -f2; }
failed() { echo "$1 failed:" >&2; cat "$WORK/out.txt" "$WORK/err.txt" >&2; exit 1; }

cleaner_env=(env -i PATH="$PATH" LANG=C.UTF-8 LOCAL_STORAGE_ROOT="$WORK/run" REDIS_URL="redis://127.0.0.1:$PORT/0"
  JOB_TTL_HOURS="$TTL_HOURS" CLEANER_MAX_DELETE_BATCH="$CAP" CLEANER_DELETES_PER_SECOND=0 CLEANER_LOG_LEVEL=WARN)
RCLONE=(rclone --config /dev/null delete --dry-run --min-age "${TTL_HOURS}h" --include "/uploads/**" --include "/results/**")

# each series is "wall rss cpu" lines; the table shows medians of wall and cpu, and the peak RSS
: >"$WORK/series"
add() { echo "$1 $2" >>"$WORK/series"; }
for i in $(seq "$REPEAT"); do
  rm -rf "$WORK/run"; cp -a "$WORK/master" "$WORK/run"
  redis-cli -p "$PORT" flushall >/dev/null; redis-cli -p "$PORT" --pipe < "$WORK/keys.resp" >/dev/null
  sync
  add find "$(timed find "$WORK/run/uploads" "$WORK/run/results" -type f -mmin +$((TTL_HOURS*60)))"
  add scan "$(timed redis-cli -p "$PORT" --scan --pattern 'job:*')"
  add dry "$(timed "${cleaner_env[@]}" CLEANER_DRY_RUN=true "${JAVA[@]}" -jar "$JAR" run-once)"
  [ "$(exit_code)" = 0 ] || failed "dry run"
  # the blob half alone: Redis unreachable, so the run reports redis_scan_failed (exit 1) and the files
  add blobs "$(timed "${cleaner_env[@]}" REDIS_URL="redis://127.0.0.1:$DEAD_PORT/0" CLEANER_REDIS_TIMEOUT_MS=1000 \
    CLEANER_DRY_RUN=true "${JAVA[@]}" -jar "$JAR" run-once)"
  [ "$(exit_code)" = 1 ] && grep -q '"deletedBlobs":'$((EXPIRED_JOBS * 2))',' "$WORK/out.txt" || failed "blob-half dry run"
  if [ "$HAVE_RCLONE" = 1 ]; then
    add rclone "$(timed "${RCLONE[@]}" "$WORK/run")"
    n=$(grep -c 'Skipped delete as --dry-run is set' "$WORK/err.txt" || true)
    [ "$n" -eq $((EXPIRED_JOBS * 2)) ] || failed "rclone dry run (listed $n)"
  fi
  if [ -n "$PYJOB" ]; then
    add python "$(cd "$PYJOB" && timed env -i PATH="$PATH" LANG=C.UTF-8 LOCAL_STORAGE_ROOT="$WORK/run" \
      REDIS_URL="redis://127.0.0.1:$PORT/0" JOB_TTL_HOURS="$TTL_HOURS" CLEANER_MAX_DELETE_BATCH="$CAP" \
      CLEANER_DRY_RUN=true CLEANER_LOG_LEVEL=WARNING "${PYTHON:-python3}" -m src.maintenance.cron_entry)"
    # its audit file (cleaner_YYYYMMDD_HHMMSS.json) must count what the cleaner counts
    python3 -c '
import glob, json, re, sys
f = [x for x in glob.glob(sys.argv[1] + "/cleaner_*.json") if re.search(r"/cleaner_\d{8}_\d{6}\.json$", x)]
a = json.load(open(max(f)))
sys.exit(0 if (a["deletedBlobs"], a["deletedKeys"]) == (int(sys.argv[2]), int(sys.argv[3])) else 1)' \
      "$WORK/run/maintenance/cleaner_runs" $((EXPIRED_JOBS * 2)) "$EXPIRED_JOBS" || failed "Python job dry run"
  fi
  add real "$(timed "${cleaner_env[@]}" CLEANER_DRY_RUN=false "${JAVA[@]}" -jar "$JAR" run-once)"
  [ "$(exit_code)" = 0 ] || failed "destructive run"
  python3 -c '
import json,sys
l=[x for x in open(sys.argv[1]) if x.startswith("STRUCTURED_SUMMARY: ")][0]
s=json.loads(l[20:]); a=json.load(open(s["auditFile"]))
print(s["deletedBlobs"]+s["deletedKeys"], a["durationsMillis"]["deletes"])' "$WORK/out.txt" >"$WORK/deleted.txt"
  add phase "$(cut -d' ' -f2 "$WORK/deleted.txt") 0 0"
  # the file system's own floor for the same deletes: find -delete on a fresh copy
  rm -rf "$WORK/run"; cp -a "$WORK/master" "$WORK/run"; sync
  add rmfloor "$(timed find "$WORK/run/uploads" "$WORK/run/results" -type f -mmin +$((TTL_HOURS*60)) -delete)"
done
# run-once on an empty root, database 1 of the same Redis (empty): JVM start to exit
for i in $(seq $((REPEAT < 5 ? 5 : REPEAT))); do
  add empty "$(timed env -i PATH="$PATH" LANG=C.UTF-8 LOCAL_STORAGE_ROOT="$WORK/empty" REDIS_URL="redis://127.0.0.1:$PORT/1" \
    JOB_TTL_HOURS="$TTL_HOURS" CLEANER_LOG_LEVEL=WARN "${JAVA[@]}" -jar "$JAR" run-once)"
  [ "$(exit_code)" = 0 ] || failed "empty run-once"
done
DELETED=$(cut -d' ' -f1 "$WORK/deleted.txt")

python3 - "$WORK/series" "$JOBS" "$EXPIRED_ITEMS" "$DELETED" "$REPEAT" "${XMX:-launch settings}" "$(nproc)" "$(cut -d' ' -f1 /proc/loadavg)" <<'PY'
import sys, statistics
series = {}
for line in open(sys.argv[1]):
    name, wall, rss, cpu = line.split()
    series.setdefault(name, []).append((float(wall), int(rss), float(cpu)))
jobs, expired, deleted, rep, heap, cores, load = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5], sys.argv[6], sys.argv[7], sys.argv[8]
def med(name, i):
    return statistics.median(sorted(v[i] for v in series[name])) if name in series else None
def wall(name): return med(name, 0)
def cpu(name): return med(name, 2)
def rss(name): return max(v[1] for v in series[name]) // 1024 if name in series else None
files, keys = 2 * jobs, jobs
floor = wall("find") + wall("scan")
floor_cpu = cpu("find") + cpu("scan")
print(f"\n{jobs:,} jobs: {files:,} files + {keys:,} keys scanned; {expired:,} expired items; "
      f"destructive run deleted {deleted:,}; median of {rep}; heap {heap}; {cores} cores, load {load} at the end\n")
print(f"| {'command':44} | {'wall s':>7} | {'cpu s':>6} | {'items/s':>9} | {'peak RSS':>8} | {'ratio':>6} |")
print(f"|{'-'*46}|{'-'*9}|{'-'*8}|{'-'*11}|{'-'*10}|{'-'*8}|")
def row(label, t, c, items, mem, ratio):
    rate = f"{items / t:9,.0f}" if items and t else ""
    print(f"| {label:44} | {t:7.2f} | {c:6.2f} | {rate:>9} | "
          f"{(str(mem) + ' MB') if mem else '':>8} | {ratio:>6} |")
row("find -type f -mmin +TTL", wall("find"), cpu("find"), files, None, "")
row("redis-cli --scan job:*", wall("scan"), cpu("scan"), keys, None, "")
row("find + redis-cli (floor)", floor, floor_cpu, files + keys, None, "1.00")
row("cleaner run-once, dry run", wall("dry"), cpu("dry"), files + keys, rss("dry"), f"{wall('dry') / floor:.2f}")
if "rclone" in series:
    row("rclone delete --dry-run --min-age, prefixes", wall("rclone"), cpu("rclone"), files, rss("rclone"), "1.00")
    r = f"{wall('blobs') / wall('rclone'):.2f}"
else:
    r = ""
row("cleaner dry run, blob half (Redis down)", wall("blobs"), cpu("blobs"), files, rss("blobs"), r)
if "python" in series:
    row("Python job (cron_entry), dry run", wall("python"), cpu("python"), files + keys, rss("python"), "")
row("cleaner run-once, destructive", wall("real"), cpu("real"), files + keys, rss("real"), f"{wall('real') / floor:.2f}")
row("find -delete (files only)", wall("rmfloor"), cpu("rmfloor"), None, None, "")
row("cleaner run-once, empty root", wall("empty"), cpu("empty"), None, rss("empty"), "")
phase = wall("phase") / 1000
print(f"\ndestructive: {deleted:,} items (files and keys) deleted in a delete phase of {phase:.2f} s: "
      f"{deleted / phase if phase else 0:,.0f} items/s; {deleted / wall('real'):,.0f} items/s over the whole run, JVM start included")
print(f"file-system floor: find -delete removed the {2 * expired // 3:,} expired files in {wall('rmfloor'):.2f} s "
      f"({(2 * expired // 3) / wall('rmfloor') if wall('rmfloor') else 0:,.0f} files/s)")
print("\ntargets (bench/README.md)" + ("" if jobs == 100_000 else ", stated at 100,000 jobs") + ":")
def target(text, ok):
    print(f"  {'met    ' if ok else 'NOT met'}  {text}")
target(f"local dry run {wall('dry') / floor:.2f} x (find + redis-cli), at most 1.5", wall("dry") / floor <= 1.5)
if "rclone" in series:
    target(f"blob half {wall('blobs') / wall('rclone'):.2f} x rclone, at most 1.0", wall("blobs") <= wall("rclone"))
else:
    print("  skipped  blob half vs rclone: rclone is not installed (Debian: apt-get install rclone)")
if "python" in series:
    target(f"{wall('python') / wall('dry'):.1f} x faster than the Python job, at least 10", wall("python") >= 10 * wall("dry"))
else:
    print("  skipped  vs the Python job: give --python-job <checkout of DataPilot-AI> (and python3 with redis-py)")
limit = {100_000: 200, 1_000_000: 400}.get(jobs)
peak = max(rss("dry"), rss("real"))
if limit:
    target(f"peak RSS {peak} MB at {jobs:,} jobs, at most {limit} MB", peak <= limit)
else:
    print(f"  info     peak RSS {peak} MB at {jobs:,} jobs (targets: 200 MB at 100,000, 400 MB at 1,000,000)")
target(f"empty run-once {wall('empty'):.2f} s, at most 1.0", wall("empty") <= 1.0)
PY

if [ "$OBJECTS" -gt 0 ]; then
  bench/object-storage.sh --objects "$OBJECTS" --repeat "$REPEAT"
fi
