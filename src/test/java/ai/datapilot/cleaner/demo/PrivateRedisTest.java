package ai.datapilot.cleaner.demo;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The bundled redis-server is what the tests and the demo fall back on without Debian's. */
class PrivateRedisTest {

    @Test
    void theBundledServerStartsOnAPrivatePortAndStops() throws Exception {
        PrivateRedis redis = PrivateRedis.startBundled();
        try {
            assertThat(redis.port()).isNotEqualTo(6379);
            assertThat(redis.binary()).doesNotStartWith("/usr/bin");
            assertThat(redis.command("SET", "job:probe", "{}")).isEqualTo("+OK");
            assertThat(redis.command("CONFIG", "GET", "save")).isEqualTo("*2");
        } finally {
            redis.close();
        }
        assertThat(redis.isAlive()).isFalse();
    }
}
