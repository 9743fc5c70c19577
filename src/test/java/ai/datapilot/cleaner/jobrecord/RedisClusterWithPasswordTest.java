package ai.datapilot.cleaner.jobrecord;

import static ai.datapilot.cleaner.testing.CleanerRuns.env;
import static ai.datapilot.cleaner.testing.CleanerRuns.run;
import static ai.datapilot.cleaner.testing.RedisForTests.job;
import static ai.datapilot.cleaner.testing.StorageTree.old;
import static org.assertj.core.api.Assertions.assertThat;

import ai.datapilot.cleaner.testing.CleanerRuns.Result;
import ai.datapilot.cleaner.testing.RedisClusterForTests;
import ai.datapilot.cleaner.testing.StorageTree;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;

/** A cluster that asks for a password (as managed clusters with AUTH do): given in REDIS_URL, never printed. */
class RedisClusterWithPasswordTest {

    static final String PASSWORD = "cluster-s3cret-pw";
    /** What a cluster needs besides the README's line: the topology the clients read. */
    static final String CLUSTER_ACL_ADDITION = " +cluster|slots +cluster|nodes";

    @RegisterExtension
    static RedisClusterForTests cluster = new RedisClusterForTests(PASSWORD);

    @TempDir
    Path tmp;

    @Test
    void thePasswordInTheUrlOpensEveryNodeAndIsNeverPrinted() throws Exception {
        StorageTree tree = new StorageTree(Files.createDirectory(tmp.resolve("storage")));
        for (int i = 0; i < 60; i++) {
            cluster.client().set("job:old-" + i, job("old-" + i, old()));
        }

        Result result = run(env(tree.root(), cluster.url(), "CLEANER_DRY_RUN", "false"));

        assertThat(result.exitCode()).as(result.stdout()).isZero();
        assertThat(result.audit().get("deletedKeys").asInt()).isEqualTo(60);
        assertThat(cluster.allKeys("job:*")).isEmpty();
        assertThat(result.stdout()).doesNotContain(PASSWORD);
        assertThat(result.audit().toString()).doesNotContain(PASSWORD).contains("redis-cluster://:***@127.0.0.1:");
    }

    @Test
    void anAclUserMadeWithTheDocumentedLinePlusTheClusterCommandsCleansAsItself() throws Exception {
        StorageTree tree = new StorageTree(Files.createDirectory(tmp.resolve("storage")));
        for (int i = 0; i < 60; i++) {
            cluster.client().set("job:old-" + i, job("old-" + i, old()));
        }
        // ACLs are per node: the operator runs the line on every node of the cluster
        String line = RedisUserAndDatabaseTest.OPERATOR_ACL_LINE.replace("PASSWORD", "cleaner-pw") + CLUSTER_ACL_ADDITION;
        for (HostAndPort node : cluster.nodes()) {
            try (Jedis jedis = new Jedis(node, DefaultJedisClientConfig.builder().password(PASSWORD).build())) {
                RedisUserAndDatabaseTest.acl(jedis, line);
                jedis.aclLogReset();
            }
        }
        String url = cluster.url().replace(":" + PASSWORD + "@", "datapilot-cleaner:cleaner-pw@");

        Result result = run(env(tree.root(), url, "CLEANER_DRY_RUN", "false"));

        assertThat(result.exitCode()).as(result.stdout()).isZero();
        assertThat(result.audit().get("deletedKeys").asInt()).isEqualTo(60);
        assertThat(cluster.allKeys("job:*")).isEmpty();
        assertThat(cluster.client().exists("datapilot-cleaner:lease")).isFalse();
        for (HostAndPort node : cluster.nodes()) {
            try (Jedis jedis = new Jedis(node, DefaultJedisClientConfig.builder().password(PASSWORD).build())) {
                assertThat(jedis.aclLog()).as("refused on %s", node).isEmpty();
                jedis.sendCommand(redis.clients.jedis.Protocol.Command.ACL, "DELUSER", "datapilot-cleaner");
            }
        }
    }

    @Test
    void aWrongPasswordIsAClearErrorAndNothingIsDeleted() throws Exception {
        StorageTree tree = new StorageTree(Files.createDirectory(tmp.resolve("storage")));
        tree.file("uploads/job_1/data.csv", old());
        cluster.client().set("job:old-1", job("old-1", old()));
        String wrong = cluster.url().replace(PASSWORD, "not-the-password");

        Result result = run(env(tree.root(), wrong, "CLEANER_DRY_RUN", "false", "CLEANER_REDIS_TIMEOUT_MS", "1000"));

        // Redis answered (WRONGPASS): not "unreachable", so the lease is not taken and nothing is deleted
        assertThat(result.exitCode()).as(result.stdout()).isEqualTo(1);
        assertThat(result.errorTypes()).containsExactly("lease_failed");
        assertThat(result.summary().get("errors").toString()).contains("WRONGPASS");
        assertThat(result.stdout()).doesNotContain("not-the-password");
        assertThat(tree.exists("uploads/job_1/data.csv")).isTrue();
        assertThat(cluster.client().exists("job:old-1")).isTrue();
    }
}
