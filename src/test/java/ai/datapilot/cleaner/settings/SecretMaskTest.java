package ai.datapilot.cleaner.settings;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SecretMaskTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "redis://h:1/0?password=pw                  | redis://h:1/0?***",
        "redis://h:1/0?user=u&password=pw;db=3      | redis://h:1/0?***",
        "redis://h:1/0?pw                           | redis://h:1/0?***",
        "redis://h:1/0#pw                           | redis://h:1/0#***",
        "redis://h:1/0?a=1#pw                       | redis://h:1/0?***",
        "redis://u:pw@h:1/0                         | redis://u:***@h:1/0",
        "redis://pw@h                               | redis://:***@h",
        "redis://u:p@w@h                            | redis://u:***@h",
        "redis://u:p?w@h                            | redis://***",
        "redis://h/0?x=a@b                          | redis://***",
        "h:1?password=pw                            | h:1?***",
        "redis://h:1/0                              | redis://h:1/0",
    })
    void passwordsAndQueryValuesAreMasked(String url, String masked) {
        assertThat(SecretMask.url(url)).isEqualTo(masked);
    }

    /**
     * Generated: secrets of upper-case letters and URL punctuation placed where a URL carries
     * secrets, everything else lower case and digits. No upper-case letter may survive the mask.
     */
    @Test
    void noPieceOfAGeneratedSecretSurvives() {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ@?#/:&=;%+";
        List<String> shapes = List.of("redis://user:{S}@host:6379/0", "redis://{P}@host", "rediss://:{S}@host/3",
                "redis://host:6379/0?password={S}", "redis://host/0?a=1&token={S}#{S}", "redis://host#{S}",
                "redis://user:{S}@host?x={S}", "host:6379?secret={S}", "redis-cluster://u:{S}@h1:7000,h2:7001",
                "s3://{P}@bucket/base", "http://k:{S}@minio:9000/?sig={S}");
        for (int i = 0; i < 5000; i++) {
            StringBuilder secret = new StringBuilder();
            for (int n = 1 + random.nextInt(16); n > 0; n--) {
                secret.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            // a password alone has no ':' (redis://a:b@h is user a, password b, as the parser reads it)
            String url = shapes.get(random.nextInt(shapes.size())).replace("{S}", secret).replace("{P}", secret.toString().replace(":", ""));
            String masked = SecretMask.shown("REDIS_URL", url);
            assertThat(masked).as("seed " + seed + ": " + url).doesNotContainPattern("[A-Z]");
        }
    }
}
