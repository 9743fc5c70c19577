package ai.datapilot.cleaner.settings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** REDIS_URL forms an outsider tries: refused without echoing the secret, or read as they say. */
class RedisUrlAttackTest {

    /** A bad escape in the password is refused, and the refusal quotes none of it. */
    @ParameterizedTest
    @ValueSource(strings = {"redis://:s%s3cr3t@h:1/0", "redis://user:s3cr3%t@h:1/0", "redis://us%er:s3cr3t@h:1/0", "redis://s%s3cr3t@h/0"})
    void aBadEscapeInTheUserInfoIsRefusedWithoutQuotingIt(String url) {
        assertThatThrownBy(() -> RedisUrl.parse(url))
                .isInstanceOf(IllegalArgumentException.class)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("s3").doesNotContain("cr3").doesNotContain("t\"")
                        .doesNotContain("er\""));
    }

    /** A database is ASCII digits: Integer.parseInt also takes a sign and non-ASCII digits, redis-cli neither. */
    @ParameterizedTest
    @ValueSource(strings = {"redis://h:1/+5", "redis://h:1/\u0665", "redis://h:1/-0", "redis://h:1/\uff15"})
    void aDatabaseThatIsNotPlainDigitsIsRefused(String url) {
        assertThatThrownBy(() -> RedisUrl.parse(url)).isInstanceOf(IllegalArgumentException.class);
    }
}
