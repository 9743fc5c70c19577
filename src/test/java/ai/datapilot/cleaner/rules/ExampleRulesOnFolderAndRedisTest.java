package ai.datapilot.cleaner.rules;

import ai.datapilot.cleaner.testing.RedisForTests;
import ai.datapilot.cleaner.testing.StorageTree;
import java.nio.file.Files;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
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
}
