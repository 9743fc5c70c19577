package ai.datapilot.cleaner;

import static ai.datapilot.cleaner.testing.CleanerRuns.env;
import static ai.datapilot.cleaner.testing.CleanerRuns.run;
import static ai.datapilot.cleaner.testing.RedisForTests.job;
import static ai.datapilot.cleaner.testing.StorageTree.old;
import static ai.datapilot.cleaner.testing.StorageTree.recent;
import static org.assertj.core.api.Assertions.assertThat;

import ai.datapilot.cleaner.testing.CleanerRuns.Result;
import ai.datapilot.cleaner.testing.RedisForTests;
import ai.datapilot.cleaner.testing.StorageTree;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/**
 * The run-once job end to end: the real YAML routes, a real directory tree and a real private
 * redis-server, driven exactly as the command line drives them.
 */
class CleanupRunTest {

    @RegisterExtension
    static RedisForTests redis = new RedisForTests();

    @TempDir
    Path tmp;

    StorageTree tree;

    @BeforeEach
    void freshData() throws IOException {
        tree = new StorageTree(Files.createDirectory(tmp.resolve("storage")));
    }

    /** The original's run test: fake data with old (TTL+2h) and recent (TTL-2h) jobs. */
    void originalFixture() throws IOException {
        tree.file("uploads/job_old/test_data.csv", old());
        tree.file("results/job_old.json", old());
        tree.file("uploads/job_recent/test_data.csv", recent());
        tree.file("results/job_recent.json", recent());
        redis.setJob("job:job_old", job("job_old", old()));
        redis.setJob("job:job_recent", job("job_recent", recent()));
    }

    @Test
    void dryRunDeletesNothingAndReportsWhatItWouldDelete() throws IOException {
        originalFixture();

        Result dry = run(env(tree.root(), redis.url()));

        assertThat(dry.exitCode()).isZero();
        assertThat(tree.exists("uploads/job_old/test_data.csv")).isTrue();
        assertThat(tree.exists("results/job_old.json")).isTrue();
        assertThat(redis.exists("job:job_old")).isTrue();
        assertThat(dry.audit().get("dryRun").asBoolean()).isTrue();
        assertThat(dry.audit().get("deletedBlobs").asInt()).isEqualTo(2);
        assertThat(dry.audit().get("deletedKeys").asInt()).isEqualTo(1);
        assertThat(dry.itemIds("would_delete"))
                .containsExactlyInAnyOrder("uploads/job_old/test_data.csv", "results/job_old.json", "job:job_old");
        assertThat(tree.auditFiles()).hasSize(1);
    }

    @Test
    void destructiveRunDeletesExactlyTheOldUploadResultAndKey() throws IOException {
        originalFixture();

        Result real = run(env(tree.root(), redis.url(), "CLEANER_DRY_RUN", "false"));

        assertThat(real.exitCode()).isZero();
        assertThat(tree.exists("uploads/job_old/test_data.csv")).isFalse();
        assertThat(tree.exists("results/job_old.json")).isFalse();
        assertThat(redis.exists("job:job_old")).isFalse();
        assertThat(tree.exists("uploads/job_recent/test_data.csv")).isTrue();
        assertThat(tree.exists("results/job_recent.json")).isTrue();
        assertThat(redis.exists("job:job_recent")).isTrue();
        assertThat(real.itemIds("deleted"))
                .containsExactlyInAnyOrder("uploads/job_old/test_data.csv", "results/job_old.json", "job:job_old");
        // the job folder the run emptied is gone; the prefix folders stay
        assertThat(tree.exists("uploads/job_old")).isFalse();
        assertThat(tree.exists("uploads")).isTrue();
        assertThat(tree.exists("results")).isTrue();
        assertThat(tree.auditFiles()).hasSize(1);
    }

    @Test
    void dryRunListsExactlyWhatTheRealRunThenDeletes() throws IOException {
        originalFixture();
        for (int i = 0; i < 8; i++) {
            tree.file("uploads/job_" + i + "/part.csv", old().minus(Duration.ofMinutes(i)));
            redis.setJob("job:extra_" + i, job("extra_" + i, old().minus(Duration.ofMinutes(3 * i))));
        }
        String[] settings = {"CLEANER_MAX_DELETE_BATCH", "7"};

        Result dry = run(env(tree.root(), redis.url(), settings));
        Result real = run(env(tree.root(), redis.url(), "CLEANER_MAX_DELETE_BATCH", "7", "CLEANER_DRY_RUN", "false"));

        assertThat(dry.itemIds("would_delete")).hasSize(7);
        assertThat(real.itemIds("deleted")).containsExactlyElementsOf(dry.itemIds("would_delete"));
        assertThat(real.audit().get("deferredBlobs").asLong() + real.audit().get("deferredKeys").asLong())
                .isEqualTo(dry.audit().get("deferredBlobs").asLong() + dry.audit().get("deferredKeys").asLong())
                .isEqualTo(12); // 10 old files and 9 old keys, 7 of them planned
    }

