#!/usr/bin/env bash
# Object-storage mode of the benchmark: the cleaner against a bucket in a local S3-compatible
# server (s3proxy, fetched by Maven into target/s3proxy), next to curl doing the same S3 calls.
#   bench/object-storage.sh [--objects N] [--repeat R]
# Prints the median wall time of R runs (default 3) of
#   curl: ListObjectsV2 over both prefixes, 1000 keys a page, SigV4     (the floor for listing)
#   java -jar target/datapilot-cleaner.jar run-once, dry run            (JVM start included)
#   the same, destructive, on a fresh copy of the bucket
#   curl: a HEAD of each expired object (16 at once), then a DELETE of each (16 at once)
#                                                                        (the floor for re-check + delete,
#                                                                         which the cleaner does per object)
#   curl: DeleteObjects of them, 1000 a request (for reference: one request, but no re-check)
#   rclone delete [--dry-run] --min-age <TTL>h --use-server-modtime on both prefixes (the peer:
#     LastModified from the listing, single DELETEs from 8 checkers), configured by environment
#     variables only (RCLONE_CONFIG_BENCH_*); skipped, saying so, when rclone is missing
# with objects listed and deleted per second. Redis is a private, empty redis-server, so the
# figures are the bucket's alone. The objects are files in s3proxy's folder (its filesystem
# backend), written directly, with their mtime as LastModified; one job in ten is expired.
set -euo pipefail
cd "$(dirname "$0")/.."

OBJECTS=10000
REPEAT=3
while [ $# -gt 0 ]; do
  case "$1" in
    --objects) OBJECTS="$2"; shift 2 ;;
    --repeat) REPEAT="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
TTL_HOURS=24
JAR=target/datapilot-cleaner.jar
S3PROXY=target/s3proxy/s3proxy.jar
[ -f "$JAR" ] && [ -f "$S3PROXY" ] || mvn -B -q package -DskipTests
CLASS_ARCHIVE_STORES=${CLASS_ARCHIVE_STORES:-bucket}  # the archive a bucket install makes
source bench/launch.sh
HAVE_RCLONE=1; command -v rclone >/dev/null || HAVE_RCLONE=0
BUCKET=bench
KEY=bench-key
SECRET=bench-secret
EMPTY_SHA=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855

WORK=$(mktemp -d /tmp/cleaner-bench-s3-XXXXXX)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
RPORT=$(free_port); SPORT=$(free_port)
redis-server --port "$RPORT" --bind 127.0.0.1 --save "" --appendonly no --daemonize yes \
  --dir "$WORK" --logfile "$WORK/redis.log" --pidfile "$WORK/redis.pid"
