package ai.datapilot.cleaner.audit;

import static ai.datapilot.cleaner.testing.CleanerRuns.env;
import static ai.datapilot.cleaner.testing.RedisForTests.job;
import static ai.datapilot.cleaner.testing.StorageTree.old;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.datapilot.cleaner.cli.RunOnce;
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
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The jq recipes of docs/operations.md ("Reading audit records with jq"), taken from the document
 * as written and run with the real jq over the audit records of real runs: a run ten days ago with
 * an error, real and dry runs today, one with an error. Each output is checked against the records
 * read here, so the document cannot drift from the record.
 */
class AuditJqRecipesTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final Path JQ = Path.of("/usr/bin/jq");
    static final Pattern RECIPE = Pattern.compile("<!-- jq-recipe: (\\S+) -->\\n```bash\\n(.*?)\\n```", Pattern.DOTALL);
    static final String REDIS_DOWN = "redis://127.0.0.1:1/0";

    @RegisterExtension
    static RedisForTests redis = new RedisForTests();

    @TempDir
    Path tmp;

    @Test
    void everyRecipeGivesWhatTheRecordsSay() throws Exception {
        assumeTrue(Files.isExecutable(JQ), "jq is not installed (/usr/bin/jq): the jq recipes of docs/operations.md are NOT checked");
        Map<String, String> recipes = recipes();
        assertThat(recipes).containsOnlyKeys("deleted-per-day", "errors-last-week", "biggest-deleted", "kept-by-rule",
                "bytes-freed-per-run");

        StorageTree tree = new StorageTree(Files.createDirectory(tmp.resolve("storage")));
        Path rules = Files.writeString(tmp.resolve("rules.yaml"), "keep:\n  - name: legal-hold\n    match: \"uploads/legal-hold/**\"\n");
        // ten days ago, Redis down: an error that is not of the last week, and a day of its own
        Instant tenDaysAgo = Instant.now().minus(Duration.ofDays(10));
        file(tree, "uploads/job_ancient/data.bin", 300, tenDaysAgo.minus(Duration.ofDays(2)));
        run(env(tree.root(), REDIS_DOWN, "CLEANER_DRY_RUN", "false", "CLEANER_REDIS_TIMEOUT_MS", "200"),
                Clock.offset(Clock.systemUTC(), Duration.ofDays(-10)));
        // today: a real run, a dry run, and a real run with Redis down
        file(tree, "uploads/legal-hold/contract.pdf", 1234, old());
        file(tree, "uploads/job_1/small.csv", 100, old());
        file(tree, "uploads/job_2/medium.csv", 5000, old());
        file(tree, "results/job_3.json", 70_000, old());
        redis.setJob("job:job_1", job("job_1", old()));
        run(withRules(env(tree.root(), redis.url(), "CLEANER_DRY_RUN", "false"), rules), Clock.systemUTC());
        file(tree, "uploads/job_4/later.csv", 4000, old());
        run(withRules(env(tree.root(), redis.url()), rules), Clock.systemUTC());
        run(withRules(env(tree.root(), REDIS_DOWN, "CLEANER_DRY_RUN", "false", "CLEANER_REDIS_TIMEOUT_MS", "200"), rules),
                Clock.systemUTC());

        Path auditDir = tree.root().resolve("maintenance/cleaner_runs");
        List<JsonNode> records = new ArrayList<>();
        for (Path f : tree.auditFiles()) {
            records.add(JSON.readTree(Files.readString(f)));
        }
        assertThat(records).hasSize(4);
        assertThat(records.get(0).get("errors")).as("the old run has its error").isNotEmpty();
        assertThat(records.get(3).get("errors")).as("today's last run has its error").isNotEmpty();

        for (Map.Entry<String, String> recipe : recipes.entrySet()) {
            List<String> expected = expected(recipe.getKey(), records);
            assertThat(expected).as("the runs give " + recipe.getKey() + " something to show").isNotEmpty();
            assertThat(jq(recipe.getValue(), auditDir)).as(recipe.getKey() + ":\n" + recipe.getValue()).isEqualTo(expected);
        }
    }

    /** What each recipe must print, from the records as Jackson reads them. */
    private static List<String> expected(String recipe, List<JsonNode> records) {
        List<String> lines = new ArrayList<>();
        switch (recipe) {
            case "deleted-per-day" -> {
                Map<String, long[]> days = new TreeMap<>();
                for (JsonNode r : records) {
                    if (!r.get("dryRun").asBoolean()) {
                        long[] d = days.computeIfAbsent(r.get("startedAt").asText().substring(0, 10), k -> new long[3]);
                        d[0] += r.get("deletedBlobs").asLong();
                        d[1] += r.get("deletedKeys").asLong();
                        d[2] += r.at("/bytes/blob/deleted").asLong() + r.at("/bytes/redis/deleted").asLong();
                    }
                }
                assertThat(days).as("two days of real runs").hasSize(2);
                days.forEach((day, d) -> lines.add(tsv(day, d[0], d[1], d[2])));
            }
            case "errors-last-week" -> {
                Instant weekAgo = Instant.now().minus(Duration.ofDays(7));
                for (JsonNode r : records) {
                    if (Instant.parse(r.get("startedAt").asText()).isAfter(weekAgo)) {
                        r.get("errors").forEach(e -> lines.add(tsv(r.get("startedAt").asText(), r.get("runId").asText(),
                                e.get("type").asText(), e.get("message").asText())));
                    }
                }
            }
            case "biggest-deleted" -> {
                List<JsonNode> deleted = items(records, "deleted");
                deleted.sort(Comparator.comparingLong((JsonNode i) -> i.path("size").asLong(0)).reversed());
                deleted.stream().limit(20).forEach(i -> lines.add(tsv(i.get("size").isNull() ? "" : i.get("size").asLong(),
                        i.get("store").asText(), i.get("id").asText(), i.get("timestamp").asText())));
                assertThat(deleted).as("sizes differ, so the order is the sizes'").hasSizeGreaterThan(3);
            }
            case "kept-by-rule" -> {
                Map<String, long[]> rules = new TreeMap<>();
                for (JsonNode i : items(records, "kept")) {
                    long[] k = rules.computeIfAbsent(i.get("rule").asText(), x -> new long[2]);
                    k[0]++;
                    k[1] += i.path("size").asLong(0);
                }
                rules.forEach((rule, k) -> lines.add(tsv(rule, k[0], k[1])));
            }
            case "bytes-freed-per-run" -> records.forEach(r -> lines.add(tsv(r.get("startedAt").asText(), r.get("runId").asText(),
                    r.get("status").asText(), r.get("dryRun").asBoolean(), r.at("/bytes/blob/deleted").asLong(),
                    r.at("/bytes/redis/deleted").asLong())));
            default -> throw new AssertionError("no expectation for recipe " + recipe);
        }
        return lines;
    }

    private static List<JsonNode> items(List<JsonNode> records, String outcome) {
        List<JsonNode> found = new ArrayList<>();
        records.forEach(r -> r.get("items").forEach(i -> {
            if (i.get("outcome").asText().equals(outcome)) {
                found.add(i);
            }
        }));
        return found;
    }

    /** jq's @tsv: tab-separated, with \\, tab, CR and LF escaped. */
    private static String tsv(Object... values) {
        List<String> cells = new ArrayList<>();
        for (Object v : values) {
            cells.add(String.valueOf(v).replace("\\", "\\\\").replace("\t", "\\t").replace("\r", "\\r").replace("\n", "\\n"));
        }
        return String.join("\t", cells);
    }

    private static Map<String, String> recipes() throws IOException {
        Map<String, String> recipes = new LinkedHashMap<>();
        Matcher m = RECIPE.matcher(Files.readString(Path.of("docs/operations.md")));
        while (m.find()) {
            assertThat(recipes.put(m.group(1), m.group(2))).as("recipe " + m.group(1) + " twice").isNull();
        }
        return recipes;
    }

    private static List<String> jq(String command, Path dir) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", command).directory(dir.toFile());
        pb.environment().put("LC_ALL", "C");
        pb.environment().put("PATH", JQ.getParent() + ":" + pb.environment().getOrDefault("PATH", "/usr/bin:/bin"));
        Path errors = Files.createTempFile(dir.getParent().getParent(), "jq", ".err");
        pb.redirectError(errors.toFile());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(command + "\n" + Files.readString(errors)).isZero();
        assertThat(Files.readString(errors)).as(command).isEmpty();
        return out.lines().toList();
    }

    private static void file(StorageTree tree, String relative, int size, Instant mtime) throws IOException {
        Path f = tree.file(relative, mtime);
        Files.write(f, new byte[size]);
        Files.setLastModifiedTime(f, FileTime.from(mtime));
    }

    private static Map<String, String> withRules(Map<String, String> env, Path rules) {
        env.put("CLEANER_RULES_FILE", rules.toString());
        return env;
    }

    private static void run(Map<String, String> env, Clock clock) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        RunOnce.execute(env, new PrintStream(out, true, StandardCharsets.UTF_8), clock);
        assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("STRUCTURED_SUMMARY: ");
    }
}
