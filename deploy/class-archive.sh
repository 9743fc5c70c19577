#!/usr/bin/env bash
# Makes the class-data-sharing archive the launch settings name (-XX:SharedArchiveFile): the
# classes a run loads, parsed and laid out once, mapped by every later start (about half of an
# empty run's CPU time).
#   deploy/class-archive.sh JAR ARCHIVE     (the Dockerfile and bench/run.sh run it)
# Two training runs list the classes they load (-XX:DumpLoadedClassList), one per kind of store,
# so that one archive serves a folder and a bucket alike:
#   a dry run on an empty temporary folder;
#   a dry run on a bucket whose endpoint is port 1 of the loopback (nothing listens there): the
#     AWS SDK's client, signing and HTTP classes load, no request reaches any server.
# Redis is unreachable in both (port 1 too), so they read and delete nothing; both exit 1, which
# is expected. The two lists together are then laid out as a static archive (-Xshare:dump).
# The archive is only used with the very jar it was made from, at the same path, on the same JVM:
# a rebuilt or moved jar starts without it (silently, just slower).
set -euo pipefail
JAR=$1
ARCHIVE=$2
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
rm -f "$ARCHIVE"
mkdir "$WORK/root"
train() {
  local name=$1; shift
  env -i PATH="$PATH" LANG=C.UTF-8 REDIS_URL=redis://127.0.0.1:1/0 CLEANER_REDIS_TIMEOUT_MS=1000 "$@" \
    java -XX:DumpLoadedClassList="$WORK/$name.classes" -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -jar "$JAR" run-once \
    >"$WORK/$name.log" 2>&1 || true
}
train local LOCAL_STORAGE_ROOT="$WORK/root"
# placeholder credentials: the SDK needs some to sign; the endpoint never answers
train bucket BLOB_STORAGE_URL=s3://class-archive-training CLEANER_S3_ENDPOINT=http://127.0.0.1:1 CLEANER_S3_PATH_STYLE=true \
  AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=training AWS_SECRET_ACCESS_KEY=training
cat "$WORK"/local.classes "$WORK"/bucket.classes 2>/dev/null | awk '!seen[$0]++' >"$WORK/all.classes"
# the serial collector, as at launch: archived heap objects would be of use to G1 only
java -Xshare:dump -XX:SharedClassListFile="$WORK/all.classes" -XX:SharedArchiveFile="$ARCHIVE" -XX:+UseSerialGC \
  -cp "$JAR" >"$WORK/dump.log" 2>&1 || true
if [ ! -s "$ARCHIVE" ]; then
  echo "class-data archive not written; the training runs and the dump said:" >&2
  cat "$WORK"/local.log "$WORK"/bucket.log "$WORK/dump.log" >&2
  exit 1
fi
echo "class-data archive $ARCHIVE written for $JAR ($(grep -vc '^[#@]' "$WORK/all.classes") classes)"
