#!/usr/bin/env bash
# Builds the cleaner's container image from Debian packages, without a registry or a Docker engine
# (mmdebstrap + buildah), then runs `run-once` and `health` inside it and checks what they did.
# The image is the Dockerfile's: same user (10001), paths, environment and entry point; the
# entry point and the ENV lines are read from the Dockerfile itself, so the two cannot drift.
#
#   deploy/image/build.sh                   build, run, check, remove everything it made
#   deploy/image/build.sh --keep DIR        also leave the image as an OCI archive in DIR
#   deploy/image/build.sh --no-package      use target/datapilot-cleaner.jar as it is
#
# Needs root (mmdebstrap's root mode, buildah's chroot isolation), mmdebstrap, buildah,
# redis-server, jq, and a Debian mirror reachable through this machine's apt sources.
# Exit 0 when the image was built and both commands did what they should; else non-zero.
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"

keep=""
package=yes
while [ $# -gt 0 ]; do
    case "$1" in
        --keep) keep=$(mkdir -p "$2" && cd "$2" && pwd); shift 2 ;;
        --no-package) package=no; shift ;;
        *) echo "usage: $0 [--keep DIR] [--no-package]" >&2; exit 2 ;;
    esac
done

for tool in mmdebstrap buildah redis-server jq; do
    command -v "$tool" >/dev/null || { echo "build.sh: $tool is not installed" >&2; exit 2; }
done
[ "$(id -u)" = 0 ] || { echo "build.sh: run as root (mmdebstrap root mode, buildah chroot isolation)" >&2; exit 2; }

started=$(date +%s)
say() { printf '[build.sh %3ss] %s\n' "$(( $(date +%s) - started ))" "$*"; }
fail() { say "FAILED: $*"; exit 1; }

version=$(sed -n '0,/<artifactId>datapilot-cleaner<\/artifactId>/d; s:.*<version>\(.*\)</version>.*:\1:p' pom.xml | head -1)
image="datapilot-cleaner:${version}"

# the runtime stage of the Dockerfile: what the image must agree with
# ENV lines of the Dockerfile's runtime stage (continuation lines joined), as KEY=VALUE words
env_args=()
while IFS= read -r line; do
    eval "set -- $line"
    for kv in "$@"; do env_args+=(--env "$kv"); done
