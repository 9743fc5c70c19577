package ai.datapilot.cleaner.cli;

import static ai.datapilot.cleaner.testing.RedisForTests.job;
import static ai.datapilot.cleaner.testing.StorageTree.old;
import static org.assertj.core.api.Assertions.assertThat;

import ai.datapilot.cleaner.testing.CleanerProcess;
import ai.datapilot.cleaner.testing.RedisForTests;
import ai.datapilot.cleaner.testing.StorageTree;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The packaged jar's command line: arguments honoured or refused, --version, schedules that never fire. */
class CommandLineIT {

    @RegisterExtension
    static RedisForTests redis = new RedisForTests();

    @TempDir
    Path tmp;

    StorageTree tree;
    Map<String, String> destructive;

    record Run(int exitCode, String stdout, String stderr) {
    }

    @BeforeEach
    void data() throws Exception {
        tree = new StorageTree(Files.createDirectory(tmp.resolve("storage")));
        tree.file("results/job_old.json", old());
        redis.setJob("job:job_old", job("job_old", old()));
        destructive = new HashMap<>(Map.of("LOCAL_STORAGE_ROOT", tree.root().toString(), "REDIS_URL", redis.url(),
                "CLEANER_DRY_RUN", "false"));
    }

    private Run jar(Map<String, String> env, String... args) throws Exception {
        CleanerProcess process = CleanerProcess.start(tmp, tmp, env, args);
        int code = process.waitFor();
        return new Run(code, process.stdout(), process.stderr());
    }

    @Test
    void versionComesFromTheBuild() throws Exception {
        Run run = jar(Map.of(), "--version");

        assertThat(run.exitCode()).as(run.stderr()).isZero();
        assertThat(run.stdout().strip()).isEqualTo("datapilot-cleaner " + CleanerCommand.version()).doesNotContain("unknown");
    }

    @Test
    void runOnceDryRunDeletesNothingWhateverCleanerDryRunSays() throws Exception {
        Run run = jar(destructive, "run-once", "--dry-run");

        assertThat(run.exitCode()).as(run.stderr()).isZero();
        assertThat(run.stdout()).contains("\"dryRun\":true");
        assertThat(tree.exists("results/job_old.json")).isTrue();
        assertThat(redis.exists("job:job_old")).isTrue();
    }

    @Test
    void runOnceHelpRunsNothingAndAnUnknownArgumentExitsTwo() throws Exception {
        Run help = jar(destructive, "run-once", "--help");
        Run unknown = jar(destructive, "run-once", "--dryrun");

        assertThat(help.exitCode()).isZero();
        assertThat(help.stdout()).contains("Usage:");
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.stderr()).contains("Unknown argument for run-once: \"--dryrun\"");
        assertThat(tree.exists("results/job_old.json")).isTrue();
        assertThat(redis.exists("job:job_old")).isTrue();
        assertThat(tree.auditFiles()).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"0 3 31 2 *", "*/0 * * * *"})
    void aScheduleThatNeverFiresOrStepsByZeroIsASettingRefusal(String schedule) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        destructive.put("CLEANER_CRON_SCHEDULE", schedule);
        destructive.put("CLEANER_MANAGEMENT_PORT", Integer.toString(port));

        Run daemon = jar(destructive, "daemon");

        assertThat(daemon.exitCode()).as(daemon.stderr()).isEqualTo(2);
        assertThat(daemon.stderr()).contains("CONFIG_REFUSED CLEANER_CRON_SCHEDULE=\"" + schedule + "\" refused: ")
                .contains("fix: set CLEANER_CRON_SCHEDULE to");
        assertThat(tree.exists("results/job_old.json")).isTrue();
    }
}