    @Test
    void runningTwiceIsSafe() throws IOException {
        originalFixture();

        Result first = run(env(tree.root(), redis.url(), "CLEANER_DRY_RUN", "false"));
        Result second = run(env(tree.root(), redis.url(), "CLEANER_DRY_RUN", "false"));

        assertThat(first.exitCode()).isZero();
        assertThat(second.exitCode()).isZero();
        assertThat(second.audit().get("deletedBlobs").asInt()).isZero();
        assertThat(second.audit().get("deletedKeys").asInt()).isZero();
        assertThat(tree.exists("uploads/job_recent/test_data.csv")).isTrue();
        assertThat(redis.exists("job:job_recent")).isTrue();
        assertThat(tree.auditFiles()).hasSize(2);
    }

    @Test
    void capOfOneGivesOneDeletionInTotalTheOldestAcrossBothStores() throws IOException {
        tree.file("uploads/job_a/data.csv", old());
        tree.file("results/job_a.json", old().minus(Duration.ofHours(5)));
        redis.setJob("job:oldest", job("oldest", old().minus(Duration.ofHours(10))));
        redis.setJob("job:older", job("older", old().minus(Duration.ofHours(1))));

        Result capped = run(env(tree.root(), redis.url(), "CLEANER_DRY_RUN", "false", "CLEANER_MAX_DELETE_BATCH", "1"));

        assertThat(capped.summary().get("deletedBlobs").asInt() + capped.summary().get("deletedKeys").asInt()).isEqualTo(1);
        assertThat(capped.itemIds("deleted")).containsExactly("job:oldest");
        assertThat(redis.exists("job:oldest")).isFalse();
        assertThat(capped.audit().get("deferredBlobs").asInt()).isEqualTo(2);
        assertThat(capped.audit().get("deferredKeys").asInt()).isEqualTo(1);

        Result next = run(env(tree.root(), redis.url(), "CLEANER_DRY_RUN", "false", "CLEANER_MAX_DELETE_BATCH", "2"));
        assertThat(next.itemIds("deleted")).containsExactly("results/job_a.json", "job:older");
    }

    @Test
    void capTiesGoByName() throws IOException {
        Instant same = old();
        tree.file("uploads/b/x.csv", same);
        tree.file("uploads/a/x.csv", same);
        redis.setJob("job:c", job("c", same));

        Result capped = run(env(tree.root(), redis.url(), "CLEANER_MAX_DELETE_BATCH", "2"));

        assertThat(capped.itemIds("would_delete")).containsExactly("job:c", "uploads/a/x.csv");
    }

    @Test
    void capZeroReportsOnly() throws IOException {
        originalFixture();

        Result report = run(env(tree.root(), redis.url(), "CLEANER_DRY_RUN", "false", "CLEANER_MAX_DELETE_BATCH", "0"));

        assertThat(report.exitCode()).isZero();
        assertThat(report.audit().get("items")).isEmpty();
        assertThat(report.audit().get("deferredBlobs").asInt()).isEqualTo(2);
        assertThat(report.audit().get("deferredKeys").asInt()).isEqualTo(1);
        assertThat(tree.exists("results/job_old.json")).isTrue();
        assertThat(redis.exists("job:job_old")).isTrue();
    }

