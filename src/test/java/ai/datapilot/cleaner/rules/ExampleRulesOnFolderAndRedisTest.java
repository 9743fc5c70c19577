package ai.datapilot.cleaner.rules;

import ai.datapilot.cleaner.testing.RedisForTests;
import ai.datapilot.cleaner.testing.StorageTree;
import java.nio.file.Files;
import java.time.Instant;
import java.util.Map;
import static org.assertj.core.api.Assertions.assertThat;

import ai.datapilot.cleaner.testing.CleanerRuns;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

/** The examples on a real directory tree and a private redis-server. */
class ExampleRulesOnFolderAndRedisTest extends ExampleRulesCases {

    @RegisterExtension
    static RedisForTests redis = new RedisForTests();

    private StorageTree tree;

    @BeforeEach
    void makeTree() throws Exception {
        tree = new StorageTree(Files.createDirectories(tmp.resolve("storage")));
    }

    @Override
    Map<String, String> storeEnv() {
        return Map.of("LOCAL_STORAGE_ROOT", tree.root().toString(), "REDIS_URL", redis.url());
    }

    @Override
    void putBlob(String id, String content, Instant modified) throws Exception {
        Files.writeString(tree.file(id, modified), content);
        Files.setLastModifiedTime(tree.path(id), java.nio.file.attribute.FileTime.from(modified));
    }

    @Override
    boolean blobExists(String id) {
        return tree.exists(id);
    }

    @Override
    void setString(String key, String value) {
        redis.setJob(key, value);
    }

    @Override
    void setHash(String key, Map<String, String> fields) {
        try (Jedis jedis = redis.client()) {
            jedis.hset(key, fields);
        }
    }

    @Override
    boolean keyExists(String key) {
        return redis.exists(key);
    }

    /** An operator's own filter in the delete split, reading the item a paced batch holds. */
    @Test
    void aBatchAFilterOfYoursStopsIsKeptAndCounted() throws Exception {
        putBlob("uploads/job_1/keep-me.csv", "abcd", daysAgo(10));
        putBlob("uploads/job_2/input.csv", "ab", daysAgo(10));
        Path routes = Files.createDirectories(tmp.resolve("routes"));
        String main = Files.readString(Path.of("routes", "cleaner.camel.yaml"));
        String deleteStep = "              - bean:\n                  id: delete-candidate\n";
        assertThat(main).contains(deleteStep);
        Files.writeString(routes.resolve("cleaner.camel.yaml"), main.replace(deleteStep, """
                              - filter:
                                  id: operator-hold
                                  simple: "${body.store} == 'blob' && ${body[0].id} contains 'keep-me' && ${body[0].size} > 3"
                                  steps:
                                    - stop: {}
                """ + deleteStep));

        CleanerRuns.Result result = run("CLEANER_ROUTES_DIR", routes.toString(), "CLEANER_DELETES_PER_SECOND", "1000");

        assertThat(result.exitCode()).as(result.stdout()).isZero();
        assertThat(blobExists("uploads/job_1/keep-me.csv")).isTrue();
        assertThat(blobExists("uploads/job_2/input.csv")).isFalse();
        JsonNode kept = item(result, "uploads/job_1/keep-me.csv");
        assertThat(kept.get("outcome").asText()).isEqualTo("kept");
        assertThat(kept.get("rule").asText()).isEqualTo("route");
        assertThat(result.summary().get("keptBlobs").asLong()).isEqualTo(1);
        assertThat(result.summary().get("deletedBlobs").asLong()).isEqualTo(1);
    }
}
