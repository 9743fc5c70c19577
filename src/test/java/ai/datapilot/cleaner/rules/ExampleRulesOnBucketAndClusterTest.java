package ai.datapilot.cleaner.rules;

import ai.datapilot.cleaner.testing.CleanerRuns;
import ai.datapilot.cleaner.testing.RedisClusterForTests;
import ai.datapilot.cleaner.testing.S3ForTests;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The examples on a bucket (s3proxy) and a Redis Cluster. */
class ExampleRulesOnBucketAndClusterTest extends ExampleRulesCases {

    @RegisterExtension
    static S3ForTests s3 = new S3ForTests();

    @RegisterExtension
    static RedisClusterForTests cluster = new RedisClusterForTests();

    @Override
    Map<String, String> storeEnv() {
        Map<String, String> env = new HashMap<>(s3.settings(""));
        env.put("REDIS_URL", cluster.url());
        return env;
    }

    @Override
    CleanerRuns.Result runWith(Map<String, String> env) throws Exception {
        return CleanerRuns.run(env, s3);
    }

    @Override
    void putBlob(String id, String content, Instant modified) throws Exception {
        s3.put(id, content, modified);
    }

    @Override
    boolean blobExists(String id) {
        return s3.exists(id);
    }

    @Override
    void setString(String key, String value) {
        cluster.client().set(key, value);
    }

    @Override
    void setHash(String key, Map<String, String> fields) {
        cluster.client().hset(key, fields);
    }

    @Override
    boolean keyExists(String key) {
        return cluster.client().exists(key);
    }
}