    @Test
    void keysWhoseAgeCannotBeEstablishedAreSkippedWithTheirReasonAndKept() throws IOException {
        redis.setJob("job:no_timestamp", "{\"jobId\":\"no_timestamp\",\"status\":\"queued\"}");
        redis.setJob("job:bad_json", "{not json");
        redis.setJob("job:array", "[1,2,3]");
        redis.setJob("job:number", "12");
        redis.setJob("job:empty", "");
        redis.setJob("job:bad_both", "{\"updatedAt\":\"yesterday\",\"createdAt\":\"soon\"}");
        try (Jedis jedis = redis.client()) {
            jedis.rpush("job:a_list", "x");
            jedis.sadd("job:a_set", "x");
            jedis.hset("job:hash_without_times", "status", "done");
        }
        redis.setJob("job:job_old", job("job_old", old()));

        Result result = run(env(tree.root(), redis.url(), "CLEANER_DRY_RUN", "false"));

        assertThat(result.exitCode()).isZero();
        assertThat(result.itemIds("deleted")).containsExactly("job:job_old");
        List<String> skipped = new ArrayList<>();
        result.audit().get("skipped").forEach(s -> skipped.add(s.asText()));
        assertThat(skipped).anySatisfy(s -> assertThat(s).startsWith("job:no_timestamp: no updatedAt or createdAt"));
        assertThat(skipped).anySatisfy(s -> assertThat(s).startsWith("job:bad_json: value is not valid JSON"));
        assertThat(skipped).anySatisfy(s -> assertThat(s).startsWith("job:array: value is a JSON array"));
        assertThat(skipped).anySatisfy(s -> assertThat(s).startsWith("job:number: value is a JSON number"));
        assertThat(skipped).anySatisfy(s -> assertThat(s).startsWith("job:empty: value is empty"));
        assertThat(skipped).anySatisfy(s -> assertThat(s).contains("job:bad_both: updatedAt \"yesterday\" is not a timestamp"));
        assertThat(skipped).anySatisfy(s -> assertThat(s).startsWith("job:a_list: a list, not a job record"));
        assertThat(skipped).anySatisfy(s -> assertThat(s).startsWith("job:a_set: a set, not a job record"));
        assertThat(skipped).anySatisfy(s -> assertThat(s).startsWith("job:hash_without_times: no updatedAt or createdAt"));
        assertThat(result.audit().get("skippedCount").asInt()).isEqualTo(9);
        assertThat(result.summary().get("skipped").asInt()).isEqualTo(9);
        for (String key : List.of("job:no_timestamp", "job:bad_json", "job:array", "job:number", "job:empty", "job:bad_both",
                "job:a_list", "job:a_set", "job:hash_without_times")) {
            assertThat(redis.exists(key)).as(key).isTrue();
        }
    }

    @Test
    void everyTimestampFormDecidesTheAge() throws IOException {
        Instant o = old();
        Instant r = recent();
        String oldNaive = o.toString().replace("Z", "");
        String oldOffset = o.atOffset(java.time.ZoneOffset.ofHours(2)).toString();
        redis.setJob("job:iso_z", job("a", o.toString()));
        redis.setJob("job:iso_offset", job("b", oldOffset));
        redis.setJob("job:iso_naive", job("c", oldNaive));
        redis.setJob("job:epoch_s", job("d", o.getEpochSecond()));
        redis.setJob("job:epoch_ms", job("e", o.toEpochMilli()));
        redis.setJob("job:epoch_s_text", job("f", Long.toString(o.getEpochSecond())));
        redis.setJob("job:created_only", "{\"createdAt\":\"" + o + "\"}");
        redis.setJob("job:updated_bad_created_old", "{\"updatedAt\":\"garbage\",\"createdAt\":\"" + o + "\"}");
        // updatedAt wins over createdAt: recently updated, created long ago
        redis.setJob("job:recently_updated", "{\"createdAt\":\"" + o + "\",\"updatedAt\":\"" + r + "\"}");
        redis.setJob("job:recent_offset", job("g", r.atOffset(java.time.ZoneOffset.ofHours(-5)).toString()));
        redis.setJob("job:future", job("h", Instant.now().plus(Duration.ofDays(3)).toString()));
        try (Jedis jedis = redis.client()) {
            jedis.hset("job:hash_old", java.util.Map.of("status", "done", "updatedAt", o.toString()));
            jedis.hset("job:hash_recent", java.util.Map.of("status", "done", "createdAt", r.toString()));
        }

        Result result = run(env(tree.root(), redis.url(), "CLEANER_DRY_RUN", "false"));

        assertThat(result.itemIds("deleted")).containsExactlyInAnyOrder("job:iso_z", "job:iso_offset", "job:iso_naive",
                "job:epoch_s", "job:epoch_ms", "job:epoch_s_text", "job:created_only", "job:hash_old");
        // an updatedAt that is there but not read is never replaced by createdAt
        assertThat(redis.exists("job:updated_bad_created_old")).isTrue();
        assertThat(result.audit().get("skipped")).extracting(JsonNode::asText)
                .contains("job:updated_bad_created_old: updatedAt \"garbage\" is not a timestamp");
        assertThat(redis.exists("job:recently_updated")).isTrue();
        assertThat(redis.exists("job:recent_offset")).isTrue();
        assertThat(redis.exists("job:future")).isTrue();
        assertThat(redis.exists("job:hash_recent")).isTrue();
        assertThat(result.audit().get("futureDated").asInt()).isEqualTo(1);
        JsonNode item = result.audit().get("items").get(0);
        assertThat(item.get("timestamp").asText()).endsWith("Z");
        assertThat(item.get("store").asText()).isEqualTo("redis");
    }

