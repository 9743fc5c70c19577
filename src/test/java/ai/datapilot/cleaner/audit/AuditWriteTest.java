package ai.datapilot.cleaner.audit;

import static ai.datapilot.cleaner.testing.CleanerRuns.env;
import static ai.datapilot.cleaner.testing.CleanerRuns.run;
import static ai.datapilot.cleaner.testing.RedisForTests.job;
import static ai.datapilot.cleaner.testing.StorageTree.old;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.datapilot.cleaner.store.ScannedItem;
import ai.datapilot.cleaner.store.StoreKind;
import ai.datapilot.cleaner.testing.CleanerRuns.Result;
import ai.datapilot.cleaner.testing.RedisForTests;
import ai.datapilot.cleaner.testing.StorageTree;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.camel.component.file.GenericFileOperationFailedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Where the audit record is staged and written, whatever the temp folder or the root's name. */
class AuditWriteTest {

    @RegisterExtension
    static RedisForTests redis = new RedisForTests();

    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    /**
     * With /tmp full or read-only (readOnlyRootFilesystem), a run that deleted items left no audit
     * and no summary: the record was staged in java.io.tmpdir. The JVM reads java.io.tmpdir once at
     * start, so the run is a process of its own.
     */
    @ParameterizedTest
    @ValueSource(strings = {"missing", "a-file"})
    void aRunThatDeletesWritesItsAuditAndSummaryWhenTheTempFolderIsUnusable(String kind) throws Exception {
        StorageTree tree = new StorageTree(Files.createDirectory(tmp.resolve("storage")));
        tree.file("uploads/job_old/data.csv", old());
        tree.file("results/job_old.json", old());
        redis.setJob("job:job_old", job("job_old", old()));
        Path badTmp = tmp.resolve("no-tmp");
        if (kind.equals("a-file")) {
            Files.writeString(badTmp, "not a folder");
        }

        Process p = runOnceInItsOwnJvm(badTmp, env(tree.root(), redis.url(), "CLEANER_DRY_RUN", "false"));

        String stdout = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        List<String> summaries = stdout.lines().filter(l -> l.startsWith("STRUCTURED_SUMMARY: ")).toList();
        assertThat(summaries).as(stdout).hasSize(1);
        JsonNode summary = JSON.readTree(summaries.get(0).substring("STRUCTURED_SUMMARY: ".length()));
        assertThat(summary.get("errorCount").asInt()).as(summaries.get(0)).isZero();
        assertThat(p.exitValue()).isZero();
        assertThat(summary.get("deletedBlobs").asInt()).isEqualTo(2);
        assertThat(tree.exists("uploads/job_old/data.csv")).isFalse();
        assertThat(tree.auditFiles()).hasSize(1);
        assertThat(summary.get("auditFile").asText()).isEqualTo(tree.auditFiles().get(0).toString());
        JsonNode audit = JSON.readTree(Files.readString(tree.auditFiles().get(0)));
        assertThat(audit.get("deletedBlobs").asInt()).isEqualTo(2);
        assertThat(audit.get("items")).hasSize(3);
        // only the record itself in the folder: no temp name left behind
        try (Stream<Path> files = Files.list(tree.path("maintenance/cleaner_runs"))) {
            assertThat(files).containsExactlyElementsOf(tree.auditFiles());
        }
    }

