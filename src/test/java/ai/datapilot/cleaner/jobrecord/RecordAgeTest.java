package ai.datapilot.cleaner.jobrecord;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RecordAgeTest {

    /** Just after the floor: older than every updatedAt read below, so updatedAt decides. */
    private static final String OLD_CREATED = "\"2000-01-01T00:00:00.0001Z\"";

    private static RecordAge.Result of(String json) {
        return RecordAge.ofJson(json.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] bytes(String s) {
        return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
    }

    /** Every form that is read, as a JSON value of updatedAt, and the instant it means. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "\"2025-12-06T03:05:10.000001Z\"      | 2025-12-06T03:05:10.000001Z",
        "\"2025-12-06T03:05:10Z\"             | 2025-12-06T03:05:10Z",
        "\"2025-12-06T03:05:10.1Z\"           | 2025-12-06T03:05:10.100Z",
        "\"2025-12-06T03:05:10.123456789Z\"   | 2025-12-06T03:05:10.123456789Z",
        "\"2025-12-06T03:05:10+00:00\"        | 2025-12-06T03:05:10Z",
        "\"2025-12-06T03:05:10-00:00\"        | 2025-12-06T03:05:10Z",
        "\"2025-12-06T05:05:10+02:00\"        | 2025-12-06T03:05:10Z",
        "\"2025-12-05T22:05:10-05:00\"        | 2025-12-06T03:05:10Z",
        "\"2025-12-06T05:05:10+0200\"         | 2025-12-06T03:05:10Z",
        "\"2025-12-06T08:35:10.5+05:30\"      | 2025-12-06T03:05:10.500Z",
        "\"2025-12-06T03:05:10.123456\"       | 2025-12-06T03:05:10.123456Z",
        "\"2025-12-06T03:05:10\"              | 2025-12-06T03:05:10Z",
        "\"2025-12-06 03:05:10\"              | 2025-12-06T03:05:10Z",
        "\"2025-12-06 03:05:10.123456+00:00\" | 2025-12-06T03:05:10.123456Z",
        "1764990310                           | 2025-12-06T03:05:10Z",
        "1764990310.5                         | 2025-12-06T03:05:10.500Z",
        "1764990310.123456789                 | 2025-12-06T03:05:10.123456789Z",
        "1764990310123                        | 2025-12-06T03:05:10.123Z",
        "1764990310123.5                      | 2025-12-06T03:05:10.123500Z",
        "\"1764990310\"                       | 2025-12-06T03:05:10Z",
        "\"1764990310123\"                    | 2025-12-06T03:05:10.123Z",
        "946684801                            | 2000-01-01T00:00:01Z",
        "946684800001                         | 2000-01-01T00:00:00.001Z",
        "99999999999                          | 5138-11-16T09:46:39Z",
        "99999999999999                       | 5138-11-16T09:46:39.999Z",
    })
    void formsThatAreRead(String value, String expected) {
        RecordAge.Result age = of("{\"updatedAt\":" + value + ",\"createdAt\":" + OLD_CREATED + "}");
        assertThat(age.unknownReason()).isNull();
        assertThat(age.age()).isEqualTo(Instant.parse(expected));
        assertThat(age.field()).isEqualTo("updatedAt");
    }

    /**
     * Every form seen that is not read, as updatedAt beside an old, readable createdAt: the age is
     * unknown, with the reason, never taken from createdAt.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        // placeholders: Go's zero time, the epoch, anything not after the floor
        "\"0001-01-01T00:00:00Z\"             | updatedAt \"0001-01-01T00:00:00Z\" is a placeholder, not a job time (not after 2000-01-01T00:00:00Z)",
        "\"1970-01-01T00:00:00Z\"             | updatedAt \"1970-01-01T00:00:00Z\" is a placeholder",
        "\"1999-12-31T23:59:59Z\"             | is a placeholder",
        "\"2000-01-01T00:00:00Z\"             | is a placeholder",
        "\"2000-01-01T01:00:00+02:00\"        | is a placeholder",
        "0                                    | updatedAt 0 is a placeholder",
        "\"0\"                                | updatedAt \"0\" is a placeholder",
        "0.0                                  | is a placeholder",
        "946684800                            | is a placeholder",
        "1                                    | is a placeholder",
        // epoch values outside the two ranges: micro- and nanoseconds, and the gaps
        "1764990310123456                     | updatedAt 1764990310123456 is not a timestamp: neither epoch seconds",
        "1764990310123456789                  | is not a timestamp",
        "\"1764990310123456\"                 | is not a timestamp",
        "100000000000                         | is not a timestamp: neither",
        "946684800000                         | is not a timestamp: neither",
        "100000000000000                      | is not a timestamp: neither",
        "99999999999999999999                 | is not a timestamp",
        "-5                                   | updatedAt -5 is not a timestamp: epoch values are read as plain digits, without sign or exponent",
        "1.76499031E9                         | updatedAt 1.76499031E9 is not a timestamp: epoch values",
        "1764990310.1234567891                | is not a timestamp",
        "\"1.76499031e9\"                     | updatedAt \"1.76499031e9\" is not a timestamp",
        "\"01764990310\"                      | is not a timestamp",
        "\"+1764990310\"                      | is not a timestamp",
        // other objects and texts
        "{\"$date\":\"2025-12-06T03:05:10Z\"} | updatedAt (a JSON object) is not a timestamp",
        "{\"$date\":1764990310123}            | updatedAt (a JSON object) is not a timestamp",
        "[\"2025-12-06T03:05:10Z\"]           | updatedAt (a JSON array) is not a timestamp",
        "true                                 | updatedAt true is not a timestamp",
        "\"Sat, 06 Dec 2025 03:05:10 GMT\"    | updatedAt \"Sat, 06 Dec 2025 03:05:10 GMT\" is not a timestamp",
        "\"2025-12-31T23:59:60Z\"             | is not a timestamp",
        "\"2025-12-06T03:05:10,123Z\"         | is not a timestamp",
        "\"2025-12-06T03:05:10.1234567891Z\"  | is not a timestamp",
        "\"2025-12-06T03:05:10.Z\"            | is not a timestamp",
        "\"2025-12-06t03:05:10z\"             | is not a timestamp",
        "\"2025-12-06T03:05:10z\"             | is not a timestamp",
        "\"2025-12-06t03:05:10Z\"             | is not a timestamp",
        "\"2025-12-06T03:05Z\"                | is not a timestamp",
        "\"2025-12-06\"                       | is not a timestamp",
        "\"20251206T030510Z\"                 | is not a timestamp",
        "\"2025-12-06T24:00:00Z\"             | is not a timestamp",
        "\"2025-02-31T00:00:00Z\"             | is not a timestamp",
        "\"2025-13-40T99:00:00Z\"             | is not a timestamp",
        "\"2025-12-06T03:05:10+05\"           | is not a timestamp",
        "\"2025-12-06T03:05:10+05:00:30\"     | is not a timestamp",
        "\"2025-12-06T03:05:10+19:00\"        | is not a timestamp",
        "\"2025-12-06T03:05:10 UTC\"          | is not a timestamp",
        "\"2025-12-06T03:05:10Z[UTC]\"        | is not a timestamp",
        "\" 2025-12-06T03:05:10Z\"            | is not a timestamp",
        "\"2025-12-06T03:05:10Z \"            | is not a timestamp",
        "\"+2025-12-06T03:05:10Z\"            | is not a timestamp",
        "\"yesterday\"                        | updatedAt \"yesterday\" is not a timestamp",
        "\" \"                                | updatedAt \" \" is not a timestamp",
        "\"2025-12-06T03:05:10Z\\n\"          | updatedAt \"2025-12-06T03:05:10Z\\n\" is not a timestamp",
    })
    void formsThatAreNotReadLeaveTheAgeUnknown(String value, String reason) {
        RecordAge.Result age = of("{\"updatedAt\":" + value + ",\"createdAt\":" + OLD_CREATED + "}");
        assertThat(age.isKnown()).as(value).isFalse();
        assertThat(age.unknownReason()).contains(reason);
        assertThat(age.unknownReason()).startsWith("updatedAt ");
    }

    /** Absent is: no field, JSON null, "". Only then does createdAt decide. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "{\"createdAt\":\"2025-12-06T03:05:10Z\"}                                  | createdAt",
        "{\"updatedAt\":\"\",\"createdAt\":\"2025-12-06T03:05:10Z\"}                | createdAt",
        "{\"updatedAt\":null,\"createdAt\":\"2025-12-06T03:05:10Z\"}                | createdAt",
        "{\"updatedAt\":\"2025-12-06T03:05:10Z\",\"createdAt\":\"2020-01-01T00:00:00Z\"} | updatedAt",
        "{\"updatedAt\":\"2025-12-06T03:05:10Z\",\"createdAt\":\"garbage\"}          | updatedAt",
        "{\"updatedAt\":\"2025-12-06T03:05:10Z\",\"createdAt\":\"0001-01-01T00:00:00Z\"} | updatedAt",
        "{\"updatedAt\":\"2025-12-06T03:05:10Z\",\"createdAt\":null}                 | updatedAt",
        // updated before it was created: one of the two is wrong, the later one keeps the record
        "{\"updatedAt\":\"2001-01-01T00:00:00Z\",\"createdAt\":\"2025-12-06T03:05:10Z\"} | createdAt",
        "{\"nested\":{\"updatedAt\":1,\"updatedAt\":2},\"createdAt\":\"2025-12-06T03:05:10Z\"} | createdAt",
    })
    void updatedAtElseCreatedAt(String json, String field) {
        RecordAge.Result age = of(json);
        assertThat(age.unknownReason()).isNull();
        assertThat(age.field()).isEqualTo(field);
        assertThat(age.age()).isEqualTo(Instant.parse("2025-12-06T03:05:10Z"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "{\"status\":\"queued\"}                 | no updatedAt or createdAt",
        "{\"updatedAt\":null}                    | no updatedAt or createdAt",
        "{\"updatedAt\":\"\",\"createdAt\":\"\"} | no updatedAt or createdAt",
        "[1,2]                                   | value is a JSON array",
        "42                                      | value is a JSON number",
        "\"text\"                                | value is a JSON string",
        "{broken                                 | value is not valid JSON",
        "[1,2] x                                 | value is not valid JSON",
        "{\"updatedAt\":\"2025-12-06T03:05:10Z\"} {} | value is not valid JSON",
        "{\"updatedAt\":\"2025-12-06T03:05:10Z\",\"x\":[1,}  | value is not valid JSON",
        "{\"updatedAt\":\"x\"}                   | updatedAt \"x\" is not a timestamp",
        "{\"createdAt\":\"0001-01-01T00:00:00Z\"} | createdAt \"0001-01-01T00:00:00Z\" is a placeholder",
        "{\"createdAt\":0}                       | createdAt 0 is a placeholder",
        "{\"createdAt\":{\"$date\":1}}           | createdAt (a JSON object) is not a timestamp",
        "{\"updatedAt\":\"2020-01-01T00:00:00Z\",\"updatedAt\":\"2025-12-06T03:05:10Z\"} | updatedAt appears more than once",
        "{\"updatedAt\":\"2025-12-06T03:05:10Z\",\"updatedAt\":null}             | updatedAt appears more than once",
        "{\"updatedAt\":\"2025-12-06T03:05:10Z\",\"updated\\u0041t\":\"2020-01-01T00:00:00Z\"} | updatedAt appears more than once",
        "{\"createdAt\":\"2020-01-01T00:00:00Z\",\"createdAt\":\"2025-12-06T03:05:10Z\"} | createdAt appears more than once",
    })
    void unknownAgesSayWhy(String json, String reason) {
        RecordAge.Result age = of(json);
        assertThat(age.isKnown()).isFalse();
        assertThat(age.unknownReason()).startsWith(reason);
    }

    @Test
    void anEmptyValueSaysSo() {
        assertThat(RecordAge.ofJson(new byte[0]).unknownReason()).isEqualTo("value is empty");
        assertThat(of("   ").unknownReason()).isEqualTo("value is empty");
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', value = {
        "2025-12-06T03:05:10Z | 2020-01-01T00:00:00Z | 2025-12-06T03:05:10Z | updatedAt",
        "                     | 1764990310           | 2025-12-06T03:05:10Z | createdAt",
        "''                   | 1764990310123        | 2025-12-06T03:05:10.123Z | createdAt",
        "1764990310           |                      | 2025-12-06T03:05:10Z | updatedAt",
    })
    void hashFields(String updated, String created, String expected, String field) {
        RecordAge.Result age = RecordAge.ofHash(bytes(updated), bytes(created));
        assertThat(age.age()).isEqualTo(Instant.parse(expected));
        assertThat(age.field()).isEqualTo(field);
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', value = {
        "0001-01-01T00:00:00Z | 2020-01-01T00:00:00Z | updatedAt \"0001-01-01T00:00:00Z\" is a placeholder",
        "0                    | 2020-01-01T00:00:00Z | updatedAt \"0\" is a placeholder",
        "1764990310123456     | 2020-01-01T00:00:00Z | updatedAt \"1764990310123456\" is not a timestamp",
        "2025-12-06t03:05:10z | 2020-01-01T00:00:00Z | updatedAt \"2025-12-06t03:05:10z\" is not a timestamp",
        "                     | 1970-01-01T00:00:00Z | createdAt \"1970-01-01T00:00:00Z\" is a placeholder",
        "                     |                      | no updatedAt or createdAt",
    })
    void hashFieldsNotRead(String updated, String created, String reason) {
        RecordAge.Result age = RecordAge.ofHash(bytes(updated), bytes(created));
        assertThat(age.isKnown()).isFalse();
        assertThat(age.unknownReason()).startsWith(reason);
    }

    @Test
    void aHashFieldThatIsNotAsciiIsNotALookAlike() {
        // a full-width digit or a non-ASCII byte never passes for an ASCII digit
        assertThat(RecordAge.ofHash(bytes("２025-12-06T03:05:10Z"), null).isKnown()).isFalse();
        assertThat(RecordAge.ofHash(new byte[] {'1', '7', '6', '4', '9', '9', '0', '3', '1', (byte) 0xb0}, null).isKnown()).isFalse();
    }

    @Test
    void theHandParserAgreesWithJavaTime() {
        Random random = new Random(42);
        for (int i = 0; i < 10_000; i++) {
            Instant t = Instant.ofEpochSecond(946_684_801L + random.nextInt(2_000_000_000), random.nextInt(1_000_000_000));
            ZoneOffset offset = ZoneOffset.ofTotalSeconds((random.nextInt(37) - 18) * 1800);
            for (Instant v : new Instant[] {t, t.truncatedTo(ChronoUnit.MICROS), t.truncatedTo(ChronoUnit.MILLIS),
                    t.truncatedTo(ChronoUnit.SECONDS)}) {
                String text = OffsetDateTime.ofInstant(v, offset).toString();
                if (text.length() == 16 + 6 || text.length() == 17) {
                    continue; // java.time drops ":00" seconds, a form that is not read
                }
                assertThat(RecordAge.iso(text)).as(text).isEqualTo(v);
                assertThat(RecordAge.iso(v.toString())).as(v.toString()).isEqualTo(v);
            }
        }
    }
}
