#!/usr/bin/env bash
# Makes the class-data-sharing archive the launch settings name (-XX:SharedArchiveFile): the
# classes a run loads, parsed and laid out once, mapped by every later start (about half of an
# empty run's CPU time).
#   deploy/class-archive.sh JAR ARCHIVE [folder|bucket|both]   (the Dockerfile and bench/launch.sh run it)
# Made by a training run of the kind of store the install cleans (folder, the default; bucket):
#   folder: a dry run on an empty temporary folder;
#   bucket: a dry run on a bucket whose endpoint is port 1 of the loopback (nothing listens there):
#           the AWS SDK's client, signing and HTTP classes load, no request reaches any server.
# Redis is unreachable (port 1 too), so it reads and deletes nothing; it exits 1, which is
# expected. Java 17 writes the archive at the training run's exit (-XX:ArchiveClassesAtExit).
# `both` serves either kind from one archive: the two runs' class lists laid out as a static
# archive (-Xshare:dump). Every class in an archive is mapped at each start: on a folder, `both`
# costs about 17 MB more resident memory than `folder` (300,000 jobs, bench/README.md).
# The archive is only used with the very jar it was made from, at the same path as given here,
# on the same JVM: a rebuilt or moved jar starts without it (silently, just slower).
set -euo pipefail
JAR=$1
ARCHIVE=$2
STORES=${3:-folder}
case "$STORES" in folder | bucket | both) ;; *) echo "stores: folder, bucket or both, not $STORES" >&2; exit 2 ;; esac
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
rm -f "$ARCHIVE"
mkdir "$WORK/root"
# train NAME JVM-OPTION: one dry run of that kind of store, the option saying what to write
train() {
  local name=$1 option=$2 store
  if [ "$name" = folder ]; then
    store=(LOCAL_STORAGE_ROOT="$WORK/root")
  else
    # placeholder credentials: the SDK needs some to sign; the endpoint never answers
    store=(BLOB_STORAGE_URL=s3://class-archive-training CLEANER_S3_ENDPOINT=http://127.0.0.1:1 CLEANER_S3_PATH_STYLE=true
      AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=training AWS_SECRET_ACCESS_KEY=training)
  fi
  env -i PATH="$PATH" LANG=C.UTF-8 REDIS_URL=redis://127.0.0.1:1/0 CLEANER_REDIS_TIMEOUT_MS=1000 "${store[@]}" \
    java "$option" -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -jar "$JAR" run-once >>"$WORK/training.log" 2>&1 || true
}
if [ "$STORES" = both ]; then
  train folder -XX:DumpLoadedClassList="$WORK/folder.classes"
  train bucket -XX:DumpLoadedClassList="$WORK/bucket.classes"
  cat "$WORK"/*.classes | awk '!seen[$0]++' >"$WORK/all.classes" || true
  # the serial collector, as at launch: archived heap objects would be of use to G1 only
  java -Xshare:dump -XX:SharedClassListFile="$WORK/all.classes" -XX:SharedArchiveFile="$ARCHIVE" -XX:+UseSerialGC \
    -cp "$JAR" >>"$WORK/training.log" 2>&1 || true
else
  train "$STORES" -XX:ArchiveClassesAtExit="$ARCHIVE"
fi
if [ ! -s "$ARCHIVE" ]; then
  echo "class-data archive not written; the training said:" >&2
  cat "$WORK/training.log" >&2
  exit 1
fi
echo "class-data archive $ARCHIVE ($STORES) written for $JAR"
