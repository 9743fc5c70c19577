package ai.datapilot.cleaner.rules;

import static org.assertj.core.api.Assertions.assertThat;

import ai.datapilot.cleaner.testing.CleanerRuns;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Each file of routes/examples, loaded as an operator uses it (CLEANER_RULES_FILE, or a route
 * file in the routes folder) and run by run-once against real stores; the subclasses supply
 * the stores: a folder and one Redis, a bucket and a Redis Cluster.
 */
abstract class ExampleRulesCases {

    static final Path EXAMPLES = Path.of("routes", "examples");
    static final Instant NOW = Instant.now();

    @TempDir
    Path tmp;

    abstract Map<String, String> storeEnv() throws Exception;

    abstract void putBlob(String id, String content, Instant modified) throws Exception;

    abstract boolean blobExists(String id) throws Exception;

    abstract void setString(String key, String value);

    abstract void setHash(String key, Map<String, String> fields);

    abstract boolean keyExists(String key);

    static Instant daysAgo(double days) {
        return NOW.minus(Duration.ofMinutes(Math.round(days * 24 * 60)));
    }

    CleanerRuns.Result run(String... overrides) throws Exception {
        Map<String, String> env = new HashMap<>(storeEnv());
        env.put("CLEANER_DRY_RUN", "false");
        env.put("CLEANER_DELETES_PER_SECOND", "0");
        env.put("JOB_TTL_HOURS", "24");
        for (int i = 0; i < overrides.length; i += 2) {
            env.put(overrides[i], overrides[i + 1]);
        }
        return runWith(env);
    }

    CleanerRuns.Result runWith(Map<String, String> env) throws Exception {
        return CleanerRuns.run(env);
    }

    static JsonNode item(CleanerRuns.Result result, String id) {
        for (JsonNode item : result.audit().get("items")) {
            if (item.get("id").asText().equals(id)) {
                return item;
            }
        }
        throw new AssertionError(id + " is not in the audit's items: " + result.audit().get("items"));
    }

    static String example(String name) {
        return EXAMPLES.resolve(name).toAbsolutePath().toString();
    }

    @Test
    void legalHoldKeepsEverythingUnderItWhateverItsAge() throws Exception {
        putBlob("uploads/legal-hold/job_1/contract.pdf", "x".repeat(100), daysAgo(400));
        putBlob("uploads/job_2/input.csv", "y".repeat(50), daysAgo(10));

        CleanerRuns.Result result = run("CLEANER_RULES_FILE", example("legal-hold.rules.yaml"));

        assertThat(result.exitCode()).as(result.stdout()).isZero();
        assertThat(blobExists("uploads/legal-hold/job_1/contract.pdf")).isTrue();
        assertThat(blobExists("uploads/job_2/input.csv")).isFalse();
        JsonNode kept = item(result, "uploads/legal-hold/job_1/contract.pdf");
        assertThat(kept.get("outcome").asText()).isEqualTo("kept");
        assertThat(kept.get("rule").asText()).isEqualTo("legal-hold");
        assertThat(kept.get("size").asLong()).isEqualTo(100);
        JsonNode deleted = item(result, "uploads/job_2/input.csv");
        assertThat(deleted.get("outcome").asText()).isEqualTo("deleted");
        assertThat(deleted.get("size").asLong()).isEqualTo(50);
        assertThat(result.summary().get("keptBlobs").asLong()).isEqualTo(1);
        assertThat(result.summary().get("bytes").get("blob").get("deleted").asLong()).isEqualTo(50);
        assertThat(result.summary().get("bytes").get("blob").get("kept").asLong()).isEqualTo(100);
        assertThat(result.summary().get("deletedBytes").asLong()).isEqualTo(50);
        assertThat(result.audit().get("rules").get("keep").get(0).get("match").asText()).isEqualTo("uploads/legal-hold/**");
    }

    @Test
    void jobsInFlightAreNeverCleanedAndAnUnreadableStatusKeepsTheRecord() throws Exception {
        String old = daysAgo(10).toString();
        setString("job:running", "{\"status\":\"running\",\"updatedAt\":\"" + old + "\"}");
        setString("job:done", "{\"status\":\"completed\",\"updatedAt\":\"" + old + "\"}");
        setHash("job:queued", Map.of("status", "queued", "updatedAt", old));
        setHash("job:finished", Map.of("status", "completed", "updatedAt", old));
        // a status larger than the field cap is never read: the record is kept, not guessed about
        setHash("job:huge-status", Map.of("status", "r".repeat(5000), "updatedAt", old));

        CleanerRuns.Result result = run("CLEANER_RULES_FILE", example("in-flight-jobs.rules.yaml"));

        assertThat(result.exitCode()).as(result.stdout()).isZero();
        assertThat(keyExists("job:running")).isTrue();
        assertThat(keyExists("job:queued")).isTrue();
        assertThat(keyExists("job:huge-status")).isTrue();
        assertThat(keyExists("job:done")).isFalse();
        assertThat(keyExists("job:finished")).isFalse();
        assertThat(result.itemIds("kept")).containsExactlyInAnyOrder("job:running", "job:queued", "job:huge-status");
        assertThat(item(result, "job:queued").get("rule").asText()).isEqualTo("in-flight-jobs");
        assertThat(item(result, "job:huge-status").get("reason").asText()).contains("could not be read");
        assertThat(result.summary().get("keptKeys").asLong()).isEqualTo(3);
        // a string record's size is its length; a hash's, its field names and values
        String done = "{\"status\":\"completed\",\"updatedAt\":\"" + old + "\"}";
        assertThat(item(result, "job:done").get("size").asLong()).isEqualTo(done.length());
        assertThat(item(result, "job:finished").get("size").asLong())
                .isEqualTo("status".length() + "completed".length() + "updatedAt".length() + old.length());
    }

