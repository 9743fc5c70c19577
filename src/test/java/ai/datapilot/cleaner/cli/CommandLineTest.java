package ai.datapilot.cleaner.cli;

import static ai.datapilot.cleaner.testing.CleanerRuns.env;
import static ai.datapilot.cleaner.testing.RedisForTests.job;
import static ai.datapilot.cleaner.testing.StorageTree.old;
import static org.assertj.core.api.Assertions.assertThat;

import ai.datapilot.cleaner.testing.RedisForTests;
import ai.datapilot.cleaner.testing.StorageTree;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Arguments are honoured or refused, never ignored: an ignored "--dry-run" once let a run delete. */
class CommandLineTest {

    @RegisterExtension
    static RedisForTests redis = new RedisForTests();

    @TempDir
    Path tmp;

    StorageTree tree;
    Map<String, String> destructive;

    record Output(int code, String stdout, String stderr) {
    }

    @BeforeEach
    void data() throws IOException {
        tree = new StorageTree(Files.createDirectory(tmp.resolve("storage")));
        tree.file("uploads/job_old/data.csv", old());
        tree.file("results/job_old.json", old());
        redis.setJob("job:job_old", job("job_old", old()));
        destructive = env(tree.root(), redis.url(), "CLEANER_DRY_RUN", "false");
    }

    private static Output command(Map<String, String> env, String... args) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = CleanerCommand.execute(args, env, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Output(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private void nothingWasTouched() throws IOException {
        assertThat(tree.exists("uploads/job_old/data.csv")).isTrue();
        assertThat(tree.exists("results/job_old.json")).isTrue();
        assertThat(redis.exists("job:job_old")).isTrue();
    }

    @Test
    void dryRunOnTheCommandLineWinsOverCleanerDryRunFalse() throws Exception {
        Output o = command(destructive, "run-once", "--dry-run");

        assertThat(o.code()).isZero();
        nothingWasTouched();
        String line = o.stdout().lines().filter(l -> l.startsWith("STRUCTURED_SUMMARY: ")).findFirst().orElseThrow();
        JsonNode summary = new ObjectMapper().readTree(line.substring("STRUCTURED_SUMMARY: ".length()));
        assertThat(summary.get("dryRun").asBoolean()).isTrue();
        assertThat(summary.get("deletedBlobs").asInt()).isEqualTo(2); // what would be deleted
        assertThat(tree.auditFiles()).hasSize(1);
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"run-once, --help", "run-once, -h", "daemon, --help", "health, --help", "demo, --help", "run-once, --dry-run --help"})
    void helpAfterACommandPrintsTheUsageAndRunsNothing(String command, String options) throws Exception {
        String[] args = (command + " " + options).split(" ");

        Output o = command(destructive, args);

        assertThat(o.code()).isZero();
        assertThat(o.stdout()).contains("Usage: java -jar datapilot-cleaner.jar");
        assertThat(o.stdout().lines()).noneMatch(l -> l.startsWith("STRUCTURED_SUMMARY"));
        nothingWasTouched();
        assertThat(tree.auditFiles()).isEmpty();
    }

    @ParameterizedTest(name = "{0} [{1}]")
    @CsvSource({"run-once, --dryrun", "run-once, dry-run", "run-once, --dry-run=true", "run-once, --force", "run-once, ''",
        "daemon, --once", "health, --dry-run", "demo, --kep"})
    void anUnknownArgumentIsRefusedWithExitTwoAndNothingRuns(String command, String argument) throws Exception {
        Output o = command(destructive, command, argument);

        assertThat(o.code()).isEqualTo(2);
        assertThat(o.stderr()).contains("Unknown argument for " + command + ": \"" + argument + "\"").contains("nothing was run");
        assertThat(o.stdout().lines()).noneMatch(l -> l.startsWith("STRUCTURED_SUMMARY"));
        nothingWasTouched();
        assertThat(tree.auditFiles()).isEmpty();
    }

    @Test
    void anArgumentWithControlCharactersIsShownEscaped() throws Exception {
        Output o = command(destructive, "run-once", "--x\nSTRUCTURED_SUMMARY: {}");

        assertThat(o.code()).isEqualTo(2);
        assertThat(o.stderr().lines()).noneMatch(l -> l.startsWith("STRUCTURED_SUMMARY"));
        assertThat(o.stderr()).contains("--x\\nSTRUCTURED_SUMMARY: {}");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"--version", "version", "run-once --version", "daemon --version"})
    void versionPrintsTheProjectVersionAndRunsNothing(String args) throws Exception {
        Output o = command(destructive, args.split(" "));

        assertThat(o.code()).isZero();
        assertThat(o.stdout().strip()).matches("datapilot-cleaner [0-9]+\\.[0-9]+\\.[0-9]+(-SNAPSHOT)?");
        assertThat(o.stdout().strip()).isEqualTo("datapilot-cleaner " + CleanerCommand.version());
        nothingWasTouched();
    }
}
