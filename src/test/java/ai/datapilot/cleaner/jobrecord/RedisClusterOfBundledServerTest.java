package ai.datapilot.cleaner.jobrecord;

import static ai.datapilot.cleaner.testing.CleanerRuns.env;
import static ai.datapilot.cleaner.testing.CleanerRuns.run;
import static ai.datapilot.cleaner.testing.RedisForTests.job;
import static ai.datapilot.cleaner.testing.StorageTree.old;
import static ai.datapilot.cleaner.testing.StorageTree.recent;
import static org.assertj.core.api.Assertions.assertThat;

import ai.datapilot.cleaner.testing.CleanerRuns.Result;
import ai.datapilot.cleaner.testing.RedisClusterForTests;
import ai.datapilot.cleaner.testing.StorageTree;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.ClusterPipeline;

/**
 * On a machine with only a JDK and Maven: the test cluster is built from the redis-server shipped
 * in embedded-redis, through the client alone (no redis-cli), and a run cleans it.
 */
class RedisClusterOfBundledServerTest {

    @RegisterExtension
    static RedisClusterForTests cluster = RedisClusterForTests.ofBundledServer();

    @TempDir
    Path tmp;

    @Test
    void theBundledServerMakesAThreeMasterClusterThatARunCleans() throws Exception {
        try (ClusterPipeline p = cluster.client().pipelined()) {
            for (int i = 0; i < 300; i++) {
                p.set("job:old-" + i, job("old-" + i, old()));
                p.set("job:new-" + i, job("new-" + i, recent()));
            }
            p.sync();
        }
        assertThat(cluster.keysPerMaster()).hasSize(3).allSatisfy(n -> assertThat(n).isGreaterThan(100));

        StorageTree tree = new StorageTree(Files.createDirectory(tmp.resolve("storage")));
        Result result = run(env(tree.root(), cluster.url(), "CLEANER_DRY_RUN", "false"));

        assertThat(result.exitCode()).as(result.stdout()).isZero();
        assertThat(result.audit().get("deletedKeys").asInt()).isEqualTo(300);
        assertThat(cluster.allKeys("job:*")).hasSize(300).allMatch(k -> k.startsWith("job:new-"));
    }
}
