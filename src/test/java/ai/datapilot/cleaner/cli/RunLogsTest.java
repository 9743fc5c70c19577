package ai.datapilot.cleaner.cli;

import static ai.datapilot.cleaner.testing.CleanerRuns.env;
import static ai.datapilot.cleaner.testing.RedisForTests.job;
import static ai.datapilot.cleaner.testing.StorageTree.old;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.datapilot.cleaner.testing.CleanerRuns.Result;
import ai.datapilot.cleaner.testing.RedisForTests;
import ai.datapilot.cleaner.testing.StorageTree;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.MDC;

/**
 * Whole runs with CLEANER_LOG_FORMAT=json, read back line by line as a log collector reads them:
 * the run id on every line of the run whatever thread wrote it, the run's end carrying its summary,
 * levels that match the exit code, and refusals and secrets as in the text format.
 */
class RunLogsTest {

    static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static RedisForTests redis = new RedisForTests();

    @TempDir
    Path tmp;

    StorageTree tree;

    @BeforeEach
    void storage() throws IOException {
        tree = new StorageTree(Files.createDirectory(tmp.resolve("storage")));
    }

    @AfterEach
    void backToText() {
        Logging.apply("INFO", LogFormatFilter.TEXT);
    }

    record Logged(Result result, List<JsonNode> events) {

        List<JsonNode> at(String level) {
            return events.stream().filter(e -> e.get("level").asText().equals(level)).toList();
        }
    }

    private Logged run(Map<String, String> env) {
        JsonLogLinesTest.Captured captured = JsonLogLinesTest.runCapturingStderr(env);
        List<JsonNode> events = new ArrayList<>();
        for (String line : captured.stderr().lines().toList()) {
            try {
                events.add(JSON.readTree(line));
            } catch (IOException e) {
                throw new AssertionError("not a JSON line: " + line, e);
            }
        }
        return new Logged(captured.result(), events);
    }

    private Map<String, String> jsonEnv(String... overrides) {
        Map<String, String> env = env(tree.root(), redis.url(), overrides);
        env.put("CLEANER_LOG_FORMAT", "json");
        return env;
    }

    @Test
    void everyLineOfARunCarriesItsIdWhateverThreadWroteItAndNoneAfterIt() throws IOException {
        tree.file("uploads/job_1/data.csv", old());
        tree.file("results/job_2/out.json", old());
        for (int i = 0; i < 20; i++) {
            redis.setJob("job:old-" + i, job("old-" + i, old()));
        }
        Map<String, String> env = jsonEnv("CLEANER_DRY_RUN", "false", "CLEANER_LOG_LEVEL", "DEBUG");

        Logged first = run(env);
        assertThat(MDC.get("runId")).as("the caller's thread after the run").isNull();
        tree.file("uploads/job_3/data.csv", old());
        Logged second = run(env);

        for (Logged logged : List.of(first, second)) {
            String runId = logged.result().summary().get("runId").asText();
            List<JsonNode> events = logged.events();
            int start = indexOf(events, "Run " + runId + " started");
            int end = indexOf(events, "Run " + runId + " ended");
            assertThat(start).isNotNegative().isLessThan(end);
            List<JsonNode> during = events.subList(start, end + 1);
            assertThat(during).allSatisfy(e -> assertThat(e.path("runId").asText()).as(e.toString()).isEqualTo(runId));
            assertThat(events.subList(0, start)).noneMatch(e -> e.has("runId"));
            Set<String> threads = during.stream().map(e -> e.get("thread_name").asText()).collect(Collectors.toSet());
            assertThat(threads).as("the caller's thread and the multicast's").hasSizeGreaterThan(1);
            // the end of the run carries the summary line's own object, field for field
            assertThat(events.get(end).get("summary")).isEqualTo(logged.result().summary());
        }
        String firstId = first.result().summary().get("runId").asText();
        assertThat(second.events()).noneMatch(e -> e.toString().contains(firstId));
        assertThat(first.at("ERROR")).isEmpty();
        assertThat(first.at("WARN")).isEmpty();
    }

