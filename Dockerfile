# datapilot-cleaner: build with Maven, run on a slim Java 17 runtime as a non-root user.
# deploy/image/build.sh builds the same image from Debian packages (no registry, no Docker) and
# reads its USER, WORKDIR, ENV, ENTRYPOINT and CMD from here (ENTRYPOINT and CMD: JSON arrays on one line).
#   docker build -t datapilot-cleaner:0.1.0-SNAPSHOT .   # the tag the manifests in deploy/ use: the pom's version
#   docker run datapilot-cleaner                 # the service (daemon): schedule, JMX, health, metrics
#   docker run datapilot-cleaner run-once        # one run and out (CronJob, platform scheduler)
#   docker run datapilot-cleaner health          # health JSON; exit 0/1/2

FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
RUN mvn -B -q dependency:go-offline
COPY src src
COPY routes routes
RUN mvn -B -q package -DskipTests

FROM eclipse-temurin:17-jre
# UTF-8 names: Java reads file names in the locale's encoding
ENV LANG=C.UTF-8 \
    LOCAL_STORAGE_ROOT=/data \
    CLEANER_ROUTES_DIR=/opt/datapilot-cleaner/routes
RUN groupadd --system --gid 10001 cleaner \
 && useradd --system --uid 10001 --gid cleaner --home-dir /opt/datapilot-cleaner --shell /usr/sbin/nologin cleaner
WORKDIR /opt/datapilot-cleaner
COPY --from=build /src/target/datapilot-cleaner.jar datapilot-cleaner.jar
COPY routes routes
# the class-data archive of this jar on this JVM (a training dry run on an empty folder): half the start;
# for an image that cleans a bucket: docker build --build-arg CLASS_ARCHIVE_STORES=bucket (or both)
ARG CLASS_ARCHIVE_STORES=folder
COPY deploy/class-archive.sh /tmp/class-archive.sh
RUN /tmp/class-archive.sh /opt/datapilot-cleaner/datapilot-cleaner.jar /opt/datapilot-cleaner/datapilot-cleaner.jsa "$CLASS_ARCHIVE_STORES" \
    || echo "no class-data archive: the cleaner starts without it"; rm -f /tmp/class-archive.sh
USER 10001:10001
# /observe/health, /observe/health/live, /observe/health/ready, /observe/metrics
EXPOSE 9876
# a batch of seconds on few cores: the quick compiler only, the serial collector, a small first
# heap and at most half the container's memory limit for the heap (the rest: classes, threads)
# (one line: deploy/image/build.sh reads it; a missing archive is skipped by Java, silently)
ENTRYPOINT ["java", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xms16m", "-XX:MaxRAMPercentage=50", "-XX:SharedArchiveFile=/opt/datapilot-cleaner/datapilot-cleaner.jsa", "-XX:+ExitOnOutOfMemoryError", "-jar", "/opt/datapilot-cleaner/datapilot-cleaner.jar"]
CMD ["daemon"]