    @Test
    void redisUnreachableStillCleansBlobsAndExitsOne() throws IOException {
        originalFixture();

        Result result = run(env(tree.root(), "redis://127.0.0.1:1/0", "CLEANER_DRY_RUN", "false",
                "CLEANER_REDIS_TIMEOUT_MS", "500"));

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(tree.exists("uploads/job_old/test_data.csv")).isFalse();
        assertThat(tree.exists("results/job_old.json")).isFalse();
        assertThat(result.errorTypes()).containsExactly("redis_scan_failed");
        assertThat(result.audit().get("errors").get(0).get("message").asText()).contains("redis://127.0.0.1:1/0");
        assertThat(result.audit().get("completedAt").isNull()).isFalse();
    }

    @Test
    void symlinksAreRemovedAsLinksAndTheirTargetsOutsideTheRootSurvive(@TempDir Path outside) throws IOException {
        // stand-ins for system folders: made by this test, never a real system path
        Path outsideFile = Files.writeString(outside.resolve("precious.txt"), "keep me");
        Path outsideDir = Files.createDirectories(outside.resolve("precious-folder"));
        Files.writeString(outsideDir.resolve("inside.txt"), "keep me too");
        Files.setLastModifiedTime(outsideDir.resolve("inside.txt"), java.nio.file.attribute.FileTime.from(old()));
        Files.setLastModifiedTime(outsideFile, java.nio.file.attribute.FileTime.from(old()));
        Files.createDirectories(tree.path("uploads/job_link"));
        Path fileLink = Files.createSymbolicLink(tree.path("uploads/job_link/data.csv"), outsideFile);
        Path dirLink = Files.createSymbolicLink(tree.path("uploads/job_dirlink"), outsideDir);
        setLinkTime(fileLink, old());
        setLinkTime(dirLink, old());

        Result result = run(env(tree.root(), redis.url(), "CLEANER_DRY_RUN", "false"));

        assertThat(result.exitCode()).isZero();
        assertThat(Files.readString(outsideFile)).isEqualTo("keep me");
        assertThat(Files.readString(outsideDir.resolve("inside.txt"))).isEqualTo("keep me too");
        // the links themselves were old enough and are gone; nothing behind them was walked
        assertThat(tree.exists("uploads/job_link/data.csv")).isFalse();
        assertThat(tree.exists("uploads/job_dirlink")).isFalse();
        assertThat(result.itemIds("deleted")).containsExactlyInAnyOrder("uploads/job_link/data.csv", "uploads/job_dirlink");
    }

