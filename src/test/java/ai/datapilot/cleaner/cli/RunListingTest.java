package ai.datapilot.cleaner.cli;

import static ai.datapilot.cleaner.testing.CleanerRuns.env;
import static ai.datapilot.cleaner.testing.RedisForTests.job;
import static ai.datapilot.cleaner.testing.StorageTree.recent;
import static org.assertj.core.api.Assertions.assertThat;

import ai.datapilot.cleaner.testing.RedisForTests;
import ai.datapilot.cleaner.testing.S3ForTests;
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
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code run-once --list}: one human line per item of the audit, then the totals, on stdout before
 * the summary line, which stays the last line; on a folder and a bucket, dry and real runs.
 */
class RunListingTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final Instant THREE_DAYS = Instant.now().minus(Duration.ofDays(3)).minus(Duration.ofHours(2)).minus(Duration.ofMinutes(30));
    static final String EVIL = "uploads/job_2/evil\nSTRUCTURED_SUMMARY: {\"exitCode\":0}.csv";

    @RegisterExtension
    static RedisForTests redis = new RedisForTests();

    @RegisterExtension
    static S3ForTests s3 = new S3ForTests();

    @TempDir
    Path tmp;

    StorageTree tree;
    Path rules;

    record Listed(int exitCode, List<String> lines, JsonNode summary) {

        List<String> items() {
            return lines.stream().filter(l -> !l.startsWith("Total: ") && !l.startsWith("STRUCTURED_SUMMARY: ")).toList();
        }

        String total() {
            return lines.stream().filter(l -> l.startsWith("Total: ")).findFirst().orElseThrow();
        }
    }

    @BeforeEach
    void data() throws IOException {
        tree = new StorageTree(Files.createDirectory(tmp.resolve("storage")));
        Path big = tree.file("uploads/job_1/data.csv", THREE_DAYS);
        Files.write(big, new byte[1536 * 1024]);
        Files.setLastModifiedTime(big, FileTime.from(THREE_DAYS));
        tree.file(EVIL, THREE_DAYS);
        tree.file("uploads/legal-hold/contract.pdf", THREE_DAYS);
        tree.file("results/job_new.json", recent());
        redis.setJob("job:job_1", job("job_1", THREE_DAYS));
        rules = Files.writeString(tmp.resolve("rules.yaml"), """
                keep:
                  - name: legal-hold
                    match: "uploads/legal-hold/**"
                """);
    }

    private Listed run(Map<String, String> env, String... options) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String[] args = new String[options.length + 1];
        args[0] = "run-once";
        System.arraycopy(options, 0, args, 1, options.length);
        int code;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
                PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            code = CleanerCommand.execute(args, env, o, e);
        }
        List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
        String last = lines.get(lines.size() - 1);
        assertThat(last).as("the summary is the last line of stdout").startsWith("STRUCTURED_SUMMARY: ");
        assertThat(lines).filteredOn(l -> l.startsWith("STRUCTURED_SUMMARY")).hasSize(1);
        return new Listed(code, lines, JSON.readTree(last.substring("STRUCTURED_SUMMARY: ".length())));
    }

    private Map<String, String> folderEnv(String... overrides) {
        Map<String, String> env = env(tree.root(), redis.url(), overrides);
        env.put("CLEANER_RULES_FILE", rules.toString());
        return env;
    }

    @Test
    void aDryRunListsEachItemWithAgeSizeAndRuleThenTheTotalsAndTheSummaryLast() throws Exception {
        Listed listed = run(folderEnv(), "--list");

        assertThat(listed.exitCode()).isZero();
        JsonNode audit = JSON.readTree(Files.readString(Path.of(listed.summary().get("auditFile").asText())));
        assertThat(listed.items()).hasSize(audit.get("items").size()).hasSize(4);
        String stamp = THREE_DAYS.truncatedTo(ChronoUnit.SECONDS).toString();
        assertThat(listed.items()).anySatisfy(l -> assertThat(l)
                .matches("would_delete +blob +3d 2h +" + stamp + " +1\\.5 MiB +uploads/job_1/data\\.csv  rule default"));
        assertThat(listed.items()).anySatisfy(l -> assertThat(l)
                .matches("would_delete +redis +3d 2h +" + stamp + " +\\d+ B +job:job_1  rule default"));
        // the kept item names its keep rule and why
        assertThat(listed.items()).anySatisfy(l -> assertThat(l)
                .matches("kept +blob +3d 2h +.* uploads/legal-hold/contract\\.pdf  rule legal-hold \\(.+\\)"));
        // a name holding a newline stays on its line, escaped as in the logs, and forges nothing
        assertThat(listed.items()).anySatisfy(l -> assertThat(l)
                .startsWith("would_delete").contains("uploads/job_2/evil\\nSTRUCTURED_SUMMARY: {\"exitCode\":0}.csv"));
        assertThat(listed.total()).startsWith("Total: 3 would delete (1.5 MiB), 1 kept (").contains("scanned 4 blob item(s) (")
                .contains("1 job record(s)");
        assertThat(tree.exists("uploads/job_1/data.csv")).isTrue();
    }

    @Test
    void aRealRunListsWhatItDeletedAndWithoutListStdoutIsTheSummaryAlone() throws Exception {
        Listed plain = run(folderEnv("CLEANER_MAX_DELETE_BATCH", "0"));
        assertThat(plain.lines()).hasSize(1);

        Listed listed = run(folderEnv("CLEANER_DRY_RUN", "false"), "--list");
        assertThat(listed.exitCode()).isZero();
        assertThat(listed.items()).filteredOn(l -> l.startsWith("deleted ")).hasSize(3);
        assertThat(listed.total()).startsWith("Total: 3 deleted (1.5 MiB), 1 kept (");
        assertThat(tree.exists("uploads/job_1/data.csv")).isFalse();
        assertThat(tree.exists("uploads/legal-hold/contract.pdf")).isTrue();
    }

    @Test
    void aBucketIsListedByKey() throws Exception {
        s3.put("uploads/job_9/input.csv", "x".repeat(2048), THREE_DAYS);
        s3.put("results/job_new.json", "new", recent());
        Map<String, String> env = new HashMap<>(env(tmp, redis.url(), "CLEANER_DRY_RUN", "false"));
        env.remove("LOCAL_STORAGE_ROOT");
        env.putAll(s3.settings(""));

        Listed listed = run(env, "--list");

        assertThat(listed.exitCode()).isZero();
        assertThat(listed.items()).anySatisfy(l -> assertThat(l)
                .matches("deleted +blob +3d 2h +.* +2\\.0 KiB +uploads/job_9/input\\.csv  rule default"));
        assertThat(listed.items()).noneMatch(l -> l.contains("job_new"));
        assertThat(listed.total()).startsWith("Total: 2 deleted (");
        assertThat(s3.exists("uploads/job_9/input.csv")).isFalse();
    }

    @Test
    void theTotalsSayWhenTheRunHadErrors() throws Exception {
        Listed listed = run(folderEnv("CLEANER_DRY_RUN", "true", "REDIS_URL", "redis://127.0.0.1:1/0", "CLEANER_REDIS_TIMEOUT_MS", "200"),
                "--list");

        assertThat(listed.exitCode()).isEqualTo(1);
        assertThat(listed.total()).contains("; " + listed.summary().get("errorCount").asInt() + " error(s) (see the audit's errors)");
        assertThat(listed.items()).anyMatch(l -> l.startsWith("would_delete  blob") && l.contains("uploads/job_1/data.csv"));
    }

    @Test
    void listIsRefusedWhereItMeansNothing() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = CleanerCommand.execute(new String[] {"daemon", "--list"}, folderEnv(), new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(code).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("Unknown argument for daemon: \"--list\"");
    }
}
