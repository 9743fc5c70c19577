package ai.datapilot.cleaner.settings;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RedisUrlTest {

    @Test
    void parsesEveryDocumentedForm() {
        RedisUrl plain = RedisUrl.parse("redis://localhost:6379/0");
        assertThat(plain.host()).isEqualTo("localhost");
        assertThat(plain.port()).isEqualTo(6379);
        assertThat(plain.database()).isZero();
        assertThat(plain.tls()).isFalse();

        RedisUrl full = RedisUrl.parse("rediss://cleaner:p%40ss:w0rd@redis.internal:6380/3");
        assertThat(full.tls()).isTrue();
        assertThat(full.username()).contains("cleaner");
        assertThat(full.password()).contains("p@ss:w0rd");
        assertThat(full.host()).isEqualTo("redis.internal");
        assertThat(full.port()).isEqualTo(6380);
        assertThat(full.database()).isEqualTo(3);

        RedisUrl passwordOnly = RedisUrl.parse("redis://:secret@h");
        assertThat(passwordOnly.username()).isEmpty();
        assertThat(passwordOnly.password()).contains("secret");
        assertThat(passwordOnly.port()).isEqualTo(6379);

        assertThat(RedisUrl.parse("redis://[::1]:7000/1").host()).isEqualTo("::1");
    }

    @Test
    void theMaskedFormNeverShowsThePassword() {
        assertThat(RedisUrl.parse("redis://user:secret@h:1/2").masked()).isEqualTo("redis://user:***@h:1/2");
        assertThat(RedisUrl.parse("redis://:secret@h").masked()).isEqualTo("redis://:***@h:6379/0");
        assertThat(RedisUrl.parse("redis://user:secret@h").toString()).doesNotContain("secret");
        assertThat(RedisUrl.maskAny("redis://u:secret@h:bad")).isEqualTo("redis://u:***@h:bad");
    }

    @Test
    void aClusterIsNamedByItsSeedNodes() {
        RedisUrl cluster = RedisUrl.parse("redis-cluster://:secret@10.0.0.1:7000,10.0.0.2:7001, redis-c:7002");
        assertThat(cluster.cluster()).isTrue();
        assertThat(cluster.tls()).isFalse();
        assertThat(cluster.nodes()).containsExactly(new RedisUrl.Node("10.0.0.1", 7000),
                new RedisUrl.Node("10.0.0.2", 7001), new RedisUrl.Node("redis-c", 7002));
        assertThat(cluster.password()).contains("secret");
        assertThat(cluster.masked()).isEqualTo("redis-cluster://:***@10.0.0.1:7000,10.0.0.2:7001,redis-c:7002");

        RedisUrl tls = RedisUrl.parse("rediss-cluster://cleaner:pw@h1:6379");
        assertThat(tls.tls()).isTrue();
        assertThat(tls.cluster()).isTrue();
        assertThat(tls.masked()).isEqualTo("rediss-cluster://cleaner:***@h1:6379");
        assertThat(RedisUrl.parse("redis://h:1/0").cluster()).isFalse();
    }
}
