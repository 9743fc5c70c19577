package ai.datapilot.cleaner.lease;

import static ai.datapilot.cleaner.testing.CleanerRuns.env;
import static ai.datapilot.cleaner.testing.CleanerRuns.run;
import static ai.datapilot.cleaner.testing.RedisForTests.job;
import static ai.datapilot.cleaner.testing.StorageTree.old;
import static org.assertj.core.api.Assertions.assertThat;

import ai.datapilot.cleaner.testing.CleanerRuns.Result;
import ai.datapilot.cleaner.testing.RedisForTests;
import ai.datapilot.cleaner.testing.S3ForTests;
import ai.datapilot.cleaner.testing.StorageTree;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/**
 * A run that does not hold the lease deletes nothing, and says why: a lock file it cannot use is
 * an error with its fix (exit 1), not "another cleaner is running"; a bucket whose Redis lease
 * cannot be reached has nothing else to guard it; a lease key of the wrong type is an error. The
 * one exception: a local root whose OS lock this run holds cleans its files when Redis cannot be
 * reached at all, and leaves the job records alone.
 */
class LeaseFailsClosedTest {

    @RegisterExtension
    static RedisForTests redis = new RedisForTests();

    @RegisterExtension
    static S3ForTests s3 = new S3ForTests();

    static final String LEASE = "datapilot-cleaner:lease";

    @TempDir
    Path tmp;

    @Test
    void aLockFileThatCannotBeOpenedIsAnErrorWithItsFixNotAnotherRun() throws Exception {
        StorageTree tree = new StorageTree(Files.createDirectory(tmp.resolve("storage")));
        tree.file("uploads/job_old/data.csv", old());
        redis.setJob("job:job_old", job("job_old", old()));
        // a folder where the lock file should be: no run can ever lock it, root or not
        Path lock = Files.createDirectory(tree.root().resolve(LocalRunLock.FILE_NAME));

        Result result = run(env(tree.root(), redis.url(), "CLEANER_DRY_RUN", "false"));

        assertThat(result.exitCode()).as(result.stdout()).isEqualTo(1);
        assertThat(result.errorTypes()).containsExactly("lease_failed");
        String message = result.summary().get("errors").get(0).get("message").asText();
        assertThat(message).contains(lock.toString()).contains("must be able to create and write this file");
        assertThat(result.audit().get("leaseUnavailable").asText()).doesNotContain("another cleaner");
        assertThat(tree.exists("uploads/job_old/data.csv")).isTrue();
        assertThat(redis.exists("job:job_old")).isTrue();
    }

    @Test
    void aLeaseKeyOfTheWrongTypeIsAnErrorAndNothingIsDeleted() throws Exception {
        StorageTree tree = new StorageTree(Files.createDirectory(tmp.resolve("storage")));
        tree.file("uploads/job_old/data.csv", old());
        redis.setJob("job:job_old", job("job_old", old()));
        try (Jedis jedis = redis.client()) {
            jedis.hset(LEASE, "not", "a string");
        }

        Result result = run(env(tree.root(), redis.url(), "CLEANER_DRY_RUN", "false"));

        assertThat(result.exitCode()).as(result.stdout()).isEqualTo(1);
        assertThat(result.errorTypes()).containsExactly("lease_failed");
        assertThat(result.summary().get("errors").get(0).get("message").asText()).contains("WRONGTYPE");
        assertThat(tree.exists("uploads/job_old/data.csv")).isTrue();
        assertThat(redis.exists("job:job_old")).isTrue();
    }

    @Test
    void aBucketWhoseLeaseCannotBeReachedIsNotCleaned() throws Exception {
        s3.put("uploads/job_old/data.csv", "data", old());
        Map<String, String> env = new HashMap<>(env(tmp, "redis://127.0.0.1:1/0", "CLEANER_DRY_RUN", "false",
                "CLEANER_REDIS_TIMEOUT_MS", "500"));
        env.remove("LOCAL_STORAGE_ROOT");
        env.putAll(s3.settings(""));

        Result result = run(env, s3);

        assertThat(result.exitCode()).as(result.stdout()).isEqualTo(1);
        assertThat(result.errorTypes()).containsExactly("lease_failed");
        assertThat(result.audit().get("status").asText()).isEqualTo("lease_unavailable");
        assertThat(result.audit().get("items")).isEmpty();
        assertThat(s3.exists("uploads/job_old/data.csv")).isTrue();
    }

