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
}
