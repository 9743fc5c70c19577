#!/usr/bin/env bash
# Makes the class-data-sharing archive the launch settings name (-XX:SharedArchiveFile): the
# classes a run loads, parsed and laid out once, mapped by every later start (about half of an
# empty run's CPU time). Java 17 writes it at the exit of a training run (-XX:ArchiveClassesAtExit);
# Java 19+ could make it on first use (-XX:+AutoCreateSharedArchive).
#   deploy/class-archive.sh JAR ARCHIVE     (the Dockerfile and bench/run.sh run it)
# The training run is a dry run on an empty temporary folder with Redis unreachable (port 1 of
# the loopback: nothing listens there), so it reads and deletes nothing; it exits 1 for the
# unreachable Redis, which is expected. The archive is only used with the very jar it was made
# from, at the same path: a rebuilt or moved jar starts without it (silently, just slower).
set -euo pipefail
JAR=$1
ARCHIVE=$2
ROOT=$(mktemp -d)
trap 'rm -rf "$ROOT"' EXIT
rm -f "$ARCHIVE"
env -i PATH="$PATH" LANG=C.UTF-8 LOCAL_STORAGE_ROOT="$ROOT" REDIS_URL=redis://127.0.0.1:1/0 CLEANER_REDIS_TIMEOUT_MS=1000 \
  java -XX:ArchiveClassesAtExit="$ARCHIVE" -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -jar "$JAR" run-once \
  >"$ROOT/training.log" 2>&1 || true
if [ ! -s "$ARCHIVE" ]; then
  echo "class-data archive not written; the training run said:" >&2
  cat "$ROOT/training.log" >&2
  exit 1
fi
echo "class-data archive $ARCHIVE written for $JAR"