    @Test
    void aBucketRunWhoseLeaseCanNoLongerBeRenewedStopsBeforeItCouldLapse() throws Exception {
        for (int i = 0; i < 20; i++) {
            s3.put(String.format("uploads/job_%02d/data.csv", i), "data", old().minusSeconds(i));
        }
        Map<String, String> env = new HashMap<>(env(tmp, redis.url(), "CLEANER_DRY_RUN", "false",
                "CLEANER_REDIS_TIMEOUT_MS", "500", "CLEANER_DELETES_PER_SECOND", "2", "CLEANER_LEASE_TTL_SECONDS", "5"));
        env.remove("LOCAL_STORAGE_ROOT");
        env.putAll(s3.settings(""));
        Thread killer = new Thread(() -> {
            try {
                while (!redis.exists(LEASE)) {
                    Thread.sleep(20);
                }
                Thread.sleep(500);
                redis.server().kill(); // the lease can no longer be renewed, nor taken by anyone
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        killer.start();

        Result result = run(env, s3);
        killer.join();

        // 20 paced deletes take 10 s; each object delete needs the lease confirmed a moment before:
        // with Redis gone the next one is kept, an error says why, and the run stops
        assertThat(result.exitCode()).as(result.stdout()).isEqualTo(1);
        assertThat(result.errorTypes()).contains("lease_failed");
        assertThat(result.audit().get("interruptedBy").asText()).isEqualTo("lease lost");
        assertThat(result.itemIds("deleted").size()).isBetween(1, 9);
        assertThat(s3.keys("uploads/").size()).isEqualTo(20 - result.itemIds("deleted").size());
    }

    @Test
    void aRenewalRedisRefusesStopsTheRunWithAnError() throws Exception {
        StorageTree tree = new StorageTree(Files.createDirectory(tmp.resolve("storage")));
        for (int i = 0; i < 20; i++) {
            tree.file(String.format("uploads/job_%02d/data.csv", i), old().minusSeconds(i));
        }
        Thread spoiler = new Thread(() -> {
            try {
                while (!redis.exists(LEASE)) {
                    Thread.sleep(20);
                }
                try (Jedis jedis = redis.client()) {
                    jedis.del(LEASE);
                    jedis.hset(LEASE, "not", "a lease"); // the next renewal gets WRONGTYPE
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        spoiler.start();

        Result result = run(env(tree.root(), redis.url(), "CLEANER_DRY_RUN", "false", "CLEANER_DELETES_PER_SECOND", "2",
                "CLEANER_LEASE_TTL_SECONDS", "5"));
        spoiler.join();

        assertThat(result.exitCode()).as(result.stdout()).isEqualTo(1);
        assertThat(result.audit().get("interruptedBy").asText()).isEqualTo("lease renewal failed");
        assertThat(result.errorTypes()).containsExactly("lease_failed");
        assertThat(result.summary().get("errors").get(0).get("message").asText()).contains("WRONGTYPE");
        assertThat(result.itemIds("deleted").size()).isBetween(1, 9);
    }

    @Test
    void aLocalRootWhoseLockIsHeldCleansItsFilesWhenRedisIsUnreachableAndLeavesTheRecords() throws Exception {
        StorageTree tree = new StorageTree(Files.createDirectory(tmp.resolve("storage")));
        tree.file("uploads/job_old/data.csv", old());

        Result result = run(env(tree.root(), "redis://127.0.0.1:1/0", "CLEANER_DRY_RUN", "false", "CLEANER_REDIS_TIMEOUT_MS", "500"));

        assertThat(result.exitCode()).as(result.stdout()).isEqualTo(1);
        assertThat(tree.exists("uploads/job_old/data.csv")).isFalse();
        assertThat(result.errorTypes()).containsExactly("redis_scan_failed");
        assertThat(result.audit().get("jobRecordsNotCleaned").asText()).contains("Redis unreachable");
    }
}
