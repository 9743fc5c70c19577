package ai.datapilot.cleaner.app;

import static ai.datapilot.cleaner.testing.RedisForTests.job;
import static ai.datapilot.cleaner.testing.StorageTree.old;
import static org.assertj.core.api.Assertions.assertThat;

import ai.datapilot.cleaner.audit.CleanerRun;
import ai.datapilot.cleaner.audit.ItemOutcome;
import ai.datapilot.cleaner.blob.BlobStore;
import ai.datapilot.cleaner.blob.LocalBlobStore;
import ai.datapilot.cleaner.deletion.CandidateDeleter;
import ai.datapilot.cleaner.deletion.DeleteGate;
import ai.datapilot.cleaner.settings.CleanerSettings;
import ai.datapilot.cleaner.store.CleanerError;
import ai.datapilot.cleaner.store.Recheck;
import ai.datapilot.cleaner.store.ScannedItem;
import ai.datapilot.cleaner.testing.ForwardingBlobStore;
import ai.datapilot.cleaner.testing.RedisForTests;
import ai.datapilot.cleaner.testing.RoutesHarness;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.Route;
import org.apache.camel.builder.AdviceWith;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The YAML routes in a camel-test-junit5 context, with the real stores. Faults a real part cannot
 * produce on demand (a file touched between scan and delete, a delete that fails) are injected
 * with advice or a wrapping store; everything else is real.
 */
class CleanerRoutesTest extends RoutesHarness {

    @RegisterExtension
    static RedisForTests redis = new RedisForTests();

    FlakyBlobStore flaky;

    @Override
    protected RedisForTests redis() {
        return redis;
    }

    @Override
    protected void settingsFor(Map<String, String> env) {
        if (getCurrentTestName() != null && getCurrentTestName().contains("Paced")) {
            env.put("CLEANER_DELETES_PER_SECOND", "5");
        }
        if (getCurrentTestName() != null && getCurrentTestName().contains("NotPaced")) {
            env.put("CLEANER_DELETES_PER_SECOND", "1");
        }
        if (getCurrentTestName() != null && getCurrentTestName().contains("DryRun")) {
            env.put("CLEANER_DRY_RUN", "true");
        }
        if (getCurrentTestName() != null && getCurrentTestName().contains("WhenAsked")) {
            env.put("CLEANER_PACE_DRY_RUN", "true");
        }
    }

    @Override
    protected void replaceBeans(Map<String, Object> replacements, CleanerSettings settings) {
        flaky = new FlakyBlobStore(new LocalBlobStore(settings.storageRoot(), settings.blobPrefixes()));
        replacements.put("candidateDeleter", new CandidateDeleter(flaky, configuration.jobRecordStore(), new DeleteGate(settings.dryRun())));
    }

    @Test
    void routeIdsAreStable() throws Exception {
        context.start();
        assertThat(context.getRoutes()).extracting(Route::getRouteId)
                .containsExactlyInAnyOrder("trigger-schedule", "trigger-run-once", "cleanup-run", "plan-and-delete", "scan-blobs", "scan-job-records", "write-audit");
    }

    @Test
    void anItemTouchedAfterTheScanSurvives() throws Exception {
        Path touched = tree.file("uploads/job_touched/data.csv", old());
        tree.file("uploads/job_other/data.csv", old());
        redis.setJob("job:rewritten", job("rewritten", old()));
        redis.setJob("job:untouched", job("untouched", old()));
        AdviceWith.adviceWith(context, "plan-and-delete", a -> a.weaveById("apply-cap").after().process(exchange -> {
            // the application writes again after the scan decided these were expired
            Files.setLastModifiedTime(touched, FileTime.from(Instant.now()));
            redis.setJob("job:rewritten", job("rewritten", Instant.now()));
        }));
        context.start();

        CleanerRun run = runOnce();

        assertThat(Files.exists(touched)).isTrue();
        assertThat(redis.exists("job:rewritten")).isTrue();
        assertThat(tree.exists("uploads/job_other/data.csv")).isFalse();
        assertThat(redis.exists("job:untouched")).isFalse();
        assertThat(outcome(run, "uploads/job_touched/data.csv")).isEqualTo("skipped");
        assertThat(outcome(run, "job:rewritten")).isEqualTo("skipped");
        assertThat(run.items()).filteredOn(i -> i.outcome().equals("skipped")).extracting(ItemOutcome::reason)
                .anySatisfy(r -> assertThat(r).startsWith("modified after the scan"))
                .anySatisfy(r -> assertThat(r).isEqualTo("value changed after the scan"));
        assertThat(run.deletedBlobs()).isEqualTo(1);
        assertThat(run.deletedKeys()).isEqualTo(1);
        assertThat(run.exitCode()).isZero();
    }

