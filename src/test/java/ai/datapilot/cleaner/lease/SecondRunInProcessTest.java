package ai.datapilot.cleaner.lease;

import static org.assertj.core.api.Assertions.assertThat;

import ai.datapilot.cleaner.audit.CleanerRun;
import ai.datapilot.cleaner.jobrecord.RedisConnections;
import ai.datapilot.cleaner.settings.RedisUrl;
import ai.datapilot.cleaner.testing.RedisForTests;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

/**
 * Two runs of one process (a second trigger while a run goes), blobs in a bucket (the lease alone,
 * no lock file): the second is turned away without touching the first's token, so the first still
 * renews and releases its own lease.
 */
class SecondRunInProcessTest {

    @RegisterExtension
    static RedisForTests redis = new RedisForTests();

    static final String LEASE = "datapilot-cleaner:lease";

    @Test
    void theSecondRunLeavesTheFirstRunsLeaseAlone() throws Exception {
        var factory = RedisConnections.connectionFactory(RedisUrl.parse(redis.url()), Duration.ofSeconds(2));
        RunLease lease = new RunLease(null, new RedisRunLease(RedisConnections.template(factory), LEASE, Duration.ofSeconds(60)));
        try {
            CleanerRun first = run();
            CleanerRun second = run();
            lease.acquire(first);
            String held = lease.heldToken();
            assertThat(held).contains(first.runId());

            lease.acquire(second);
            assertThat(second.isLeaseHeld()).isFalse();
            assertThat(lease.heldToken()).as("the token of the run holding the lease").isEqualTo(held);
            assertThat(lease.holdsFor(first)).isTrue();
            assertThat(lease.holdsFor(second)).isFalse();

            // the second run ends first: its release does nothing; the first's release frees the lease
            lease.release(second);
            try (Jedis jedis = redis.client()) {
                assertThat(jedis.get(LEASE)).isEqualTo(held);
            }
            lease.release(first);
            assertThat(redis.exists(LEASE)).as("the first run released its lease").isFalse();
        } finally {
            lease.close();
            RedisConnections.close(factory);
        }
    }

    private static CleanerRun run() {
        return new CleanerRun(Instant.now(), 24.0, false, 10, "bucket", "redis");
    }
}
