package ai.datapilot.cleaner.jobrecord;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RecordAgeTest {

    private static RecordAge.Result of(String json) {
        return RecordAge.ofJson(json.getBytes(StandardCharsets.UTF_8));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "\"2025-12-06T03:05:10.000001Z\"      | 2025-12-06T03:05:10.000001Z",
        "\"2025-12-06T03:05:10Z\"             | 2025-12-06T03:05:10Z",
        "\"2025-12-06T03:05:10+00:00\"        | 2025-12-06T03:05:10Z",
        "\"2025-12-06T05:05:10+02:00\"        | 2025-12-06T03:05:10Z",
        "\"2025-12-05T22:05:10-05:00\"        | 2025-12-06T03:05:10Z",
        "\"2025-12-06T05:05:10+0200\"         | 2025-12-06T03:05:10Z",
        "\"2025-12-06T03:05:10.123456\"       | 2025-12-06T03:05:10.123456Z",
        "\"2025-12-06 03:05:10\"              | 2025-12-06T03:05:10Z",
        "\"2025-12-06t03:05:10z\"             | ",
        "1764990310                           | 2025-12-06T03:05:10Z",
        "1764990310.5                         | 2025-12-06T03:05:10.500Z",
        "1764990310123                        | 2025-12-06T03:05:10.123Z",
        "\"1764990310\"                       | 2025-12-06T03:05:10Z",
        "\"1764990310123\"                    | 2025-12-06T03:05:10.123Z",
        "0                                    | ",
        "-5                                   | ",
        "\"\"                                 | ",
        "\"yesterday\"                        | ",
        "\"2025-12-06\"                       | ",
        "\"2025-13-40T99:00:00Z\"             | ",
        "true                                 | ",
        "{}                                   | ",
        "99999999999999999999                 | ",
    })
    void updatedAtForms(String value, String expected) {
        RecordAge.Result age = of("{\"updatedAt\":" + value + "}");
        if (expected == null) {
            assertThat(age.isKnown()).as(value).isFalse();
        } else {
            assertThat(age.age()).isEqualTo(Instant.parse(expected));
            assertThat(age.field()).isEqualTo("updatedAt");
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "{\"createdAt\":\"2025-12-06T03:05:10Z\"}                                  | createdAt",
        "{\"updatedAt\":\"\",\"createdAt\":\"2025-12-06T03:05:10Z\"}                | createdAt",
        "{\"updatedAt\":null,\"createdAt\":\"2025-12-06T03:05:10Z\"}                | createdAt",
        "{\"updatedAt\":\"garbage\",\"createdAt\":\"2025-12-06T03:05:10Z\"}         | createdAt",
        "{\"updatedAt\":\"2025-12-06T03:05:10Z\",\"createdAt\":\"2020-01-01T00:00:00Z\"} | updatedAt",
    })
    void updatedAtElseCreatedAt(String json, String field) {
        RecordAge.Result age = of(json);
        assertThat(age.field()).isEqualTo(field);
        assertThat(age.age()).isEqualTo(Instant.parse("2025-12-06T03:05:10Z"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "{\"status\":\"queued\"}                 | no updatedAt or createdAt",
        "[1,2]                                   | value is a JSON array",
        "42                                      | value is a JSON number",
        "\"text\"                                | value is a JSON string",
        "{broken                                 | value is not valid JSON",
        "{\"updatedAt\":\"x\"}                   | updatedAt \"x\" is not a timestamp and no createdAt",
    })
    void unknownAgesSayWhy(String json, String reason) {
        RecordAge.Result age = of(json);
        assertThat(age.isKnown()).isFalse();
        assertThat(age.unknownReason()).startsWith(reason);
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', value = {
        "2025-12-06T03:05:10Z | 2020-01-01T00:00:00Z | 2025-12-06T03:05:10Z",
        "                     | 1764990310           | 2025-12-06T03:05:10Z",
    })
    void hashFields(String updated, String created, String expected) {
        RecordAge.Result age = RecordAge.ofHash(updated == null ? null : updated.getBytes(StandardCharsets.UTF_8),
                created == null ? null : created.getBytes(StandardCharsets.UTF_8));
        assertThat(age.age()).isEqualTo(Instant.parse(expected));
    }

    @org.junit.jupiter.api.Test
    void theFastPathAgreesWithJavaTime() {
        java.util.Random random = new java.util.Random(42);
        for (int i = 0; i < 10_000; i++) {
            Instant t = Instant.ofEpochSecond(random.nextInt(2_000_000_000), random.nextInt(1_000_000_000));
            for (String text : new String[] {t.toString(), t.truncatedTo(java.time.temporal.ChronoUnit.MICROS).toString(),
                    t.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString()}) {
                assertThat(RecordAge.isoUtcFast(text)).as(text).isEqualTo(java.time.OffsetDateTime.parse(text).toInstant());
            }
        }
        assertThat(RecordAge.isoUtcFast("2025-02-31T00:00:00Z")).isNull();
        assertThat(RecordAge.isoUtcFast("2025-12-06T03:05:10+00:00")).isNull();
    }
}