mkdir -p "$WORK/s3"
cat > "$WORK/s3proxy.conf" <<CONF
s3proxy.endpoint=http://127.0.0.1:$SPORT
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=$KEY
s3proxy.credential=$SECRET
jclouds.provider=filesystem-nio2
jclouds.filesystem.basedir=$WORK/s3
CONF
java -Xmx512m -jar "$S3PROXY" --properties "$WORK/s3proxy.conf" >"$WORK/s3proxy.log" 2>&1 &
S3PID=$!
cleanup() {
  redis-cli -p "$RPORT" shutdown nosave >/dev/null 2>&1 || true
  kill "$S3PID" 2>/dev/null || true
  wait "$S3PID" 2>/dev/null || true
  [ -n "${KEEP:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT
until redis-cli -p "$RPORT" ping >/dev/null 2>&1; do sleep 0.05; done
until curl -s -o /dev/null "http://127.0.0.1:$SPORT/"; do sleep 0.1; done

JOBS=$((OBJECTS / 2))
EXPIRED_JOBS=$(python3 bench/fixture.py --root "$WORK/master" --jobs "$JOBS" --ttl-hours "$TTL_HOURS" \
  --resp "$WORK/unused.resp" --expired-list "$WORK/expired.txt")
EXPIRED=$((EXPIRED_JOBS * 2))
echo "bucket fixture: $OBJECTS objects ($EXPIRED expired) in s3proxy on 127.0.0.1:$SPORT" >&2
# DeleteObjects bodies of 1000 keys each, as the floor sends them
split -l 1000 -d -a 4 "$WORK/expired.txt" "$WORK/batch-"
for b in "$WORK"/batch-*; do
  { printf '<Delete><Quiet>true</Quiet>'; sed 's|.*|<Object><Key>&</Key></Object>|' "$b" | tr -d '\n'; printf '</Delete>'; } > "$b.xml"
done

sed "s|.*|url = \"http://127.0.0.1:$SPORT/$BUCKET/&\"|" "$WORK/expired.txt" > "$WORK/heads.cfg"
s3curl() { curl -sS --fail-with-body --aws-sigv4 "aws:amz:us-east-1:s3" --user "$KEY:$SECRET" "$@"; }
# SigV4 wants the query string exactly encoded: '/' as %2F and so on (pure bash: no process per page)
urlenc() {
  local s=$1 out="" c i
  for ((i = 0; i < ${#s}; i++)); do
    c=${s:i:1}
    case "$c" in [A-Za-z0-9._~-]) out+="$c" ;; *) printf -v c '%%%02X' "'$c"; out+="$c" ;; esac
  done
  printf '%s' "$out"
}
list_floor() {
  local count=0 prefix token page query
  for prefix in uploads/ results/; do
    token=""
    while :; do
      query="list-type=2&max-keys=1000&prefix=$(urlenc "$prefix")"
      [ -n "$token" ] && query="continuation-token=$(urlenc "$token")&$query"
      page=$(s3curl -H "x-amz-content-sha256: $EMPTY_SHA" "http://127.0.0.1:$SPORT/$BUCKET?$query")
      count=$((count + $(grep -o '<Key>' <<<"$page" | wc -l)))
      grep -q '<IsTruncated>true</IsTruncated>' <<<"$page" || break
      token=$(grep -o '<NextContinuationToken>[^<]*' <<<"$page" | sed 's/<NextContinuationToken>//')
    done
  done
  echo "$count" > "$WORK/listed.txt"
}
delete_floor() {
  local b md5 sha
  for b in "$WORK"/batch-*.xml; do
    md5=$(openssl md5 -binary "$b" | base64); sha=$(sha256sum "$b" | cut -d' ' -f1)
    s3curl -X POST -H "x-amz-content-sha256: $sha" -H "Content-MD5: $md5" -H "Content-Type: application/xml" \
      --data-binary @"$b" "http://127.0.0.1:$SPORT/$BUCKET?delete=" >/dev/null
  done
}
# the re-check floor: a HEAD of each expired object, 16 at once, in one curl process
head_floor() {
  s3curl --parallel --parallel-max 16 -I -H "x-amz-content-sha256: $EMPTY_SHA" -K "$WORK/heads.cfg" >/dev/null
}
# the delete floor as the cleaner deletes: a DELETE of each expired object, 16 at once
delete_each_floor() {
  s3curl --parallel --parallel-max 16 -X DELETE -H "x-amz-content-sha256: $EMPTY_SHA" -K "$WORK/heads.cfg" >/dev/null
}
fresh_bucket() { rm -rf "$WORK/s3/$BUCKET"; cp -a "$WORK/master" "$WORK/s3/$BUCKET"; sync; }

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
timed() { /usr/bin/time -f "%e %M %U %S" -o "$WORK/time.txt" "$@" >"$WORK/out.txt" 2>"$WORK/err.txt"; cat "$WORK/time.txt"; }
rclone_env=(env -i PATH="$PATH" RCLONE_CONFIG_BENCH_TYPE=s3 RCLONE_CONFIG_BENCH_PROVIDER=Other
  RCLONE_CONFIG_BENCH_ACCESS_KEY_ID="$KEY" RCLONE_CONFIG_BENCH_SECRET_ACCESS_KEY="$SECRET"
  RCLONE_CONFIG_BENCH_ENDPOINT="http://127.0.0.1:$SPORT" RCLONE_CONFIG_BENCH_REGION=us-east-1
  RCLONE_CONFIG_BENCH_FORCE_PATH_STYLE=true)
RCLONE=(rclone --config /dev/null delete --min-age "${TTL_HOURS}h" --use-server-modtime
  --include "/uploads/**" --include "/results/**" "bench:$BUCKET")
left_in_bucket() { find "$WORK/s3/$BUCKET" -type f -not -path "*/maintenance/*" | wc -l; }
export -f s3curl urlenc list_floor delete_floor head_floor delete_each_floor
export WORK KEY SECRET SPORT BUCKET EMPTY_SHA

cleaner_env=(env -i PATH="$PATH" LANG=C.UTF-8 BLOB_STORAGE_URL="s3://$BUCKET" CLEANER_S3_ENDPOINT="http://127.0.0.1:$SPORT"
  CLEANER_S3_PATH_STYLE=true AWS_ACCESS_KEY_ID="$KEY" AWS_SECRET_ACCESS_KEY="$SECRET" REDIS_URL="redis://127.0.0.1:$RPORT/0"
  JOB_TTL_HOURS="$TTL_HOURS" CLEANER_MAX_DELETE_BATCH=$((EXPIRED + 1)) CLEANER_DELETES_PER_SECOND=0 CLEANER_LOG_LEVEL=WARN)
# the audit object of a run, read from s3proxy's folder
audit_of() { python3 -c '
import json,sys
l=[x for x in open(sys.argv[1]) if x.startswith("STRUCTURED_SUMMARY: ")][0]
s=json.loads(l[20:]); key=s["auditFile"].split("/",3)[3]
a=json.load(open(sys.argv[2]+"/"+key))
print(s["deletedBlobs"], a["totalBlobsScanned"], a["durationsMillis"]["scanAndPlan"], a["durationsMillis"]["deletes"])' "$WORK/out.txt" "$WORK/s3/$BUCKET"; }

LIST=(); DRY=(); SCANMS=(); REAL=(); DELMS=(); DELFLOOR=(); HEADFLOOR=(); EACHFLOOR=(); DELETED=0; LISTED=0; SCANNED=0
RDRY=(); RREAL=(); DRYCPU=(); REALCPU=(); RDRYCPU=(); RREALCPU=()
cpu() { awk -v u="$1" -v s="$2" 'BEGIN {printf "%.2f", u + s}'; }
for i in $(seq "$REPEAT"); do
  fresh_bucket
  LIST+=("$(timed bash -ec list_floor | cut -d' ' -f1)"); LISTED=$(cat "$WORK/listed.txt")
  [ "$LISTED" -eq "$OBJECTS" ] || { echo "curl listed $LISTED objects, expected $OBJECTS:" >&2; cat "$WORK/err.txt" >&2; exit 1; }
  read -r s m u y <<<"$(timed "${cleaner_env[@]}" CLEANER_DRY_RUN=true java "${LAUNCH[@]}" -jar "$JAR" run-once)"; DRYCPU+=("$(cpu "$u" "$y")")
  grep -q '"exitCode":0' "$WORK/out.txt" || { echo "dry run failed:" >&2; cat "$WORK/out.txt" "$WORK/err.txt" >&2; exit 1; }
  DRY+=("$s"); read -r _ SCANNED scan_ms _ <<<"$(audit_of)"; SCANMS+=("$scan_ms")
  if [ "$HAVE_RCLONE" = 1 ]; then
    read -r s m u y <<<"$(timed "${rclone_env[@]}" "${RCLONE[@]}" --dry-run)"; RDRYCPU+=("$(cpu "$u" "$y")")
    n=$(grep -c 'Skipped delete as --dry-run is set' "$WORK/err.txt" || true)
    [ "$n" -eq "$EXPIRED" ] || { echo "rclone dry run listed $n, expected $EXPIRED:" >&2; cat "$WORK/err.txt" >&2; exit 1; }
    RDRY+=("$s")
  fi
  read -r s m u y <<<"$(timed "${cleaner_env[@]}" CLEANER_DRY_RUN=false java "${LAUNCH[@]}" -jar "$JAR" run-once)"; REALCPU+=("$(cpu "$u" "$y")")
  grep -q '"exitCode":0' "$WORK/out.txt" || { echo "destructive run failed:" >&2; cat "$WORK/out.txt" "$WORK/err.txt" >&2; exit 1; }
  REAL+=("$s"); read -r DELETED _ _ del_ms <<<"$(audit_of)"; DELMS+=("$del_ms")
  if [ "$HAVE_RCLONE" = 1 ]; then
    fresh_bucket
    read -r s m u y <<<"$(timed "${rclone_env[@]}" "${RCLONE[@]}")"; RREALCPU+=("$(cpu "$u" "$y")")
    left=$(left_in_bucket)
    [ "$left" -eq $((OBJECTS - EXPIRED)) ] || { echo "rclone left $left objects, expected $((OBJECTS - EXPIRED)):" >&2; cat "$WORK/err.txt" >&2; exit 1; }
    RREAL+=("$s")
  fi
  fresh_bucket
  HEADFLOOR+=("$(timed bash -ec head_floor | cut -d' ' -f1)")
  DELFLOOR+=("$(timed bash -ec delete_floor | cut -d' ' -f1)")
  left=$(find "$WORK/s3/$BUCKET" -type f | wc -l)
  [ "$left" -eq $((OBJECTS - EXPIRED)) ] || { echo "curl floor left $left objects, expected $((OBJECTS - EXPIRED))" >&2; exit 1; }
  fresh_bucket
  EACHFLOOR+=("$(timed bash -ec delete_each_floor | cut -d' ' -f1)")
  left=$(find "$WORK/s3/$BUCKET" -type f | wc -l)
  [ "$left" -eq $((OBJECTS - EXPIRED)) ] || { echo "curl DELETE floor left $left objects, expected $((OBJECTS - EXPIRED))" >&2; exit 1; }
done

l=$(printf '%s\n' "${LIST[@]}" | median); d=$(printf '%s\n' "${DRY[@]}" | median); x=$(printf '%s\n' "${REAL[@]}" | median)
sm=$(printf '%s\n' "${SCANMS[@]}" | median); dm=$(printf '%s\n' "${DELMS[@]}" | median); df=$(printf '%s\n' "${DELFLOOR[@]}" | median)
hf=$(printf '%s\n' "${HEADFLOOR[@]}" | median); ef=$(printf '%s\n' "${EACHFLOOR[@]}" | median)
rd=$([ "$HAVE_RCLONE" = 1 ] && printf '%s\n' "${RDRY[@]}" | median || echo 0)
rx=$([ "$HAVE_RCLONE" = 1 ] && printf '%s\n' "${RREAL[@]}" | median || echo 0)
dc=$(printf '%s\n' "${DRYCPU[@]}" | median); xc=$(printf '%s\n' "${REALCPU[@]}" | median)
rdc=$([ "$HAVE_RCLONE" = 1 ] && printf '%s\n' "${RDRYCPU[@]}" | median || echo 0)
rxc=$([ "$HAVE_RCLONE" = 1 ] && printf '%s\n' "${RREALCPU[@]}" | median || echo 0)
python3 - "$OBJECTS" "$EXPIRED" "$LISTED" "$SCANNED" "$DELETED" "$l" "$d" "$sm" "$x" "$dm" "$df" "$REPEAT" "$hf" "$ef" "$rd" "$rx" "$dc" "$xc" "$rdc" "$rxc" <<'PY'
import sys
objects, expired, listed, scanned, deleted = map(int, sys.argv[1:6])
l, d = float(sys.argv[6]), float(sys.argv[7]); scan_s = int(sys.argv[8]) / 1000
x = float(sys.argv[9]); del_s = int(sys.argv[10]) / 1000; df = float(sys.argv[11]); rep = sys.argv[12]
hf = float(sys.argv[13]); ef = float(sys.argv[14]); rd = float(sys.argv[15]); rx = float(sys.argv[16])
dc, xc, rdc, rxc = map(float, sys.argv[17:21])
print(f"\nobject storage (s3proxy, filesystem backend, loopback): {objects:,} objects, {expired:,} expired; "
      f"curl listed {listed:,}, the cleaner scanned {scanned:,} and deleted {deleted:,}; median of {rep}\n")
print(f"| {'command':44} | {'wall s':>7} | {'objects/s':>10} | {'ratio':>5} |")
print(f"|{'-'*46}|{'-'*9}|{'-'*12}|{'-'*7}|")
rows = [
    ("curl ListObjectsV2, 1000/page (floor)", l, listed / l, "1.00"),
    ("cleaner dry run: listing phase", scan_s, scanned / scan_s if scan_s else 0, f"{scan_s / l:.2f}"),
    ("cleaner run-once, dry run (JVM incl.)", d, scanned / d, f"{d / l:.2f}"),
    ("curl DeleteObjects, 1000/request", df, expired / df, ""),
    ("curl HEAD + DeleteObjects", hf + df, expired / (hf + df), ""),
    ("curl HEAD each expired object, 16 at once", hf, expired / hf, ""),
    ("curl DELETE each expired object, 16 at once", ef, expired / ef, ""),
    ("curl HEAD + DELETE each (floor)", hf + ef, expired / (hf + ef), "1.00"),
    ("cleaner delete phase (HEAD + DELETE each)", del_s, deleted / del_s if del_s else 0, f"{del_s / (hf + ef):.2f}"),
    ("cleaner run-once, destructive (JVM incl.)", x, deleted / x, ""),
]
if rd:
    rows += [
        ("rclone delete --dry-run, server modtime", rd, scanned / rd, "1.00"),
        ("cleaner run-once, dry run (JVM incl.)", d, scanned / d, f"{d / rd:.2f}"),
        ("rclone delete, server modtime, 8 checkers", rx, expired / rx, "1.00"),
        ("cleaner run-once, destructive (JVM incl.)", x, deleted / x, f"{x / rx:.2f}"),
    ]
for name, t, rate, ratio in rows:
    print(f"| {name:44} | {t:7.2f} | {rate:10,.0f} | {ratio:>5} |")
print(f"\nCPU time (user + sys, median): cleaner dry run {dc:.2f} s, destructive {xc:.2f} s"
      + (f"; rclone dry run {rdc:.2f} s, destructive {rxc:.2f} s" if rd else ""))
print("\ntargets (bench/README.md):")
if rd:
    for what, mine, peer in (("dry run", d, rd), ("destructive run", x, rx)):
        print(f"  {'met    ' if mine <= peer else 'NOT met'}  bucket {what} {mine / peer:.2f} x rclone, at most 1.0")
else:
    print("  skipped  bucket runs vs rclone: rclone is not installed (Debian: apt-get install rclone)")
PY
