package ai.datapilot.cleaner.cli;

import static ai.datapilot.cleaner.testing.RedisForTests.job;
import static ai.datapilot.cleaner.testing.StorageTree.old;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.datapilot.cleaner.testing.CleanerProcess;
import ai.datapilot.cleaner.testing.RedisForTests;
import ai.datapilot.cleaner.testing.StorageTree;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** A cleaner killed with SIGKILL mid-delete, and one running without root's powers. */
class CrashAndPermissionsIT {

    @RegisterExtension
    static RedisForTests redis = new RedisForTests();

    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @Test
    void killedMidDeleteNothingBeyondTheCapIsGoneAndTheNextRunFinishes() throws Exception {
        StorageTree tree = new StorageTree(Files.createDirectory(tmp.resolve("storage")));
        for (int i = 0; i < 16; i++) {
            tree.file(String.format("uploads/job_%02d/data.csv", i), old().minus(Duration.ofMinutes(100 - i)));
        }
        Map<String, String> env = Map.of("LOCAL_STORAGE_ROOT", tree.root().toString(), "REDIS_URL", redis.url(),
                "CLEANER_DRY_RUN", "false", "CLEANER_MAX_DELETE_BATCH", "10", "CLEANER_DELETES_PER_SECOND", "4",
                "CLEANER_LEASE_TTL_SECONDS", "5");
        CleanerProcess p = CleanerProcess.start(tmp, tmp, env, "run-once");
        assertThat(p.awaitLog("DESTRUCTIVE", 30_000)).isTrue();
        Thread.sleep(1200);

        ProcessHandle.of(p.pid()).ifPresent(ProcessHandle::destroyForcibly); // SIGKILL: no hook runs
        p.waitFor();

        long left = countFiles(tree.root().resolve("uploads"));
        assertThat(16 - left).as("deleted before the kill").isBetween(1L, 10L);
        // the cap goes to the oldest: every file still there is younger than every file removed
        for (int i = 0; i < 16 - left; i++) {
            assertThat(tree.exists(String.format("uploads/job_%02d/data.csv", i))).isFalse();
        }
        try (Stream<Path> audits = Files.list(Files.createDirectories(tree.root().resolve("maintenance/cleaner_runs")))) {
            for (Path audit : audits.filter(a -> a.getFileName().toString().startsWith("cleaner_")).toList()) {
                JSON.readTree(audit.toFile()); // never half a record
            }
        }

        Thread.sleep(5500); // the killed run's lease expires by itself
        CleanerProcess next = CleanerProcess.start(tmp, tmp, Map.of("LOCAL_STORAGE_ROOT", tree.root().toString(),
                "REDIS_URL", redis.url(), "CLEANER_DRY_RUN", "false", "CLEANER_DELETES_PER_SECOND", "0"), "run-once");
        assertThat(next.waitFor()).as(next.stderr()).isZero();
        assertThat(countFiles(tree.root().resolve("uploads"))).isZero();
    }

    @Test
    void aFolderItCannotReadIsAnErrorAndTheRestIsCleaned() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "setpriv is needed to drop root");
        // the whole path must be passable by an unprivileged user
        Path shared = Files.createDirectory(tmp.resolve("shared"));
        for (Path p = shared; p != null && !p.equals(p.getRoot()); p = p.getParent()) {
            if (p.startsWith(tmp)) {
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
        }
        assumeTrue(new ProcessBuilder("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "test", "-x", shared.toString())
                .start().waitFor() == 0, "an unprivileged user cannot reach the temp folder");
        StorageTree tree = new StorageTree(Files.createDirectory(shared.resolve("storage")));
        tree.file("uploads/job_open/data.csv", old());
        tree.file("uploads/job_closed/data.csv", old());
        tree.file("results/job_open.json", old());
        redis.setJob("job:job_open", job("job_open", old()));
        chownTree(tree.root(), "65534:65534");
        Files.setPosixFilePermissions(tree.path("uploads/job_closed"), PosixFilePermissions.fromString("---------"));

        ProcessBuilder builder = new ProcessBuilder(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", System.getProperty("cleaner.jar"), "run-once"))
                .directory(shared.toFile());
        builder.environment().putAll(Map.of("LOCAL_STORAGE_ROOT", tree.root().toString(), "REDIS_URL", redis.url(),
                "CLEANER_DRY_RUN", "false", "CLEANER_DELETES_PER_SECOND", "0", "HOME", shared.toString()));
        Path out = shared.resolve("out.txt");
        builder.redirectOutput(out.toFile()).redirectError(shared.resolve("err.txt").toFile());
        int code = builder.start().waitFor();

        String stdout = Files.readString(out);
        assertThat(code).as(Files.readString(shared.resolve("err.txt"))).isEqualTo(1);
        String summary = stdout.lines().filter(l -> l.startsWith("STRUCTURED_SUMMARY: ")).findFirst().orElseThrow();
        JsonNode s = JSON.readTree(summary.substring("STRUCTURED_SUMMARY: ".length()));
        assertThat(s.get("errors").get(0).get("type").asText()).isEqualTo("blob_scan_failed");
        assertThat(s.get("errors").get(0).get("path").asText()).isEqualTo("uploads/job_closed");
        assertThat(s.get("deletedBlobs").asInt()).isEqualTo(2);
        assertThat(s.get("deletedKeys").asInt()).isEqualTo(1);
        Files.setPosixFilePermissions(tree.path("uploads/job_closed"), PosixFilePermissions.fromString("rwx------"));
        assertThat(tree.exists("uploads/job_closed/data.csv")).isTrue();
    }

    private static long countFiles(Path dir) throws Exception {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).count();
        }
    }

    private static void chownTree(Path root, String owner) throws Exception {
        assertThat(new ProcessBuilder("chown", "-R", owner, root.toString()).start().waitFor()).isZero();
    }
}
