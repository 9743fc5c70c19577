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
import redis.clients.jedis.ClusterPipeline;

/**
 * A master of the cluster crashes before the run (a cluster of its own: it is not put back). The
 * job-record part fails with a clear error and exit 1; the blobs are still cleaned; no key is
 * deleted that the run did not re-check on its live node.
 */
class RedisClusterMasterDownTest {

    @RegisterExtension
    static RedisClusterForTests cluster = new RedisClusterForTests();

    @TempDir
    Path tmp;

    @Test
    void aDeadMasterIsAnErrorAndTheBlobsAreStillCleaned() throws Exception {
        StorageTree tree = new StorageTree(Files.createDirectory(tmp.resolve("storage")));
        tree.file("uploads/job_1/data.csv", old());
        try (ClusterPipeline p = cluster.client().pipelined()) {
            for (int i = 0; i < 300; i++) {
                p.set("job:old-" + i, job("old-" + i, old()));
            }
            p.sync();
        }
        cluster.killMaster(2);

        Result result = run(env(tree.root(), cluster.url(), "CLEANER_DRY_RUN", "false", "CLEANER_REDIS_TIMEOUT_MS", "500",
                "CLEANER_DELETE_RETRIES", "0"));

        assertThat(result.exitCode()).as(result.stdout()).isEqualTo(1);
        assertThat(result.errorTypes()).contains("redis_scan_failed");
        assertThat(tree.exists("uploads/job_1/data.csv")).isFalse();
        assertThat(result.audit().get("deletedBlobs").asInt()).isEqualTo(1);
    }
}
