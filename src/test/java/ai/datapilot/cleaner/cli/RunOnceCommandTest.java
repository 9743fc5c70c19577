package ai.datapilot.cleaner.cli;

import static ai.datapilot.cleaner.testing.CleanerRuns.env;
import static ai.datapilot.cleaner.testing.CleanerRuns.run;
import static ai.datapilot.cleaner.testing.RedisForTests.job;
import static ai.datapilot.cleaner.testing.StorageTree.old;
import static org.assertj.core.api.Assertions.assertThat;

import ai.datapilot.cleaner.testing.CleanerRuns.Result;
import ai.datapilot.cleaner.testing.RedisForTests;
import ai.datapilot.cleaner.testing.StorageTree;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The command line: refused settings, exit codes, help. */
class RunOnceCommandTest {

    @RegisterExtension
    static RedisForTests redis = new RedisForTests();

    @TempDir
    Path tmp;

    StorageTree tree;

    @BeforeEach
    void data() throws IOException {
        tree = new StorageTree(Files.createDirectory(tmp.resolve("storage")));
        tree.file("uploads/job_old/data.csv", old());
        tree.file("results/job_old.json", old());
        redis.setJob("job:job_old", job("job_old", old()));
    }

    @Test
    void aRefusedSettingExitsTwoDeletesNothingAndStillWritesTheAudit() throws IOException {
        Result refused = run(env(tree.root(), redis.url(), "CLEANER_DRY_RUN", "false", "JOB_TTL_HOURS", "0"));

        assertThat(refused.exitCode()).isEqualTo(2);
        assertThat(tree.exists("uploads/job_old/data.csv")).isTrue();
        assertThat(tree.exists("results/job_old.json")).isTrue();
        assertThat(redis.exists("job:job_old")).isTrue();
        assertThat(refused.errorTypes()).containsExactly("config_invalid");
        assertThat(refused.audit().get("status").asText()).isEqualTo("refused");
        assertThat(refused.audit().get("errors").get(0).get("variable").asText()).isEqualTo("JOB_TTL_HOURS");
        assertThat(refused.audit().get("errors").get(0).get("message").asText())
                .contains("TTL (0h) is less than minimum allowed (1h)");
        assertThat(refused.audit().get("completedAt").isNull()).isFalse();
        assertThat(tree.auditFiles()).hasSize(1);
    }

    @Test
    void everyRefusedSettingOfARunIsReportedAndNothingIsTouched() throws IOException {
        Result refused = run(env(tree.root(), redis.url(), "CLEANER_DRY_RUN", "flase",
                "BLOB_PATH_PREFIXES", "results/", "CLEANER_AUDIT_BLOB_PATH", "results/audit/"));

        assertThat(refused.exitCode()).isEqualTo(2);
        assertThat(refused.summary().get("errorCount").asInt()).isEqualTo(3);
        assertThat(refused.audit().get("dryRun").asBoolean()).isTrue();
        assertThat(tree.exists("results/job_old.json")).isTrue();
        // the audit went to the default folder, never into the refused one inside a prefix
        assertThat(tree.auditFiles()).hasSize(1);
        assertThat(tree.exists("results/audit")).isFalse();
    }

    @Test
    void aMissingStorageRootExitsTwoWithoutAnAudit() throws IOException {
        Result refused = run(env(tmp.resolve("no-such-root"), redis.url()));

        assertThat(refused.exitCode()).isEqualTo(2);
        assertThat(refused.audit()).isNull();
        assertThat(refused.summary().get("errors").get(0).get("message").asText())
                .contains("LOCAL_STORAGE_ROOT").contains("the folder does not exist").contains("fix:");
    }

    @Test
    void thePasswordOfRedisUrlIsNeverPrinted() throws IOException {
        Result result = run(env(tree.root(), "redis://cleaner:hunter2@127.0.0.1:1/0", "CLEANER_REDIS_TIMEOUT_MS", "300"));

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.stdout()).doesNotContain("hunter2");
        assertThat(Files.readString(Path.of(result.summary().get("auditFile").asText()))).doesNotContain("hunter2").contains("cleaner:***@");
    }

    @Test
    void helpListsCommandsAndEverySetting() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int code = CleanerCommand.execute(new String[] {"--help"}, Map.of(), new PrintStream(bytes, true, StandardCharsets.UTF_8), System.err);

        String help = bytes.toString(StandardCharsets.UTF_8);
        assertThat(code).isZero();
        assertThat(help).contains("run-once").contains("demo");
        for (String variable : new String[] {"LOCAL_STORAGE_ROOT", "REDIS_URL", "JOB_TTL_HOURS", "MIN_TTL_HOURS", "CLEANER_DRY_RUN",
                "CLEANER_LOG_LEVEL", "BLOB_PATH_PREFIXES", "CLEANER_AUDIT_BLOB_PATH", "CLEANER_MAX_DELETE_BATCH",
                "CLEANER_DELETES_PER_SECOND", "CLEANER_ROUTES_DIR"}) {
            assertThat(help).contains(variable);
        }
    }

    @Test
    void anUnknownCommandExitsTwo() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = CleanerCommand.execute(new String[] {"delete-everything"}, Map.of(), System.out, new PrintStream(err, true, StandardCharsets.UTF_8));

        assertThat(code).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("Unknown command: delete-everything");
    }

    @Test
    void routesComeFromTheConfiguredFolder(@TempDir Path routes) throws IOException {
        // an operator's edit: the same pipeline with an extra log step
        String yaml = Files.readString(Path.of("routes/cleaner.camel.yaml")).replace(
                "        - to:\n            uri: direct:cleanup-run",
                "        - log:\n            message: \"operator-edited routes in use\"\n        - to:\n            uri: direct:cleanup-run");
        assertThat(yaml).contains("operator-edited routes in use");
        Files.writeString(routes.resolve("cleaner.camel.yaml"), yaml);

        Result result = run(env(tree.root(), redis.url(), "CLEANER_ROUTES_DIR", routes.toString(), "CLEANER_DRY_RUN", "false"));

        assertThat(result.exitCode()).isZero();
        assertThat(tree.exists("results/job_old.json")).isFalse();
    }
}
