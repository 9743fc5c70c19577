package ai.datapilot.cleaner.cli;

import static ai.datapilot.cleaner.testing.RedisForTests.job;
import static ai.datapilot.cleaner.testing.StorageTree.old;
import static ai.datapilot.cleaner.testing.StorageTree.recent;
import static org.assertj.core.api.Assertions.assertThat;

import ai.datapilot.cleaner.testing.CleanerProcess;
import ai.datapilot.cleaner.testing.RedisForTests;
import ai.datapilot.cleaner.testing.StorageTree;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The packaged jar, run as cron runs it: another working directory, settings in the environment. */
class PackagedJarIT {

    @RegisterExtension
    static RedisForTests redis = new RedisForTests();

    @TempDir
    Path tmp;

    record Run(int exitCode, String stdout, String stderr) {
    }

    private Run jar(Path workingDirectory, Map<String, String> env, String... args) throws Exception {
        CleanerProcess process = CleanerProcess.start(workingDirectory, tmp, env, args);
        int code = process.waitFor();
        return new Run(code, process.stdout(), process.stderr());
    }

    @Test
    void runOnceFromAnotherDirectoryUsesThePackagedRoutesAndCleans() throws Exception {
        StorageTree tree = new StorageTree(Files.createDirectory(tmp.resolve("storage")));
        tree.file("uploads/job_old/data.csv", old());
        tree.file("results/job_recent.json", recent());
        redis.setJob("job:job_old", job("job_old", old()));
        Path elsewhere = Files.createDirectory(tmp.resolve("cron-cwd"));

        Run run = jar(elsewhere, Map.of("LOCAL_STORAGE_ROOT", tree.root().toString(), "REDIS_URL", redis.url(),
                "CLEANER_DRY_RUN", "false"), "run-once");

        assertThat(run.exitCode()).as(run.stderr()).isZero();
        assertThat(run.stderr()).contains("Routes loaded from the copy packaged in the jar");
        assertThat(run.stdout().lines().filter(l -> l.startsWith("STRUCTURED_SUMMARY: {"))).hasSize(1);
        assertThat(tree.exists("uploads/job_old/data.csv")).isFalse();
        assertThat(tree.exists("results/job_recent.json")).isTrue();
        assertThat(redis.exists("job:job_old")).isFalse();
        assertThat(tree.auditFiles()).hasSize(1);
    }

    @Test
    void aRefusedSettingExitsTwo() throws Exception {
        StorageTree tree = new StorageTree(Files.createDirectory(tmp.resolve("storage")));

        Run run = jar(tmp, Map.of("LOCAL_STORAGE_ROOT", tree.root().toString(), "CLEANER_DRY_RUN", "flase"), "run-once");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.stderr()).contains("CONFIG_REFUSED CLEANER_DRY_RUN=\"flase\" refused");
    }

    @Test
    void helpAndDemoWorkOnAFreshMachine() throws Exception {
        Run help = jar(tmp, Map.of(), "--help");
        assertThat(help.exitCode()).isZero();
        assertThat(help.stdout()).contains("run-once").contains("JOB_TTL_HOURS");

        Run demo = jar(tmp, Map.of(), "demo");
        assertThat(demo.exitCode()).as(demo.stderr()).isZero();
        assertThat(demo.stdout().lines().filter(l -> l.startsWith("STRUCTURED_SUMMARY: "))).hasSize(2);
        assertThat(demo.stdout()).contains("\"dryRun\":true,\"deletedBlobs\":3,\"deletedKeys\":2")
                .contains("\"dryRun\":false,\"deletedBlobs\":3,\"deletedKeys\":2")
                .contains("demo: removed");
    }
}
