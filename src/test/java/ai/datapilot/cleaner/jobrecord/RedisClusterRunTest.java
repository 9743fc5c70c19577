package ai.datapilot.cleaner.jobrecord;

import static ai.datapilot.cleaner.testing.CleanerRuns.env;
import static ai.datapilot.cleaner.testing.CleanerRuns.run;
import static ai.datapilot.cleaner.testing.RedisForTests.job;
import static ai.datapilot.cleaner.testing.StorageTree.old;
import static ai.datapilot.cleaner.testing.StorageTree.recent;
import static org.assertj.core.api.Assertions.assertThat;

import ai.datapilot.cleaner.lease.RedisRunLease;
import ai.datapilot.cleaner.settings.RedisUrl;
import ai.datapilot.cleaner.store.Recheck;
import ai.datapilot.cleaner.store.ScannedItem;
import ai.datapilot.cleaner.testing.CleanerRuns.Result;
import ai.datapilot.cleaner.testing.ExpiredItems;
import ai.datapilot.cleaner.testing.RedisClusterForTests;
import ai.datapilot.cleaner.testing.StorageTree;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import redis.clients.jedis.ClusterPipeline;
import redis.clients.jedis.util.JedisClusterCRC16;

/**
 * Job records in a real three-master Redis Cluster of private redis-server processes: every master
 * scanned, deletes sent to the node that owns each key, the same compare-and-delete and lease as
 * on one server.
 */
class RedisClusterRunTest {

    @RegisterExtension
    static RedisClusterForTests cluster = new RedisClusterForTests();

    @TempDir
    Path tmp;

    StorageTree tree;

    @BeforeEach
    void storage() throws IOException {
        tree = new StorageTree(Files.createDirectory(tmp.resolve("storage")));
    }

    /** {@code count} old and {@code count} recent job records, spread by their names over all slots. */
    private void jobs(int count) {
        try (ClusterPipeline p = cluster.client().pipelined()) {
            for (int i = 0; i < count; i++) {
                p.set("job:old-" + i, job("old-" + i, old()));
                p.set("job:new-" + i, job("new-" + i, recent()));
            }
            p.sync();
        }
    }

    @Test
    void aRunCleansJobKeysOnEveryMasterAndKeepsTheRecentOnes() throws IOException {
        jobs(1500);
        cluster.client().set("other:key", "kept: not a job record");
        assertThat(cluster.keysPerMaster()).allSatisfy(n -> assertThat(n).isGreaterThan(500));

        Result result = run(env(tree.root(), cluster.url(), "CLEANER_DRY_RUN", "false", "CLEANER_MAX_DELETE_BATCH", "100000"));

        assertThat(result.exitCode()).as(result.stdout()).isZero();
        assertThat(result.audit().get("deletedKeys").asInt()).isEqualTo(1500);
        assertThat(result.itemIds("deleted")).hasSize(1500).allMatch(id -> id.startsWith("job:old-"));
        Set<String> left = cluster.allKeys("*");
        assertThat(left).hasSize(1501).contains("other:key").noneMatch(k -> k.startsWith("job:old-"));
        assertThat(result.audit().get("stores").get("redis").asText()).startsWith("redis-cluster://127.0.0.1:");
        // the lease is released on the cluster too
        assertThat(cluster.client().exists("datapilot-cleaner:lease")).isFalse();
    }

