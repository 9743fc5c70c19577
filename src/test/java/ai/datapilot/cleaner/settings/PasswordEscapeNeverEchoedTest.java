package ai.datapilot.cleaner.settings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A password with a '%' that is no percent-escape ("%Q9") is refused, but the decoder's own message
 * quoted the two characters after the '%' ("Error at index 0 in: \"Q9\""): a piece of the secret in
 * the refusal, hence on stderr, in the summary line and in the audit.
 */
class PasswordEscapeNeverEchoedTest {

    @ParameterizedTest
    @ValueSource(strings = {"redis://cleaner:xY%Q9-rest@127.0.0.1:6390/0", "redis://xY%Q9-rest@127.0.0.1:6390/0",
            "redis-cluster://cleaner:xY%Q9-rest@127.0.0.1:6390,127.0.0.1:6391"})
    void theRefusalOfAPasswordWithABadEscapeShowsNoPartOfIt(String url) {
        SettingsRefusedException refused = catchThrowableOfType(
                () -> SettingsParser.parse(Map.of("REDIS_URL", url, "BLOB_STORAGE_URL", "s3://datapilot-test",
                        "CLEANER_S3_ENDPOINT", "http://127.0.0.1:9")),
                SettingsRefusedException.class);

        assertThat(refused).isNotNull();
        assertThat(refused.refusals()).singleElement().satisfies(r -> {
            assertThat(r.variable()).isEqualTo("REDIS_URL");
            assertThat(r.message()).contains("REDIS_URL=").contains("fix: ")
                    .doesNotContain("Q9").doesNotContain("xY").doesNotContain("rest@");
        });
        assertThat(refused.getMessage()).doesNotContain("Q9");
    }
}
