package ai.datapilot.cleaner.rules;

import static org.assertj.core.api.Assertions.assertThat;

import ai.datapilot.cleaner.jobrecord.RedisConnections;
import ai.datapilot.cleaner.jobrecord.RedisJobRecordStore;
import ai.datapilot.cleaner.settings.RedisUrl;
import ai.datapilot.cleaner.store.Recheck;
import ai.datapilot.cleaner.store.ScannedItem;
import ai.datapilot.cleaner.testing.ExpiredItems;
import ai.datapilot.cleaner.testing.RedisClusterForTests;
import ai.datapilot.cleaner.testing.RedisForTests;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

/**
 * The re-check just before a delete sees the field a keep rule looks at: a hash job that went
 * back to running after the scan (its timestamps untouched) is kept, on one Redis and on a cluster.
 */
class KeptJobRecheckTest {

    @RegisterExtension
    static RedisForTests redis = new RedisForTests();

    @RegisterExtension
    static RedisClusterForTests cluster = new RedisClusterForTests();

    private static final String OLD = Instant.now().minus(Duration.ofDays(10)).toString();

    @Test
    void aHashWhoseStatusChangedSinceTheScanIsKeptOnOneRedis() throws Exception {
        try (Jedis jedis = redis.client()) {
            jedis.hset("job:a", Map.of("status", "completed", "updatedAt", OLD));
            jedis.hset("job:b", Map.of("status", "completed", "updatedAt", OLD));
        }
        check(redis.url(), key -> {
            try (Jedis jedis = redis.client()) {
                jedis.hset(key, "status", "running");
            }
        }, redis::exists);
    }

    @Test
    void aHashWhoseStatusChangedSinceTheScanIsKeptOnACluster() throws Exception {
        cluster.client().hset("job:a", Map.of("status", "completed", "updatedAt", OLD));
        cluster.client().hset("job:b", Map.of("status", "completed", "updatedAt", OLD));
        check(cluster.url(), key -> cluster.client().hset(key, "status", "running"), key -> cluster.client().exists(key));
    }

    private void check(String url, Consumer<String> backToRunning, java.util.function.Predicate<String> exists) throws Exception {
        var factory = RedisConnections.connectionFactory(RedisUrl.parse(url), Duration.ofSeconds(2));
        try {
            RedisJobRecordStore store = new RedisJobRecordStore(RedisConnections.template(factory), url);
            store.watchFields(List.of("status"));
            List<ScannedItem> found = ExpiredItems.of(store);
            assertThat(found).extracting(ScannedItem::id).containsExactlyInAnyOrder("job:a", "job:b");
            assertThat(found).allSatisfy(i -> assertThat(i.fields().values()).containsEntry("status", "completed"));
            backToRunning.accept("job:a");
            List<ScannedItem> ordered = found.stream().sorted(java.util.Comparator.comparing(ScannedItem::id)).toList();

            List<Recheck> answers = store.deleteAllIfUnchanged(ordered, Instant.now().minus(Duration.ofDays(1)));

            assertThat(answers.get(0).state()).isEqualTo(Recheck.State.CHANGED);
            assertThat(answers.get(1).state()).isEqualTo(Recheck.State.EXPIRED);
            assertThat(exists.test("job:a")).isTrue();
            assertThat(exists.test("job:b")).isFalse();
        } finally {
            RedisConnections.close(factory);
        }
    }
}
