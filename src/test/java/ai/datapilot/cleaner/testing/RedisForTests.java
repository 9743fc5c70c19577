package ai.datapilot.cleaner.testing;

import ai.datapilot.cleaner.demo.PrivateRedis;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import redis.clients.jedis.Jedis;

/**
 * One private redis-server per test class, emptied before each test; never the machine's own
 * Redis. Use as {@code @RegisterExtension static RedisForTests redis = new RedisForTests();}.
 */
public final class RedisForTests implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback {

    private final boolean persistent;
    private PrivateRedis server;

    public RedisForTests() {
        this(false);
    }

    /** With {@code persistent}, the data survives killing and restarting the server. */
    public RedisForTests(boolean persistent) {
        this.persistent = persistent;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        server = persistent ? PrivateRedis.startPersistent() : PrivateRedis.start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        server.close();
    }

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        if (!server.isAlive()) {
            server.restart(); // a test killed it
        }
        flush();
    }

    public PrivateRedis server() {
        return server;
    }

    public String url() {
        return server.url();
    }

    public Jedis client() {
        return new Jedis("127.0.0.1", server.port());
    }

    public void flush() {
        try (Jedis jedis = client()) {
            jedis.flushAll();
        }
    }

    public void setJob(String key, String json) {
        try (Jedis jedis = client()) {
            jedis.set(key, json);
        }
    }

    public boolean exists(String key) {
        try (Jedis jedis = client()) {
            return jedis.exists(key);
        }
    }

    public static String job(String id, Object updatedAt) {
        String ts = updatedAt instanceof Number ? updatedAt.toString() : "\"" + updatedAt + "\"";
        return "{\"jobId\":\"" + id + "\",\"status\":\"completed\",\"createdAt\":" + ts + ",\"updatedAt\":" + ts + "}";
    }
}
