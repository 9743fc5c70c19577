package ai.datapilot.cleaner.app;

import static ai.datapilot.cleaner.testing.RedisForTests.job;
import static ai.datapilot.cleaner.testing.StorageTree.old;
import static ai.datapilot.cleaner.testing.StorageTree.recent;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.datapilot.cleaner.audit.CleanerRun;
import ai.datapilot.cleaner.audit.ItemOutcome;
import ai.datapilot.cleaner.blob.BlobStore;
import ai.datapilot.cleaner.blob.LocalBlobStore;
import ai.datapilot.cleaner.deletion.CandidateDeleter;
import ai.datapilot.cleaner.deletion.DeleteGate;
import ai.datapilot.cleaner.jobrecord.JobRecordStore;
import ai.datapilot.cleaner.settings.CleanerSettings;
import ai.datapilot.cleaner.store.CleanerError;
import ai.datapilot.cleaner.store.ItemScan;
import ai.datapilot.cleaner.store.Recheck;
import ai.datapilot.cleaner.store.ScanSink;
import ai.datapilot.cleaner.store.ScannedItem;
import ai.datapilot.cleaner.store.StoreKind;
import ai.datapilot.cleaner.testing.ForwardingBlobStore;
import ai.datapilot.cleaner.testing.ForwardingStore;
import ai.datapilot.cleaner.testing.RedisForTests;
import ai.datapilot.cleaner.testing.RoutesHarness;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;

/**
 * Faults produced on real components at chosen moments: the test's own redis-server killed during
 * the scan and during the deletes, files vanishing, appearing and changing while the tree is walked,
 * files the kernel refuses to delete, an audit folder that cannot be written. After each: nothing
 * outside the plan was deleted, the audit was written, the exit code says so, and the next run
 * finishes the work.
 */
class FaultInjectionTest extends RoutesHarness {

    @RegisterExtension
    static RedisForTests redis = new RedisForTests(true);

    /** What to do to the world when the scan reports an item, per store. */
    Consumer<ScannedItem> onBlobScanned = item -> { };
    Consumer<ScannedItem> onKeyScanned = item -> { };
    /** What to do when a key was deleted. */
    Consumer<Integer> afterKeyDeleted = n -> { };

    @Override
    protected RedisForTests redis() {
        return redis;
    }

    @Override
    protected void settingsFor(Map<String, String> env) {
        env.put("CLEANER_DELETE_RETRIES", "1");
        env.put("CLEANER_REDIS_TIMEOUT_MS", "1000");
        env.put("CLEANER_LEASE_TTL_SECONDS", "5");
        if (getCurrentTestName() != null && getCurrentTestName().contains("DuringTheScan")) {
            env.put("CLEANER_MAX_DELETE_BATCH", "20");
        }
    }

    @Override
    protected void replaceBeans(Map<String, Object> replacements, CleanerSettings settings) {
        BlobStore blobs = new WatchedBlobStore(new LocalBlobStore(settings.storageRoot(), settings.blobPrefixes()));
        JobRecordStore records = new WatchedJobRecordStore(configuration.jobRecordStore());
        replacements.put("blobStore", blobs);
        replacements.put("jobRecordStore", records);
        replacements.put("candidateDeleter", new CandidateDeleter(blobs, records, new DeleteGate(false)));
    }

    /** After a kill, the run could not release its lease: like a crashed run's, it expires by itself. */
    private void awaitLeaseExpiry() throws InterruptedException {
        long deadline = System.currentTimeMillis() + 10_000;
        while (redis.exists("datapilot-cleaner:lease") && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
        }
        assertThat(redis.exists("datapilot-cleaner:lease")).isFalse();
    }

    /** The next run, as a fresh process would make it (in this JVM, through the command's code). */
    private ai.datapilot.cleaner.testing.CleanerRuns.Result nextRun() throws IOException {
        return ai.datapilot.cleaner.testing.CleanerRuns.run(ai.datapilot.cleaner.testing.CleanerRuns.env(tree.root(), redis.url(),
                "CLEANER_DRY_RUN", "false", "CLEANER_MAX_DELETE_BATCH", "5000"));
    }

