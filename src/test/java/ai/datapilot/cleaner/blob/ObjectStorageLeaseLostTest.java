package ai.datapilot.cleaner.blob;

import static ai.datapilot.cleaner.testing.CleanerRuns.env;
import static ai.datapilot.cleaner.testing.CleanerRuns.run;
import static ai.datapilot.cleaner.testing.StorageTree.old;
import static org.assertj.core.api.Assertions.assertThat;

import ai.datapilot.cleaner.testing.CleanerRuns.Result;
import ai.datapilot.cleaner.testing.RedisForTests;
import ai.datapilot.cleaner.testing.S3ForTests;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.params.SetParams;

/**
 * A bucket has no local lock: the Redis lease alone keeps two runs apart. When that lease is lost
 * mid-run (a Redis restarted without persistence, a failover, a FLUSHALL) and another run takes
 * it, this run must stop deleting objects at once, not at its next renewal a third of the lease
 * lifetime later.
 */
class ObjectStorageLeaseLostTest {

    private static final String LEASE = "datapilot-cleaner:lease";

    @RegisterExtension
    static RedisForTests redis = new RedisForTests();

    @RegisterExtension
    static S3ForTests s3 = new S3ForTests();

    @TempDir
    Path tmp;

    @Test
    void aBucketRunWhoseLeaseIsTakenMidwayDeletesNoObjectAfterwardsAndSaysSo() throws Exception {
        int count = 40;
        for (int i = 0; i < count; i++) {
            // oldest first: object 0 goes first
            s3.put("uploads/job_" + i + "/input.csv", "data " + i, old().minusSeconds(1000 - i));
        }
        Map<String, Long> goneAt = new ConcurrentHashMap<>();
        Map<String, Long> presentAt = new ConcurrentHashMap<>();
        AtomicLong stolenAt = new AtomicLong(Long.MAX_VALUE);
        Thread watcher = new Thread(() -> {
            long deadline = System.nanoTime() + 60_000_000_000L;
            try (Jedis jedis = redis.client()) {
                while (goneAt.size() < count && System.nanoTime() - stolenAt.get() < 3_000_000_000L
                        && System.nanoTime() < deadline) {
                    for (int i = 0; i < count; i++) {
                        String key = "uploads/job_" + i + "/input.csv";
                        if (!goneAt.containsKey(key)) {
                            long asked = System.nanoTime();
                            if (s3.exists(key)) {
                                // the delete came after this: a lower bound, however slow the sweep (a loaded machine)
                                presentAt.put(key, asked);
                            } else {
                                goneAt.put(key, asked);
                            }
                        }
                    }
                    if (stolenAt.get() == Long.MAX_VALUE && goneAt.size() >= 3) {
                        jedis.del(LEASE);
                        jedis.set(LEASE, "other-host:4242:1.1:run", SetParams.setParams().nx().px(60_000));
                        stolenAt.set(System.nanoTime());
                    }
                    Thread.sleep(2);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "lease-thief");
        Map<String, String> env = new HashMap<>(env(tmp, redis.url()));
        env.remove("LOCAL_STORAGE_ROOT");
        env.putAll(s3.settings(""));
        env.put("CLEANER_DRY_RUN", "false");
        // 5 deletes a second under the default 60 s lease: the next renewal is 20 s away
        env.put("CLEANER_DELETES_PER_SECOND", "5");

        watcher.start();
        Result result = run(env, s3);
        watcher.join();

        assertThat(stolenAt.get()).as("the lease was taken mid-run").isNotEqualTo(Long.MAX_VALUE);
        // a delete already confirmed (at most the confirmation period earlier) may still land
        long late = stolenAt.get() + 600_000_000L;
        assertThat(goneAt.keySet().stream().filter(k -> presentAt.getOrDefault(k, 0L) > late).toList())
                .as("objects seen present after the lease was taken (and the confirmation period), then deleted").isEmpty();
        assertThat(goneAt.size()).isLessThan(count);
        assertThat(result.exitCode()).as(result.stdout()).isEqualTo(1);
        assertThat(result.summary().get("errors").toString()).contains("lease");
        try (Jedis jedis = redis.client()) {
            assertThat(jedis.get(LEASE)).as("the other run's lease is left alone").isEqualTo("other-host:4242:1.1:run");
        }
    }
}