    @Test
    void aKeyThatIsNotUtf8IsDeletedAsItselfNotAsItsLookAlike() throws IOException {
        // job:\xff\xfe-1 read as text has U+FFFD twice: a different key, whose bytes are EF BF BD EF BF BD
        byte[] raw = {'j', 'o', 'b', ':', (byte) 0xff, (byte) 0xfe, '-', '1'};
        String lookAlike = new String(raw, java.nio.charset.StandardCharsets.UTF_8);
        cluster.client().set(raw, job("raw", old()).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        cluster.client().set(lookAlike, job("look-alike", recent()));

        Result result = run(env(tree.root(), cluster.url(), "CLEANER_DRY_RUN", "false"));

        assertThat(result.exitCode()).as(result.stdout()).isZero();
        assertThat(result.itemIds("deleted")).containsExactly("job:\\xff\\xfe-1");
        assertThat(cluster.client().exists(raw)).isFalse();
        assertThat(cluster.client().get(lookAlike)).contains("look-alike");
        assertThat(result.audit().get("totalKeysScanned").asInt()).isEqualTo(2);
    }

    @Test
    void anExpiredJobInEverySlotOfTheClusterIsCleaned() throws IOException {
        // one key per slot, 16,384 in all: a hash tag chosen for each slot puts the key there
        String[] keyOfSlot = new String[16384];
        int found = 0;
        for (int i = 0; found < keyOfSlot.length; i++) {
            int slot = JedisClusterCRC16.getSlot(Integer.toString(i));
            if (keyOfSlot[slot] == null) {
                keyOfSlot[slot] = "job:{" + i + "}";
                found++;
            }
        }
        try (ClusterPipeline p = cluster.client().pipelined()) {
            for (String key : keyOfSlot) {
                p.set(key, job(key.substring(4), old()));
            }
            p.set("job:{fresh}", job("fresh", recent()));
            p.sync();
        }

        Result result = run(env(tree.root(), cluster.url(), "CLEANER_DRY_RUN", "false", "CLEANER_MAX_DELETE_BATCH", "100000"));

        assertThat(result.exitCode()).as(result.stdout()).isZero();
        assertThat(result.audit().get("totalKeysScanned").asInt()).isEqualTo(16385);
        assertThat(result.audit().get("deletedKeys").asInt()).isEqualTo(16384);
        assertThat(cluster.allKeys("job:*")).containsExactly("job:{fresh}");
    }

    @Test
    void dryRunOnAClusterDeletesNothingAndTheCapHoldsAcrossMasters() throws IOException {
        jobs(300);
        tree.file("uploads/job_a/in.csv", old());

        Result dry = run(env(tree.root(), cluster.url(), "CLEANER_MAX_DELETE_BATCH", "50"));

        assertThat(dry.exitCode()).as(dry.stdout()).isZero();
        assertThat(dry.itemIds("would_delete")).hasSize(50);
        assertThat(cluster.allKeys("job:*")).hasSize(600);

        Result real = run(env(tree.root(), cluster.url(), "CLEANER_MAX_DELETE_BATCH", "50", "CLEANER_DRY_RUN", "false"));

        assertThat(real.exitCode()).as(real.stdout()).isZero();
        assertThat(real.itemIds("deleted")).hasSize(50);
        // 301 expired items (300 keys on three masters, one file): 50 deleted, the rest wait
        int oldLeft = cluster.allKeys("job:old-*").size() + (tree.exists("uploads/job_a/in.csv") ? 1 : 0);
        assertThat(oldLeft).isEqualTo(301 - 50);
        assertThat(cluster.allKeys("job:new-*")).hasSize(300);
    }

    @Test
    void aRecordRewrittenAfterTheScanIsKeptOnItsOwnNode() throws Exception {
        jobs(200);
        RedisUrl url = RedisUrl.parse(cluster.url());
        RedisConnectionFactory factory = RedisConnections.connectionFactory(url, Duration.ofSeconds(5));
        try {
            RedisJobRecordStore store = new RedisJobRecordStore(RedisConnections.template(factory), url.masked());
            List<ScannedItem> found = ExpiredItems.of(store);
            assertThat(found).hasSize(200);
            // the application touches two records after the scan
            cluster.client().set("job:old-7", job("old-7", recent()));
            cluster.client().del("job:old-8");

            List<Recheck> answers = store.deleteAllIfUnchanged(found, Instant.now());

            for (int i = 0; i < found.size(); i++) {
                String id = found.get(i).id();
                Recheck.State expected = id.equals("job:old-7") ? Recheck.State.CHANGED
                        : id.equals("job:old-8") ? Recheck.State.GONE : Recheck.State.EXPIRED;
                assertThat(answers.get(i).state()).as(id).isEqualTo(expected);
            }
            assertThat(cluster.allKeys("job:old-*")).containsExactly("job:old-7");
        } finally {
            RedisConnections.close(factory);
        }
    }

    @Test
    void theLeaseWorksOnTheCluster() throws Exception {
        RedisUrl url = RedisUrl.parse(cluster.url());
        RedisConnectionFactory factory = RedisConnections.connectionFactory(url, Duration.ofSeconds(5));
        try {
            StringRedisTemplate template = RedisConnections.template(factory);
            RedisRunLease lease = new RedisRunLease(template, "datapilot-cleaner:lease", Duration.ofSeconds(30));
            assertThat(lease.tryAcquire("run-a")).isEmpty();
            Optional<String> second = lease.tryAcquire("run-b");
            assertThat(second).get().asString().contains("run-a");
            assertThat(lease.renew("run-b")).isFalse();
            assertThat(lease.renew("run-a")).isTrue();
            lease.release("run-b");
            assertThat(cluster.client().get("datapilot-cleaner:lease")).isEqualTo("run-a");
            lease.release("run-a");
            assertThat(cluster.client().exists("datapilot-cleaner:lease")).isFalse();
        } finally {
            RedisConnections.close(factory);
        }
    }
}