    private void keys(int count, Instant age) {
        try (Jedis jedis = redis.client()) {
            Pipeline p = jedis.pipelined();
            for (int i = 0; i < count; i++) {
                p.set(String.format("job:job_%05d", i), job("job_" + i, age.minusSeconds(i)));
            }
            p.sync();
        }
    }

    private long jobKeys() {
        try (Jedis jedis = redis.client()) {
            return jedis.keys("job:*").size(); // a private test server: KEYS is fine here
        }
    }

    private static List<String> errorTypes(CleanerRun run) {
        return run.errors().stream().map(CleanerError::type).distinct().toList();
    }

    @Test
    void redisKilledDuringTheScan() throws Exception {
        keys(1200, old());
        for (int i = 0; i < 5; i++) {
            tree.file("uploads/job_f" + i + "/data.csv", old().minus(Duration.ofDays(1)));
        }
        AtomicInteger seen = new AtomicInteger();
        onKeyScanned = item -> {
            if (seen.incrementAndGet() == 600) {
                redis.server().kill();
            }
        };
        context.start();

        CleanerRun run = runOnce();

        assertThat(errorTypes(run)).contains("redis_scan_failed", "redis_deletion_failed");
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.deletedBlobs()).isEqualTo(5);
        assertThat(run.deletedKeys()).isZero();
        assertThat(run.auditFile()).exists();