    @Test
    void aSymlinkedPrefixFolderIsNotFollowed(@TempDir Path outside) throws IOException {
        Path target = Files.createDirectories(outside.resolve("elsewhere"));
        Path victim = Files.writeString(target.resolve("old.json"), "keep");
        Files.setLastModifiedTime(victim, java.nio.file.attribute.FileTime.from(old()));
        Files.createSymbolicLink(tree.path("results"), target);
        tree.file("uploads/job_old/data.csv", old());

        Result result = run(env(tree.root(), redis.url(), "CLEANER_DRY_RUN", "false"));

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.errorTypes()).containsExactly("blob_scan_failed");
        assertThat(Files.exists(victim)).isTrue();
        assertThat(tree.exists("uploads/job_old/data.csv")).isFalse();
    }

    @Test
    void auditRecordHasEveryFieldOfTheOriginalAndTheNewOnes() throws IOException {
        originalFixture();

        Result result = run(env(tree.root(), redis.url()));

        JsonNode audit = result.audit();
        for (String field : List.of("runId", "deletedBlobs", "deletedKeys", "skipped", "errors", "dryRun", "startedAt",
                "completedAt", "ttlHours", "totalBlobsScanned", "totalKeysScanned", "cutoff", "maxDeleteBatch",
                "deferredBlobs", "deferredKeys", "items")) {
            assertThat(audit.has(field)).as(field).isTrue();
        }
        assertThat(audit.get("totalBlobsScanned").asInt()).isEqualTo(4);
        assertThat(audit.get("totalKeysScanned").asInt()).isEqualTo(2);
        assertThat(audit.get("ttlHours").asDouble()).isEqualTo(24.0);
        assertThat(audit.get("maxDeleteBatch").asInt()).isEqualTo(500);
        assertThat(Instant.parse(audit.get("startedAt").asText()).minus(Duration.ofHours(24)))
                .isEqualTo(Instant.parse(audit.get("cutoff").asText()));
        for (String field : List.of("runId", "startedAt", "completedAt", "deletedBlobs", "deletedKeys", "deferredBlobs",
                "deferredKeys", "errors", "dryRun", "skipped")) {
            assertThat(result.summary().has(field)).as("summary " + field).isTrue();
        }
        assertThat(result.summary().get("runId").asText()).isEqualTo(audit.get("runId").asText());
        String name = Path.of(result.summary().get("auditFile").asText()).getFileName().toString();
        assertThat(name).matches("cleaner_\\d{8}_\\d{6}_\\d{3}_[0-9a-f]{8}\\.json");
        assertThat(result.stdout().lines().filter(l -> l.contains("STRUCTURED_SUMMARY"))).hasSize(1);
    }

    @Test
    void twoRunsInOneSecondKeepBothAuditFilesInTimeOrder() throws IOException {
        Result a = run(env(tree.root(), redis.url()));
        Result b = run(env(tree.root(), redis.url()));

        List<Path> files = tree.auditFiles();
        assertThat(files).hasSize(2);
        assertThat(files.get(0).toString()).isEqualTo(a.summary().get("auditFile").asText());
        assertThat(files.get(1).toString()).isEqualTo(b.summary().get("auditFile").asText());
        try (var leftovers = Files.list(tree.path("maintenance/cleaner_runs"))) {
            assertThat(leftovers.filter(p -> p.getFileName().toString().endsWith(".part"))).isEmpty();
        }
    }

    @Test
    void specialFilesAreSkippedAndReported() throws Exception {
        Path fifo = tree.path("uploads/job_fifo/pipe");
        Files.createDirectories(fifo.getParent());
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assertThat(mkfifo.waitFor()).isZero();

        Result result = run(env(tree.root(), redis.url(), "CLEANER_DRY_RUN", "false"));

        assertThat(result.exitCode()).isZero();
        assertThat(Files.exists(fifo, java.nio.file.LinkOption.NOFOLLOW_LINKS)).isTrue();
        assertThat(result.audit().get("skipped").toString()).contains("uploads/job_fifo/pipe: not a regular file");
    }

    @Test
    void onlyItemsUnderThePrefixesAreTouched() throws IOException {
        tree.file("elsewhere/old.csv", old());
        tree.file("old_at_root.csv", old());
        tree.file("maintenance/cleaner_runs/cleaner_20200101_000000.json", old());
        tree.file("uploads/job_old/data.csv", old());

        Result result = run(env(tree.root(), redis.url(), "CLEANER_DRY_RUN", "false"));

        assertThat(result.itemIds("deleted")).containsExactly("uploads/job_old/data.csv");
        assertThat(tree.exists("elsewhere/old.csv")).isTrue();
        assertThat(tree.exists("old_at_root.csv")).isTrue();
        assertThat(tree.exists("maintenance/cleaner_runs/cleaner_20200101_000000.json")).isTrue();
    }

    @Test
    void emptyFoldersNotEmptiedByThisRunStay() throws IOException {
        Files.createDirectories(tree.path("uploads/job_already_empty"));
        tree.file("uploads/job_mixed/old.csv", old());
        tree.file("uploads/job_mixed/new.csv", recent());
        tree.file("uploads/job_nested/a/b/old.csv", old());

        run(env(tree.root(), redis.url(), "CLEANER_DRY_RUN", "false"));

        assertThat(tree.exists("uploads/job_already_empty")).isTrue();
        assertThat(tree.exists("uploads/job_mixed/new.csv")).isTrue();
        assertThat(tree.exists("uploads/job_nested")).isFalse();
        assertThat(tree.exists("uploads")).isTrue();
    }

    private static void setLinkTime(Path link, Instant when) throws IOException {
        Files.getFileAttributeView(link, java.nio.file.attribute.BasicFileAttributeView.class, java.nio.file.LinkOption.NOFOLLOW_LINKS)
                .setTimes(java.nio.file.attribute.FileTime.from(when), null, null);
    }
}
