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
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.UnifiedJedis;

/**
 * A hash whose watched field also exists in another letter case ({@code Status} beside
 * {@code status}) is kept, whether it had it at the scan or got it before the delete; a string
 * record that went back to running is kept. On one Redis and on a cluster.
 */
class WatchedFieldAttackTest {

    @RegisterExtension
    static RedisForTests redis = new RedisForTests();

    @RegisterExtension
    static RedisClusterForTests cluster = new RedisClusterForTests();

    private static final String OLD = Instant.now().minus(Duration.ofDays(10)).toString();
    private static final RunRules RULES = RulesFile.parse("keep:\n  - {name: busy, field: status, in: [running]}\n", 24, 1, "r")
            .rules().bind(Instant.now());

    @Test
    void onOneRedis() throws Exception {
        try (UnifiedJedis jedis = new UnifiedJedis(redis.url())) {
            check(redis.url(), jedis);
        }
    }

    @Test
    void onACluster() throws Exception {
        check(cluster.url(), cluster.client());
    }

    private void check(String url, UnifiedJedis jedis) throws Exception {
        jedis.hset("job:variant", Map.of("Status", "running", "status", "completed", "updatedAt", OLD));
        jedis.hset("job:only-variant", Map.of("STATUS", "running", "updatedAt", OLD));
        jedis.hset("job:later-variant", Map.of("status", "completed", "updatedAt", OLD));
        jedis.set("job:string", "{\"status\":\"completed\",\"updatedAt\":\"" + OLD + "\"}");
        jedis.hset("job:plain", Map.of("status", "completed", "updatedAt", OLD));
        // no status at the scan; a createdAt that is not a timestamp (updatedAt decides the age)
        jedis.hset("job:newline", Map.of("createdAt", "x\nrunning", "updatedAt", OLD));
        var factory = RedisConnections.connectionFactory(RedisUrl.parse(url), Duration.ofSeconds(2));
        try {
            RedisJobRecordStore store = new RedisJobRecordStore(RedisConnections.template(factory), url);
            store.watchFields(List.of("status"));
            List<ScannedItem> found = new java.util.ArrayList<>(ExpiredItems.of(store).stream().sorted(Comparator.comparing(ScannedItem::id)).toList());
            assertThat(found).extracting(ScannedItem::id)
                    .containsExactly("job:later-variant", "job:newline", "job:only-variant", "job:plain", "job:string", "job:variant");
            ScannedItem newline = found.remove(1);
            assertThat(RULES.keptBy(newline)).isNull();
            assertThat(RULES.keptBy(found.get(1)).reason()).contains("could not be read", "STATUS");
            assertThat(RULES.keptBy(found.get(4)).reason()).contains("could not be read", "Status");
            assertThat(RULES.keptBy(found.get(0))).isNull();
            assertThat(RULES.keptBy(found.get(2))).isNull();
            assertThat(RULES.keptBy(found.get(3))).isNull();

            jedis.hset("job:later-variant", "Status", "running");
            jedis.set("job:string", "{\"status\":\"running\",\"updatedAt\":\"" + OLD + "\"}");
            // the same bytes once joined with newlines: the old fingerprint could not tell them apart
            jedis.hset("job:newline", Map.of("createdAt", "x", "status", "running\n"));
            List<Recheck> answers = store.deleteAllIfUnchanged(List.of(found.get(0), found.get(2), found.get(3), newline),
                    Instant.now().minus(Duration.ofDays(1)));

            assertThat(answers).extracting(Recheck::state)
                    .containsExactly(Recheck.State.CHANGED, Recheck.State.EXPIRED, Recheck.State.CHANGED, Recheck.State.CHANGED);
            assertThat(jedis.exists("job:newline")).isTrue();
            assertThat(jedis.exists("job:later-variant")).isTrue();
            assertThat(jedis.exists("job:string")).isTrue();
            assertThat(jedis.exists("job:plain")).isFalse();
        } finally {
            RedisConnections.close(factory);
        }
    }
}