        redis.server().restart();
        assertThat(jobKeys()).as("nothing deleted in Redis").isEqualTo(1200);
        awaitLeaseExpiry();
        var next = nextRun();
        assertThat(next.exitCode()).isZero();
        assertThat(next.summary().get("deletedKeys").asInt()).isEqualTo(1200);
    }

    @Test
    void redisKilledDuringTheDeletes() throws Exception {
        keys(10, old());
        afterKeyDeleted = n -> {
            if (n == 3) {
                redis.server().kill();
            }
        };
        context.start();

        CleanerRun run = runOnce();

        List<String> deleted = run.items().stream().filter(i -> i.outcome().equals("deleted")).map(ItemOutcome::id).toList();
        assertThat(deleted).hasSize(3);
        assertThat(run.items()).filteredOn(i -> i.outcome().equals("failed")).hasSize(7);
        assertThat(errorTypes(run)).containsExactly("redis_deletion_failed");
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.auditFile()).exists();

        redis.server().restart();
        try (Jedis jedis = redis.client()) {
            for (String key : deleted) {
                assertThat(jedis.exists(key)).as(key).isFalse();
            }
        }
        assertThat(jobKeys()).isEqualTo(7);
        awaitLeaseExpiry();
        var next = nextRun();
        assertThat(next.exitCode()).isZero();
        assertThat(next.summary().get("deletedKeys").asInt()).isEqualTo(7);
        assertThat(jobKeys()).isZero();
    }

    @Test
    void filesVanishAppearAndChangeWhileTheTreeIsWalked() throws Exception {
        Path vanishing = tree.file("results/job_vanishing.json", old());
        tree.file("uploads/job_a/data.csv", old());
        Path touched = tree.file("uploads/job_b/data.csv", old().minusSeconds(1));
        Path recentOne = tree.file("uploads/job_c/data.csv", recent());
        List<String> scanned = new ArrayList<>();
        onBlobScanned = item -> {
            scanned.add(item.id());
            if (scanned.size() == 1) {
                try {
                    // these happen while the tree is being walked
                    Files.delete(vanishing);
                    tree.file("results/job_appeared_recent.json", recent());
                    tree.file("uploads/job_d/appeared_old.csv", old());
                    Files.setLastModifiedTime(touched, FileTime.from(Instant.now()));
                    Files.writeString(recentOne, "rewritten");
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }
        };
        context.start();

        CleanerRun run = runOnce();

        assertThat(run.errors()).isEmpty();
        assertThat(touched).exists();
        assertThat(recentOne).exists();
        assertThat(tree.exists("results/job_appeared_recent.json")).isTrue();
        // prefixes are walked at once: the vanished file was either never seen, or seen and found gone
        if (scanned.contains("results/job_vanishing.json")) {
            assertThat(run.items()).filteredOn(i -> i.id().equals("results/job_vanishing.json"))
                    .extracting(ItemOutcome::reason).containsExactly("already gone");
        }
        // everything that was removed was in the plan, and nothing in the plan was young
        for (ItemOutcome item : run.items()) {
            assertThat(item.item().age()).isBefore(run.cutoff());
        }
        assertThat(outcome(run, "uploads/job_b/data.csv")).isIn("skipped", "none");
        assertThat(run.exitCode()).isZero();
    }

    @Test
    void aFileTheKernelRefusesToDeleteIsReportedAndTheRunGoesOn() throws Exception {
        Path stuck = tree.file("uploads/job_stuck/data.csv", old().minusSeconds(5));
        tree.file("uploads/job_fine/data.csv", old());
        assumeTrue(chattr("+i", stuck), "chattr +i is not available on this file system");
        try {
            context.start();

            CleanerRun run = runOnce();

            assertThat(outcome(run, "uploads/job_stuck/data.csv")).isEqualTo("failed");
            assertThat(outcome(run, "uploads/job_fine/data.csv")).isEqualTo("deleted");
            assertThat(run.errors()).extracting(CleanerError::type, CleanerError::path)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("blob_deletion_failed", "uploads/job_stuck/data.csv"));
            assertThat(run.exitCode()).isEqualTo(1);
            assertThat(stuck).exists();
        } finally {
            chattr("-i", stuck);
        }
        CleanerRun next = runOnce();
        assertThat(next.exitCode()).isZero();
        assertThat(stuck).doesNotExist();
    }

    @Test
    void anAuditFolderThatCannotBeWrittenStillGivesASummaryAndExitOne() throws Exception {
        tree.file("uploads/job_old/data.csv", old());
        Path audit = Files.createDirectories(tree.path("maintenance/cleaner_runs"));
        assumeTrue(chattr("+i", audit), "chattr +i is not available on this file system");
        try {
            context.start();

            CleanerRun run = runOnce();

            assertThat(errorTypes(run)).containsExactly("audit_write_failed");
            assertThat(run.exitCode()).isEqualTo(1);
            assertThat(run.auditFile()).isNull();
            try (var files = Files.list(audit)) {
                assertThat(files).isEmpty();
            }
        } finally {
            chattr("-i", audit);
        }
    }

    private static boolean chattr(String flag, Path path) {
        try {
            Process p = new ProcessBuilder("chattr", flag, path.toString()).redirectErrorStream(true).start();
            return p.waitFor() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    /** The real blob store, with a hook on every scanned item. */
    final class WatchedBlobStore extends ForwardingBlobStore {
        WatchedBlobStore(BlobStore real) {
            super(real);
        }

        @Override
        public ItemScan scan() {
            return watched(real.scan(), onBlobScanned);
        }
    }

    /** The real job-record store, with hooks on scanned items and completed deletes. */
    final class WatchedJobRecordStore extends ForwardingStore<JobRecordStore> implements JobRecordStore {
        private final AtomicInteger deletes = new AtomicInteger();

        WatchedJobRecordStore(JobRecordStore real) {
            super(real);
        }

        @Override
        public ItemScan scan() {
            return watched(real.scan(), onKeyScanned);
        }

        @Override
        public Recheck deleteIfUnchanged(ScannedItem c, Instant cutoff) throws Exception {
            Recheck r = real.deleteIfUnchanged(c, cutoff);
            afterKeyDeleted.accept(deletes.incrementAndGet());
            return r;
        }
    }

    private static ItemScan watched(ItemScan scan, Consumer<ScannedItem> hook) {
        return new ItemScan() {
            @Override
            public StoreKind store() {
                return scan.store();
            }

            @Override
            public void drain(ScanSink sink) {
                scan.drain(new ScanSink() {
                    @Override
                    public void scanned(ScannedItem item) {
                        sink.scanned(item);
                        hook.accept(item);
                    }

                    @Override
                    public boolean interested(Instant age) {
                        return sink.interested(age);
                    }

                    @Override
                    public void passed() {
                        sink.passed();
                    }

                    @Override
                    public void skipped(String id, String reason) {
                        sink.skipped(id, reason);
                    }

                    @Override
                    public void failed(CleanerError error) {
                        sink.failed(error);
                    }

                    @Override
                    public boolean stopRequested() {
                        return sink.stopRequested();
                    }
                });
            }
        };
    }
}
