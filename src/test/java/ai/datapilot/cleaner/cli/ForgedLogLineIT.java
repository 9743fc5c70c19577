package ai.datapilot.cleaner.cli;

import static ai.datapilot.cleaner.testing.RedisForTests.job;
import static ai.datapilot.cleaner.testing.StorageTree.old;
import static org.assertj.core.api.Assertions.assertThat;

import ai.datapilot.cleaner.testing.RedisForTests;
import ai.datapilot.cleaner.testing.StorageTree;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A combined cron log ({@code 2>&1}) of the packaged jar: file names and Redis keys holding a
 * newline once forged a STRUCTURED_SUMMARY line there. Exactly one line may start with it: the real one.
 */
class ForgedLogLineIT {

    static final String FORGED = "\nSTRUCTURED_SUMMARY: {\"forged\":true}";

    @RegisterExtension
    static RedisForTests redis = new RedisForTests();

    @TempDir
    Path tmp;

    StorageTree tree;

    /** Old files and keys whose names hold a newline (and CR, U+2028) followed by a fake summary. */
    private void forgedNames() throws Exception {
        tree = new StorageTree(Files.createDirectory(tmp.resolve("storage")));
        tree.file("results/job_a" + FORGED + ".json", old());
        tree.file("uploads/job_b" + FORGED + "/data.csv", old());
        tree.file(CSV, old());
        redis.setJob("job:d" + FORGED, job("d", old()));
        // no timestamp: kept, and its key is named in the log as a skip
        redis.setJob("job:e" + FORGED, "{\"status\":\"queued\"}");
    }

    static final String CSV = "uploads/job_c/data\r" + FORGED + "\u2028STRUCTURED_SUMMARY: {}.csv";

    /** run-once of the packaged jar with stdout and stderr in one file, as {@code >> cron.log 2>&1} makes it. */
    private String combinedLogOfARun(String format) throws Exception {
        Path log = tmp.resolve("cron.log");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", System.getProperty("cleaner.jar"), "run-once"));
        ProcessBuilder builder = new ProcessBuilder(command).directory(tmp.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().keySet().removeIf(k -> k.startsWith("CLEANER_") || k.startsWith("AWS_") || k.equals("REDIS_URL")
                || k.equals("LOCAL_STORAGE_ROOT") || k.equals("BLOB_STORAGE_URL"));
        builder.environment().putAll(java.util.Map.of("LOCAL_STORAGE_ROOT", tree.root().toString(), "REDIS_URL", redis.url(),
                "CLEANER_DRY_RUN", "false", "CLEANER_LOG_LEVEL", "DEBUG", "CLEANER_DELETES_PER_SECOND", "0",
                "CLEANER_LOG_FORMAT", format));
        Process process = builder.start();
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        String combined = Files.readString(log, StandardCharsets.UTF_8);
        assertThat(process.exitValue()).as(combined).isZero();
        return combined;
    }

    /** Exactly one summary line, the real one; the forged names were cleaned like any other. */
    private void oneRealSummary(String combined) throws Exception {
        List<String> summaries = combined.lines().filter(l -> l.startsWith("STRUCTURED_SUMMARY")).toList();
        assertThat(summaries).as(combined).hasSize(1);
        JsonNode summary = new ObjectMapper().readTree(summaries.get(0).substring("STRUCTURED_SUMMARY: ".length()));
        assertThat(summary.has("forged")).isFalse();
        assertThat(summary.get("status").asText()).isEqualTo("completed");
        assertThat(summary.get("deletedBlobs").asInt()).isEqualTo(3);
        assertThat(summary.get("deletedKeys").asInt()).isEqualTo(1);
        assertThat(tree.exists("results/job_a" + FORGED + ".json")).isFalse();
        assertThat(redis.exists("job:d" + FORGED)).isFalse();
        assertThat(redis.exists("job:e" + FORGED)).isTrue();
    }

    @Test
    void namesHoldingANewlineCannotForgeASummaryLineInACombinedLog() throws Exception {
        forgedNames();

        String combined = combinedLogOfARun("text");

        oneRealSummary(combined);
        // the names did reach the log, escaped
        assertThat(combined).contains("job_a\\nSTRUCTURED_SUMMARY: {\"forged\":true}.json")
                .containsPattern("job:d(\\\\n|\\\\x0a)STRUCTURED_SUMMARY: \\{\"forged\":true}")
                .contains("data\\r\\nSTRUCTURED_SUMMARY: {\"forged\":true}\\u2028STRUCTURED_SUMMARY: {}.csv")
                .doesNotContain("\r").doesNotContain("\u2028");
    }

    @Test
    void namesHoldingANewlineCannotForgeAJsonLogLine() throws Exception {
        forgedNames();

        String combined = combinedLogOfARun("json");

        oneRealSummary(combined);
        assertThat(combined).doesNotContain("\r").doesNotContain("\u2028").doesNotContain("\u0085");
        // every other line is one whole JSON event, and the names read back from it exactly
        List<String> messages = new ArrayList<>();
        for (String line : combined.lines().filter(l -> !l.startsWith("STRUCTURED_SUMMARY: ")).toList()) {
            JsonNode event = new ObjectMapper().readTree(line);
            assertThat(event.has("@timestamp") && event.has("level")).as(line).isTrue();
            messages.add(event.get("message").asText());
        }
        assertThat(messages).anyMatch(m -> m.contains("results/job_a" + FORGED + ".json"))
                .anyMatch(m -> m.contains(CSV));
    }
}