    @Test
    void retentionPerPrefixFirstMatchWins() throws Exception {
        putBlob("results/job_1/report_error.json", "e", daysAgo(10));
        putBlob("results/job_1/report.json", "r", daysAgo(10));
        putBlob("results/job_2/report.json", "r", daysAgo(3));
        putBlob("uploads/job_3/input.csv", "u", daysAgo(2));
        putBlob("uploads/job_4/input.csv", "u", daysAgo(0.5));

        // the default rule alone would keep all of them for 2000 hours
        CleanerRuns.Result result = run("CLEANER_RULES_FILE", example("per-prefix-ttl.rules.yaml"), "JOB_TTL_HOURS", "2000");

        assertThat(result.exitCode()).as(result.stdout()).isZero();
        assertThat(blobExists("results/job_1/report_error.json")).isTrue();
        assertThat(blobExists("results/job_1/report.json")).isFalse();
        assertThat(blobExists("results/job_2/report.json")).isTrue();
        assertThat(blobExists("uploads/job_3/input.csv")).isFalse();
        assertThat(blobExists("uploads/job_4/input.csv")).isTrue();
        assertThat(item(result, "results/job_1/report.json").get("rule").asText()).isEqualTo("results");
        assertThat(item(result, "uploads/job_3/input.csv").get("rule").asText()).isEqualTo("uploads");
        assertThat(result.audit().get("rules").get("retention")).hasSize(3);
    }

    @Test
    void aRuleBelowTheMinimumIsRefusedBeforeAnythingIsDeleted() throws Exception {
        putBlob("uploads/job_1/input.csv", "u", daysAgo(10));
        Path rules = tmp.resolve("too-short.rules.yaml");
        Files.writeString(rules, "retention:\n  - name: hasty\n    match: \"uploads/**\"\n    ttlHours: 0.5\n");

        CleanerRuns.Result result = run("CLEANER_RULES_FILE", rules.toString());

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(blobExists("uploads/job_1/input.csv")).isTrue();
        String message = result.summary().get("errors").get(0).get("message").asText();
        assertThat(message).contains("CLEANER_RULES_FILE", "hasty", "0.5", "MIN_TTL_HOURS", "fix:");
    }

    @Test
    void theNotificationStepSeesEveryBatchThatDeletedSomething() throws Exception {
        putBlob("uploads/job_1/input.csv", "abc", daysAgo(10));
        setString("job:old", "{\"status\":\"completed\",\"updatedAt\":\"" + daysAgo(10) + "\"}");
        setString("job:new", "{\"status\":\"completed\",\"updatedAt\":\"" + daysAgo(0.1) + "\"}");
        Path routes = Files.createDirectories(tmp.resolve("routes"));
        Files.copy(Path.of("routes", "cleaner.camel.yaml"), routes.resolve("cleaner.camel.yaml"));
        Files.copy(EXAMPLES.resolve("notify-deleted.camel.yaml"), routes.resolve("notify-deleted.camel.yaml"));
        Logger log = (Logger) LoggerFactory.getLogger("datapilot.cleaner.notifications");
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        log.addAppender(lines);
        try {
            CleanerRuns.Result dry = run("CLEANER_ROUTES_DIR", routes.toString(), "CLEANER_DRY_RUN", "true");
            assertThat(dry.exitCode()).as(dry.stdout()).isZero();
            assertThat(messages(lines)).containsExactlyInAnyOrder(
                    "would delete 1 blob item(s), 3 bytes, rule default: [uploads/job_1/input.csv]",
                    "would delete 1 redis item(s), " + keyLength("job:old") + " bytes, rule default: [job:old]");
            lines.list.clear();

            CleanerRuns.Result real = run("CLEANER_ROUTES_DIR", routes.toString());
            assertThat(real.exitCode()).as(real.stdout()).isZero();
            assertThat(messages(lines)).containsExactlyInAnyOrder(
                    "deleted 1 blob item(s), 3 bytes, rule default: [uploads/job_1/input.csv]",
                    "deleted 1 redis item(s), " + keyLength("job:old") + " bytes, rule default: [job:old]");
        } finally {
            log.detachAppender(lines);
        }
        assertThat(keyExists("job:new")).isTrue();
    }

    private long keyLength(String key) {
        return ("{\"status\":\"completed\",\"updatedAt\":\"" + daysAgo(10) + "\"}").length();
    }

    private static List<String> messages(ListAppender<ILoggingEvent> lines) {
        return lines.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }
}
