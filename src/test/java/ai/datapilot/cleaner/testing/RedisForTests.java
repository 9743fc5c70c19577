package ai.datapilot.cleaner.testing;

import ai.datapilot.cleaner.demo.PrivateRedis;
import java.io.IOException;
import redis.clients.jedis.Jedis;

/** One private redis-server per test class, emptied between tests; never the machine's own Redis. */
public final class RedisForTests implements AutoCloseable {

    private final PrivateRedis server;

    private RedisForTests(PrivateRedis server) {
        this.server = server;
    }

    public static RedisForTests start() throws IOException {
        return new RedisForTests(PrivateRedis.start());
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

    @Override
    public void close() {
        server.close();
    }
}
