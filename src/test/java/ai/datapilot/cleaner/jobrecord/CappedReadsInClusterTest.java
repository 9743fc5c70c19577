package ai.datapilot.cleaner.jobrecord;

import static ai.datapilot.cleaner.testing.CleanerRuns.env;
import static ai.datapilot.cleaner.testing.CleanerRuns.run;
import static ai.datapilot.cleaner.testing.RedisForTests.job;
import static ai.datapilot.cleaner.testing.StorageTree.old;
import static org.assertj.core.api.Assertions.assertThat;

import ai.datapilot.cleaner.testing.CleanerRuns.Result;
import ai.datapilot.cleaner.testing.RedisClusterForTests;
import ai.datapilot.cleaner.testing.StorageTree;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * In a cluster each key gets its own script call, with the caps passed per key: the same answers
 * as on one server for hashes, fields over the cap and strings over the cap.
 */
class CappedReadsInClusterTest {

    @RegisterExtension
    static RedisClusterForTests cluster = new RedisClusterForTests();

    @TempDir
    Path tmp;

    @Test
    void hashesAndValuesOverTheCapGetTheSameAnswersAsOnOneServer() throws IOException {
        String o = old().toString();
        cluster.client().hset("job:hash_old", Map.of("status", "done", "updatedAt", o));
        cluster.client().hset("job:hash_long_field", Map.of("updatedAt", o, "createdAt", "1".repeat(2048)));
        cluster.client().hset("job:hash_placeholder", Map.of("updatedAt", "0001-01-01T00:00:00Z", "createdAt", o));
        cluster.client().set("job:string_old", job("string_old", old()));
        String big = "{\"updatedAt\":\"" + o + "\",\"pad\":\"" + "x".repeat(70 * 1024) + "\"}";
        cluster.client().set("job:string_70k", big);
        StorageTree tree = new StorageTree(Files.createDirectory(tmp.resolve("storage")));

        Result result = run(env(tree.root(), cluster.url(), "CLEANER_DRY_RUN", "false"));

        assertThat(result.exitCode()).isZero();
        assertThat(result.itemIds("deleted")).containsExactlyInAnyOrder("job:hash_old", "job:string_old");
        assertThat(result.audit().get("skipped")).extracting(JsonNode::asText).containsExactlyInAnyOrder(
                "job:hash_long_field: createdAt is larger than 1024 bytes (2048 bytes): not a timestamp, age not established",
                "job:hash_placeholder: updatedAt \"0001-01-01T00:00:00Z\" is a placeholder, not a job time (not after 2000-01-01T00:00:00Z)",
                "job:string_70k: value is larger than 65536 bytes (" + big.length() + " bytes): age not established");
        assertThat(cluster.allKeys("job:*")).containsExactlyInAnyOrder("job:hash_long_field", "job:hash_placeholder", "job:string_70k");
    }
}
