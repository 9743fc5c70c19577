package ai.datapilot.cleaner.jobrecord;

import static ai.datapilot.cleaner.testing.RedisForTests.job;
import static ai.datapilot.cleaner.testing.StorageTree.old;
import static ai.datapilot.cleaner.testing.StorageTree.recent;
import static org.assertj.core.api.Assertions.assertThat;

import ai.datapilot.cleaner.audit.CleanerRun;
import ai.datapilot.cleaner.audit.ItemOutcome;
import ai.datapilot.cleaner.deletion.CandidateDeleter;
import ai.datapilot.cleaner.deletion.DeleteGate;
import ai.datapilot.cleaner.settings.CleanerSettings;
import ai.datapilot.cleaner.testing.RedisForTests;
import ai.datapilot.cleaner.testing.RoutesHarness;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.resps.ScanResult;

/**
 * SCAN may return a key more than once (during a rehash, or a cluster slot that moves between the
 * scans of two masters). The real SCAN is wrapped so that every key comes three times, twice in
 * one page and again in a second page: each key must be read, counted, capped and deleted once.
 */
class DuplicateScanKeysTest extends RoutesHarness {

    @RegisterExtension
    static RedisForTests redis = new RedisForTests();

    static final byte[] REPLAY = "replay".getBytes(StandardCharsets.US_ASCII);
    final AtomicInteger scanCalls = new AtomicInteger();

    @Override
    protected RedisForTests redis() {
        return redis;
    }

    @Override
    protected void settingsFor(Map<String, String> env) {
        env.put("CLEANER_MAX_DELETE_BATCH", "4");
    }

    @Override
    protected void replaceBeans(Map<String, Object> replacements, CleanerSettings settings) {
        List<byte[]> firstPage = new ArrayList<>();
        RedisJobRecordStore.ScanPages thrice = (jedis, cursor, params) -> {
            scanCalls.incrementAndGet();
            if (Arrays.equals(cursor, REPLAY)) {
                return new ScanResult<>(new byte[] {'0'}, new ArrayList<>(firstPage));
            }
            ScanResult<byte[]> real = jedis.scan(cursor, params);
            assertThat(real.getCursor()).as("the test's keys fit one real page").isEqualTo("0");
            firstPage.addAll(real.getResult());
            List<byte[]> doubled = new ArrayList<>(real.getResult());
            doubled.addAll(real.getResult());
            return new ScanResult<>(REPLAY, doubled);
        };
        RedisJobRecordStore records = new RedisJobRecordStore(configuration.redisTemplate(), "test", thrice);
        replacements.put("jobRecordStore", records);
        replacements.put("candidateDeleter", new CandidateDeleter(configuration.blobStore(), records, new DeleteGate(false)));
    }

    @Test
    void aKeyScannedThreeTimesIsCountedCappedAndDeletedOnce() {
        try (Jedis jedis = redis.client()) {
            for (int i = 0; i < 10; i++) {
                jedis.set("job:old-" + i, job("old-" + i, old().minus(Duration.ofMinutes(i))));
            }
            jedis.set("job:young-1", job("young-1", recent()));
            jedis.set("job:young-2", job("young-2", recent()));
            jedis.rpush("job:a-list", "not a record");
        }

        context.start();
        CleanerRun run = runOnce();

        assertThat(scanCalls.get()).isEqualTo(2);
        assertThat(run.errors()).isEmpty();
        assertThat(run.keysScanned()).isEqualTo(13);
        assertThat(run.expiredKeys()).isEqualTo(10);
        assertThat(run.skippedCount()).isEqualTo(1);
        assertThat(run.skipped()).hasSize(1);
        assertThat(run.deletedKeys()).as("the cap of 4, spent on four different keys").isEqualTo(4);
        assertThat(run.deferredKeys()).isEqualTo(6);
        List<String> deleted = run.items().stream().filter(o -> o.outcome().equals(ItemOutcome.DELETED)).map(ItemOutcome::id).toList();
        // the cap takes the oldest: old-9 .. old-6, each once
        assertThat(deleted).containsExactlyInAnyOrder("job:old-9", "job:old-8", "job:old-7", "job:old-6");
        assertThat(run.items()).hasSize(4);
        try (Jedis jedis = redis.client()) {
            assertThat(jedis.keys("job:old-*")).hasSize(6);
            assertThat(jedis.exists("job:young-1", "job:young-2", "job:a-list")).isEqualTo(3);
        }
    }
}