    @Test
    void anItemRemovedByOthersAfterTheScanCountsAsDeleted() throws Exception {
        Path gone = tree.file("results/job_gone.json", old());
        redis.setJob("job:gone", job("gone", old()));
        AdviceWith.adviceWith(context, "plan-and-delete", a -> a.weaveById("apply-cap").after().process(exchange -> {
            Files.delete(gone);
            // only the record: a FLUSHALL would take the run's lease too, and a run without its lease deletes nothing
            try (var jedis = redis.client()) {
                jedis.del("job:gone");
            }
        }));
        context.start();

        CleanerRun run = runOnce();

        assertThat(run.items()).extracting(ItemOutcome::outcome).containsOnly("deleted");
        assertThat(run.items()).extracting(ItemOutcome::reason).containsOnly("already gone");
        assertThat(run.exitCode()).isZero();
    }

    @Test
    void aFailedDeleteIsRetriedThenSucceeds() throws Exception {
        tree.file("uploads/job_flaky/data.csv", old());
        flaky.failures.put("uploads/job_flaky/data.csv", new AtomicInteger(2));
        context.start();

        CleanerRun run = runOnce();

        assertThat(flaky.attempts.get("uploads/job_flaky/data.csv").get()).isEqualTo(3);
        assertThat(outcome(run, "uploads/job_flaky/data.csv")).isEqualTo("deleted");
        assertThat(tree.exists("uploads/job_flaky/data.csv")).isFalse();
        assertThat(run.errors()).isEmpty();
    }

    @Test
    void aDeleteThatKeepsFailingIsRecordedAndTheRunGoesOn() throws Exception {
        tree.file("uploads/job_stuck/data.csv", old().minusSeconds(60));
        tree.file("uploads/job_fine/data.csv", old());
        flaky.failures.put("uploads/job_stuck/data.csv", new AtomicInteger(Integer.MAX_VALUE));
        context.start();

        CleanerRun run = runOnce();

        assertThat(flaky.attempts.get("uploads/job_stuck/data.csv").get()).isEqualTo(1 + 3);
        assertThat(outcome(run, "uploads/job_stuck/data.csv")).isEqualTo("failed");
        assertThat(outcome(run, "uploads/job_fine/data.csv")).isEqualTo("deleted");
        assertThat(run.errors()).extracting(CleanerError::type, CleanerError::path)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("blob_deletion_failed", "uploads/job_stuck/data.csv"));
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.auditFile()).exists();
    }

    @Test
    void deletesArePacedByTheThrottle() throws Exception {
        // 5 per second: the 11th delete cannot start before two full periods have passed
        assertThat(millisToCleanExpiredFiles(11)).isGreaterThanOrEqualTo(1900);
    }

    @Test
    void aDryRunIsNotPacedByDefault() throws Exception {
        // 1 per second would take 20 full periods: a dry run deletes nothing, so nothing waits
        assertThat(millisToCleanExpiredFiles(21)).isLessThan(15_000);
        for (int i = 0; i < 21; i++) {
            assertThat(tree.root().resolve("uploads/job_" + i + "/data.csv")).exists();
        }
    }

    @Test
    void aDryRunIsPacedWhenAsked() throws Exception {
        // CLEANER_PACE_DRY_RUN=true: the same pace as a real run (e.g. to see how long one would take)
        assertThat(millisToCleanExpiredFiles(11)).isGreaterThanOrEqualTo(1900);
        assertThat(tree.root().resolve("uploads/job_10/data.csv")).exists();
    }

    /** Lays out {@code files} expired files, runs once (all of them planned) and returns the run's milliseconds. */
    private long millisToCleanExpiredFiles(int files) throws Exception {
        for (int i = 0; i < files; i++) {
            tree.file("uploads/job_" + i + "/data.csv", old());
        }
        context.start();
        long start = System.nanoTime();
        CleanerRun run = runOnce();
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertThat(run.deletedBlobs()).isEqualTo(files);
        return millis;
    }

    /** A real local store whose deletes fail a set number of times per item. */
    static final class FlakyBlobStore extends ForwardingBlobStore {
        final Map<String, AtomicInteger> failures = new ConcurrentHashMap<>();
        final Map<String, AtomicInteger> attempts = new ConcurrentHashMap<>();

        FlakyBlobStore(BlobStore real) {
            super(real);
        }

        @Override
        public Recheck deleteIfUnchanged(ScannedItem c, Instant cutoff) throws Exception {
            attempts.computeIfAbsent(c.id(), k -> new AtomicInteger()).incrementAndGet();
            AtomicInteger left = failures.get(c.id());
            if (left != null && left.getAndDecrement() > 0) {
                throw new IOException("injected failure");
            }
            return real.deleteIfUnchanged(c, cutoff);
        }
    }
}
