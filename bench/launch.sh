# Sourced by bench/run.sh and bench/object-storage.sh: the cleaner is measured with the launch
# settings that ship (README "Launch settings", the Dockerfile's ENTRYPOINT); keep the three in step.
# CLASS_ARCHIVE_STORES: the kind of store the class-data archive is trained on (folder, bucket, both).
STORES=${CLASS_ARCHIVE_STORES:-folder}
CDS=target/datapilot-cleaner-$STORES.jsa
LAUNCH=(-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xms16m "-XX:SharedArchiveFile=$CDS")
# the class-data archive, made again whenever the jar is newer
if [ ! -f "$CDS" ] || [ "$CDS" -ot "$JAR" ]; then
  deploy/class-archive.sh "$JAR" "$CDS" "$STORES" >&2 || echo "measuring without the class-data archive" >&2
fi