    @Test
    void aScanFailureThatEndsInExitOneIsAnErrorAndARetryAWarning() throws Exception {
        Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere/results"));
        Files.createDirectories(tree.path("uploads"));
        Files.createSymbolicLink(tree.path("results"), elsewhere);
        Path stuck = tree.file("uploads/job_stuck/data.csv", old());
        assumeTrue(chattr("+i", stuck), "chattr +i is not available on this file system");
        Logged logged;
        try {
            logged = run(jsonEnv("CLEANER_DRY_RUN", "false", "CLEANER_DELETE_RETRIES", "1"));
        } finally {
            chattr("-i", stuck);
        }

        assertThat(logged.result().exitCode()).isEqualTo(1);
        assertThat(logged.result().errorTypes()).contains("blob_scan_failed", "blob_deletion_failed");
        assertThat(messages(logged.at("ERROR"))).anyMatch(m -> m.startsWith("blob_scan_failed: ") && m.contains("symbolic link"))
                .anyMatch(m -> m.startsWith("Giving up on blob uploads/job_stuck/data.csv after retries"));
        // the retry before giving up is a warning (Camel's redelivery log), not an error
        assertThat(messages(logged.at("WARN"))).anyMatch(m -> m.contains("On delivery attempt: 0"))
                .noneMatch(m -> m.contains("blob_scan_failed"));
        assertThat(logged.at("ERROR")).allSatisfy(e -> assertThat(e.has("runId")).isTrue());
        // the prefix's failure is told from the cleaner's own walker thread, with the run id carried over
        assertThat(logged.at("ERROR")).filteredOn(e -> e.get("message").asText().startsWith("blob_scan_failed: "))
                .extracting(e -> e.get("thread_name").asText()).containsOnly("cleaner-blob-walk");
    }

    @Test
    void refusedSettingsAreJsonErrorsAndASecretIsNeverInThem() {
        String secret = "hunter2-S3CR3T";
        Logged logged = run(jsonEnv("JOB_TTL_HOURS", "0", "REDIS_URL", "redis://127.0.0.1:1/0?password=" + secret));

        assertThat(logged.result().exitCode()).isEqualTo(2);
        assertThat(logged.events().toString()).doesNotContain(secret);
        assertThat(messages(logged.at("ERROR"))).anyMatch(m -> m.startsWith("CONFIG_REFUSED JOB_TTL_HOURS=\"0\" refused: "))
                .anyMatch(m -> m.startsWith("CONFIG_REFUSED REDIS_URL=\"redis://127.0.0.1:1/0?***\" refused: "));
    }

    @Test
    void anUnknownFormatIsRefusedInTextNamingTheVariableTheValueAndTheFix() throws IOException {
        Map<String, String> env = env(tree.root(), redis.url(), "CLEANER_LOG_FORMAT", "yaml");
        JsonLogLinesTest.Captured captured = JsonLogLinesTest.runCapturingStderr(env);

        assertThat(captured.result().exitCode()).isEqualTo(2);
        assertThat(captured.stderr()).doesNotStartWith("{")
                .contains("CONFIG_REFUSED CLEANER_LOG_FORMAT=\"yaml\" refused: unknown log format; fix: set CLEANER_LOG_FORMAT to text or json");
    }

    private static int indexOf(List<JsonNode> events, String messageStart) {
        for (int i = 0; i < events.size(); i++) {
            if (events.get(i).get("message").asText().startsWith(messageStart)) {
                return i;
            }
        }
        return -1;
    }

    private static List<String> messages(List<JsonNode> events) {
        return events.stream().map(e -> e.get("message").asText()).toList();
    }

    private static boolean chattr(String flag, Path file) throws Exception {
        Process p = new ProcessBuilder("chattr", flag, file.toString()).redirectErrorStream(true).start();
        return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
    }
}