done < <(awk '/^FROM /{stage++} stage==2 && /^ENV /{sub(/^ENV /,""); buf=$0; while (buf ~ /\\$/ && (getline more) > 0) {sub(/\\$/,"",buf); buf=buf " " more} print buf}' Dockerfile)
entrypoint=$(sed -n 's/^ENTRYPOINT //p' Dockerfile)
cmd=$(sed -n 's/^CMD //p' Dockerfile)
user=$(sed -n 's/^USER //p' Dockerfile)
workdir=$(awk '/^FROM /{stage++} stage==2 && /^WORKDIR /{print $2}' Dockerfile)
[ -n "$entrypoint" ] && [ -n "$user" ] && [ -n "$workdir" ] || fail "cannot read ENTRYPOINT, USER or WORKDIR from the Dockerfile"
uid=${user%%:*}
gid=${user##*:}

work=$(mktemp -d /tmp/datapilot-image.XXXXXX)
# buildah keeps its own storage here: nothing is added to the machine's image store
buildah_() { buildah --root "$work/containers" --runroot "$work/run" --storage-driver vfs "$@"; }
redis_pid=""
ctr=""
cleanup() {
    set +e
    [ -n "$redis_pid" ] && kill "$redis_pid" 2>/dev/null && wait "$redis_pid" 2>/dev/null
    [ -n "$ctr" ] && buildah_ rm "$ctr" >/dev/null 2>&1
    buildah_ rmi --all --force >/dev/null 2>&1
    # vfs layers can hold files owned by other users: plain rm as root
    rm -rf "$work"
}
trap cleanup EXIT

# --- the jar ---------------------------------------------------------------------------------
if [ "$package" = yes ]; then
    say "mvn -B -q -o package -DskipTests"
    mvn -B -q -o package -DskipTests
fi
[ -f target/datapilot-cleaner.jar ] || fail "target/datapilot-cleaner.jar is missing"

# --- the root file system: Debian bookworm, the JRE, the CA certificates, the cleaner user -----
say "mmdebstrap bookworm (essential + openjdk-17-jre-headless, ca-certificates)"
# the machine's own apt sources, so the same mirror (or proxy) is used as for apt-get here
sources=()
[ -f /etc/apt/sources.list ] && grep -q '^deb ' /etc/apt/sources.list && sources+=(/etc/apt/sources.list)
for f in /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] && sources+=("$f")
done
[ ${#sources[@]} -gt 0 ] || sources=(http://deb.debian.org/debian)
mmdebstrap --mode=root --variant=essential \
    --include=openjdk-17-jre-headless,ca-certificates \
    --aptopt='Acquire::Check-Valid-Until "false"' \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' \
    --essential-hook='mkdir -p "$1/usr/share/man/man1"' \
    --customize-hook='echo "cleaner:x:'$uid':'$gid':datapilot-cleaner:/opt/datapilot-cleaner:/usr/sbin/nologin" >> "$1/etc/passwd"' \
    --customize-hook='echo "cleaner:x:'$gid':" >> "$1/etc/group"' \
    --customize-hook='echo "cleaner:!:19000:0:99999:7:::" >> "$1/etc/shadow"' \
    --customize-hook='mkdir -p "$1/opt/datapilot-cleaner"' \
    --customize-hook='rm -rf "$1/var/cache/apt/"* "$1/var/lib/apt/lists/"*' \
    bookworm "$work/rootfs.tar" "${sources[@]}" >"$work/mmdebstrap.log" 2>&1 \
    || { tail -40 "$work/mmdebstrap.log" >&2; fail "mmdebstrap failed (log above)"; }

# --- the image: from scratch, the root file system, the jar and routes, the Dockerfile's config --
say "buildah commit $image"
ctr=$(buildah_ from scratch)
buildah_ add --quiet "$ctr" "$work/rootfs.tar" / >/dev/null
buildah_ copy --quiet "$ctr" target/datapilot-cleaner.jar /opt/datapilot-cleaner/datapilot-cleaner.jar >/dev/null
buildah_ copy --quiet "$ctr" routes /opt/datapilot-cleaner/routes >/dev/null
# the class-data archive the entry point names, made inside the image as the Dockerfile does
buildah_ copy --quiet "$ctr" deploy/class-archive.sh /tmp/class-archive.sh >/dev/null
buildah_ run --isolation chroot "$ctr" -- /tmp/class-archive.sh /opt/datapilot-cleaner/datapilot-cleaner.jar \
    /opt/datapilot-cleaner/datapilot-cleaner.jsa >"$work/class-archive.log" 2>&1 \
    || { cat "$work/class-archive.log" >&2; fail "the class-data archive could not be made in the image"; }
buildah_ run --isolation chroot "$ctr" -- rm -f /tmp/class-archive.sh
buildah_ config "${env_args[@]}" --user "$user" --workingdir "$workdir" --port 9876 \
    --entrypoint "$entrypoint" --cmd "$cmd" \
    --label org.opencontainers.image.title=datapilot-cleaner \
    --label org.opencontainers.image.version="$version" "$ctr"
buildah_ commit --quiet "$ctr" "$image" >/dev/null
buildah_ rm "$ctr" >/dev/null
ctr=""
size=$(buildah_ images --format '{{.Size}}' "$image")
say "image $image: $size"

# --- a private Redis on a free loopback port, and a storage root with old and new files ----------
port=""
for _ in $(seq 1 20); do
    candidate=$(( 20000 + RANDOM % 20000 ))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then
        port=$candidate
        break
    fi
done
[ -n "$port" ] || fail "no free loopback port"
redis-server --bind 127.0.0.1 --port "$port" --save '' --appendonly no --daemonize no \
    --dir "$work" --logfile "$work/redis.log" &
redis_pid=$!
for _ in $(seq 1 50); do
    redis-cli -p "$port" ping 2>/dev/null | grep -q PONG && break
    sleep 0.1
done
redis-cli -p "$port" ping | grep -q PONG || fail "private redis-server on 127.0.0.1:$port did not start"
old=$(date -u -d '3 days ago' +%Y-%m-%dT%H:%M:%SZ)
new=$(date -u +%Y-%m-%dT%H:%M:%SZ)
redis-cli -p "$port" set job:old "{\"updatedAt\":\"$old\"}" >/dev/null
redis-cli -p "$port" set job:new "{\"updatedAt\":\"$new\"}" >/dev/null

storage="$work/storage"
mkdir -p "$storage/uploads/job_old" "$storage/uploads/job_new" "$storage/results/job_old"
echo old > "$storage/uploads/job_old/input.csv"
echo old > "$storage/results/job_old/result.json"
echo new > "$storage/uploads/job_new/input.csv"
touch -d '3 days ago' "$storage/uploads/job_old/input.csv" "$storage/results/job_old/result.json"
chown -R "$uid:$gid" "$storage"

# buildah run does not apply the entry point: the image's own, then the command
mapfile -t entry < <(jq -r '.[]' <<<"$entrypoint")
# as in the Deployment: the storage volume on /data, an emptyDir on /tmp, the network to Redis
run_in_image() {
    local ctr
    ctr=$(buildah_ from "$image")
    mkdir -p "$work/tmp-$1" && chown "$uid:$gid" "$work/tmp-$1"
    set +e
    buildah_ run --isolation chroot --network host \
        --volume "$storage:/data" --volume "$work/tmp-$1:/tmp" \
        --env REDIS_URL="redis://127.0.0.1:$port" --env JOB_TTL_HOURS=24 --env CLEANER_DRY_RUN=false \
        --env BLOB_PATH_PREFIXES=uploads/,results/ \
        "$ctr" -- "${entry[@]}" "$1" >"$work/$1.out" 2>"$work/$1.err"
    local rc=$?
    set -e
    buildah_ rm "$ctr" >/dev/null
    return $rc
}

say "run-once in the image (user $user, /data, REDIS_URL=redis://127.0.0.1:$port)"
rc=0; run_in_image run-once || rc=$?
say "run-once exit code $rc"
grep '^STRUCTURED_SUMMARY' "$work/run-once.out" || { cat "$work/run-once.err" >&2; fail "no STRUCTURED_SUMMARY line"; }
[ "$rc" = 0 ] || { tail -20 "$work/run-once.err" >&2; fail "run-once exited $rc"; }
[ ! -e "$storage/uploads/job_old/input.csv" ] && [ ! -e "$storage/results/job_old/result.json" ] || fail "old files were not deleted"
[ -e "$storage/uploads/job_new/input.csv" ] || fail "a new file was deleted"
[ "$(redis-cli -p "$port" exists job:old job:new)" = 1 ] || fail "Redis: expected job:old deleted and job:new kept"
ls "$storage/maintenance/cleaner_runs/"*.json >/dev/null 2>&1 || fail "no audit written under maintenance/cleaner_runs/"
owner=$(stat -c %u "$storage/maintenance/cleaner_runs/"*.json | sort -u)
[ "$owner" = "$uid" ] || fail "the audit is owned by uid $owner, not $uid: the image did not run as its user"

say "health in the image"
rc=0; run_in_image health || rc=$?
cat "$work/health.out"
say "health exit code $rc"
jq -e '.status == "healthy" and .checks.redis.status == "ok" and .checks.storage.status == "ok"' "$work/health.out" >/dev/null \
    || fail "health JSON is not a healthy report"
[ "$rc" = 0 ] || fail "health exited $rc"

if [ -n "$keep" ]; then
    buildah_ push --quiet "$image" "oci-archive:$keep/datapilot-cleaner-$version.oci.tar:$image"
    say "kept $keep/datapilot-cleaner-$version.oci.tar (podman load / skopeo copy)"
fi
say "OK: $image ($size) built, run-once and health passed in $(( $(date +%s) - started )) s"