    /** The command in a JVM of its own, started from this test's class path, as cron would start it. */
    private static Process runOnceInItsOwnJvm(Path javaTmp, Map<String, String> env) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djava.io.tmpdir=" + javaTmp, "-cp", System.getProperty("java.class.path"),
                "ai.datapilot.cleaner.cli.CleanerCommand", "run-once"));
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD);
        builder.environment().keySet().removeIf(k -> k.startsWith("CLEANER_") || k.startsWith("AWS_") || k.equals("REDIS_URL")
                || k.equals("LOCAL_STORAGE_ROOT") || k.equals("BLOB_STORAGE_URL"));
        builder.environment().putAll(env);
        return builder.start();
    }

    /**
     * The audit folder went into a Camel URI as text: '%' was percent-decoded ({@code store%20a}
     * wrote into {@code store a/}, {@code %2F..} led outside the root), and '?', '{{', '${' made
     * the run fail with exit 1. A path is never URI text or a placeholder.
     */
    @ParameterizedTest
    @ValueSource(strings = {"store%20a", "a%2F..%2Fb", "q?x=1", "{{x}}", "${x}", "a#b", "with space", "dépôt-数据", "%", "x&fileExist=Override"})
    void theAuditLandsExactlyInTheAuditFolderWhateverTheRootIsNamed(String name) throws Exception {
        Path parent = Files.createDirectory(tmp.resolve("parent"));
        // the names a decoded or cut path would lead to, made so a stray write into them is seen
        for (String decoy : List.of("store a", "b", "q", "a")) {
            Files.createDirectories(parent.resolve(decoy));
        }
        StorageTree tree = new StorageTree(Files.createDirectory(parent.resolve(name)));
        tree.file("uploads/job_old/data.csv", old());
        tree.file("results/job_old.json", old());
        redis.setJob("job:job_old", job("job_old", old()));
        Set<String> before = everythingUnder(tmp);

        Result result = run(env(tree.root(), redis.url()));

        assertThat(result.exitCode()).as(result.stdout()).isZero();
        assertThat(result.summary().get("errorCount").asInt()).isZero();
        assertThat(tree.auditFiles()).hasSize(1);
        Path audit = tree.auditFiles().get(0);
        assertThat(audit.getParent()).isEqualTo(tree.root().toRealPath().resolve("maintenance/cleaner_runs"));
        assertThat(result.summary().get("auditFile").asText()).isEqualTo(audit.toString());
        assertThat(result.audit().get("items")).hasSize(3);
        // nothing else was written anywhere: only the audit folder and its record are new
        Set<String> after = everythingUnder(tmp);
        after.removeAll(before);
        String rootRel = tmp.relativize(tree.root()).toString();
        assertThat(after).containsExactlyInAnyOrder(rootRel + "/maintenance", rootRel + "/maintenance/cleaner_runs",
                tmp.relativize(audit).toString());
    }

    private static Set<String> everythingUnder(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            // the run's lock file is the storage root's own, not a write elsewhere
            return paths.filter(p -> !p.equals(dir)).map(p -> dir.relativize(p).toString())
                    .filter(p -> !p.endsWith(".datapilot-cleaner.lock")).collect(java.util.stream.Collectors.toCollection(TreeSet::new));
        }
    }

    /** An audit that cannot be written is an error of the run; its summary line is still printed. */
    @Test
    void theSummaryIsPrintedWhenTheAuditCannotBeWritten() throws Exception {
        StorageTree tree = new StorageTree(Files.createDirectory(tmp.resolve("storage")));
        tree.file("uploads/job_old/data.csv", old());
        Files.writeString(tree.path("maintenance"), "a file where the audit folder's parent should be");

        Result result = run(env(tree.root(), redis.url(), "CLEANER_DRY_RUN", "false"));

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.errorTypes()).containsExactly("audit_write_failed");
        assertThat(result.summary().get("deletedBlobs").asInt()).isEqualTo(1);
        assertThat(result.summary().get("auditFile").isNull()).isTrue();
    }

    /** The final step links the record to its name: an existing record is never replaced. */
    @Test
    void theFinalStepNeverReplacesAnExistingRecord() throws Exception {
        Path folder = Files.createDirectory(tmp.resolve("audit"));
        Path existing = Files.writeString(folder.resolve("cleaner_x.json"), "{\"runId\":\"earlier\"}");
        Path temp = Files.writeString(folder.resolve(AuditFolderEndpoint.tempName("cleaner_x.json")), "{\"runId\":\"later\"}");
        AuditFolderEndpoint.NoReplaceOperations operations = new AuditFolderEndpoint.NoReplaceOperations(new AuditFolderEndpoint(folder));

        assertThatThrownBy(() -> operations.renameFile(temp.toString(), existing.toString()))
                .isInstanceOf(GenericFileOperationFailedException.class).hasMessageContaining("already exist");
        assertThat(Files.readString(existing)).contains("earlier");

        Path fresh = folder.resolve("cleaner_y.json");
        assertThat(operations.renameFile(temp.toString(), fresh.toString())).isTrue();
        assertThat(Files.readString(fresh)).contains("later");
        assertThat(temp).doesNotExist();
    }

    /** The streamed record is the record: the same bytes as written whole, items past any chunk. */
    @Test
    void theStreamedRecordEqualsTheWrittenOne() throws Exception {
        CleanerRun run = new CleanerRun(Instant.now(), 24.0, true, 1000, "local:/x", "redis://y");
        for (int i = 0; i < 700; i++) {
            run.record(ItemOutcome.of(new ScannedItem(StoreKind.BLOB, "uploads/j" + i + "/é.csv", Instant.EPOCH, null, null),
                    ItemOutcome.WOULD_DELETE, null));
        }
        run.complete(Instant.now());

        byte[] streamed;
        try (var in = AuditRecord.stream(run)) {
            streamed = in.readAllBytes();
        }

        assertThat(new String(streamed, StandardCharsets.UTF_8)).isEqualTo(AuditRecord.toJson(run));
        assertThat(AuditRecord.length(run)).isEqualTo(streamed.length);
        assertThat(JSON.readTree(streamed).get("items")).hasSize(700);
    }
}
