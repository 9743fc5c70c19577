package ai.datapilot.cleaner.demo;

import ai.datapilot.cleaner.cli.RunOnce;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * {@code demo}: a first run on a machine with nothing set up. Lays out a sample storage tree and
 * job records in a private Redis, runs a dry run and a real run through the normal routes, shows
 * what happened, and removes everything it made (unless {@code --keep}).
 */
public final class Demo {

    private static final Duration TTL = Duration.ofHours(24);

    private Demo() {
    }

    public static int execute(List<String> options, PrintStream out, Clock clock) throws IOException {
        boolean keep = options.contains("--keep");
        Path root = Files.createTempDirectory("datapilot-cleaner-demo-");
        try (PrivateRedis redis = PrivateRedis.start()) {
            out.println("demo: storage root " + root);
            out.println("demo: private redis-server (" + redis.binary() + ") on 127.0.0.1:" + redis.port());
            Instant now = clock.instant();
            Instant old = now.minus(TTL).minus(Duration.ofHours(2));
            Instant recent = now.minus(TTL).plus(Duration.ofHours(2));
            file(root, "uploads/job_20251206_030000_0001/data.csv", "id,value\n1,42\n", old);
            file(root, "results/job_20251206_030000_0001.json", "{\"rows\":1}", old);
            file(root, "results/job_20251206_030000_0003_error.json", "{\"error\":\"bad csv\"}", old);
            file(root, "uploads/job_20251207_010000_0002/data.csv", "id,value\n2,7\n", recent);
            file(root, "results/job_20251207_010000_0002.json", "{\"rows\":1}", recent);
            redis.command("SET", "job:job_20251206_030000_0001",
                    "{\"jobId\":\"job_20251206_030000_0001\",\"status\":\"completed\",\"createdAt\":\"" + old + "\",\"updatedAt\":\"" + old + "\"}");
            redis.command("SET", "job:job_20251207_010000_0002",
                    "{\"jobId\":\"job_20251207_010000_0002\",\"status\":\"completed\",\"createdAt\":\"" + recent + "\"}");
            redis.command("HSET", "job:job_20251206_030000_0003", "status", "failed", "updatedAt", Long.toString(old.getEpochSecond()));
            redis.command("SET", "job:job_without_timestamps", "{\"jobId\":\"job_without_timestamps\",\"status\":\"queued\"}");
            out.println("demo: 5 files and 4 job records laid out; 3 files and 2 records are older than the 24 h TTL");

            Map<String, String> env = Map.of(
                    "LOCAL_STORAGE_ROOT", root.toString(),
                    "REDIS_URL", redis.url(),
                    "JOB_TTL_HOURS", "24");
            out.println();
            out.println("demo: 1) dry run (the default): reports, deletes nothing");
            int dry = RunOnce.execute(with(env, "CLEANER_DRY_RUN", "true"), out, clock);
            out.println("demo: dry run exit code " + dry);
            out.println();
            out.println("demo: 2) real run (CLEANER_DRY_RUN=false): deletes what the dry run listed");
            int real = RunOnce.execute(with(env, "CLEANER_DRY_RUN", "false"), out, clock);
            out.println("demo: real run exit code " + real);
            out.println();
            out.println("demo: files left under " + root + ":");
            try (Stream<Path> files = Files.walk(root)) {
                files.filter(Files::isRegularFile).map(p -> "  " + root.relativize(p)).sorted().forEach(out::println);
            }
            out.println("demo: audit files are in " + root.resolve("maintenance/cleaner_runs"));
            return dry == 0 && real == 0 ? 0 : 1;
        } finally {
            if (keep) {
                out.println("demo: kept " + root + " (--keep)");
            } else {
                deleteTree(root);
                out.println("demo: removed " + root + " and stopped the private redis-server");
            }
        }
    }

    private static Map<String, String> with(Map<String, String> env, String key, String value) {
        Map<String, String> copy = new java.util.HashMap<>(env);
        copy.put(key, value);
        return copy;
    }

    private static void file(Path root, String relative, String content, Instant mtime) throws IOException {
        Path path = root.resolve(relative);
        Files.createDirectories(path.getParent());
        Files.writeString(path, content);
        Files.setLastModifiedTime(path, FileTime.from(mtime));
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
