package ai.datapilot.cleaner.jobrecord;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.function.Supplier;

/**
 * The age of a job record: {@code updatedAt}, else {@code createdAt} when updatedAt is absent
 * (missing, JSON null or ""); when both are read, the later one (a record is not updated before it
 * was created, so one of the two is wrong and the later keeps it). An updatedAt that is present
 * but not read is never replaced by createdAt: the age is unknown, and a record of unknown age is
 * never deleted. Nor is a record with a field named like either only in another case
 * ({@code "UpdatedAt"}): readers that match keys ignoring case (Go's encoding/json) may age it by that one.
 *
 * <p>Read, and nothing else (no trimming, no guessing):
 * <ul>
 * <li>ISO-8601 / RFC 3339 text {@code YYYY-MM-DDThh:mm:ss}, upper-case {@code T} or one space
 * between date and time, seconds required (00-59), an optional {@code .} and 1 to 9 fraction
 * digits, then {@code Z}, an offset {@code +hh:mm} / {@code +hhmm} (at most 18:00), or nothing
 * (UTC);</li>
 * <li>epoch seconds or milliseconds, as a JSON number or a string of digits (an optional {@code .}
 * and 1 to 9 fraction digits, no sign, exponent or leading zero): seconds when the value is
 * below 10^11, milliseconds from {@link #MILLIS_FROM} to below 10^14; in between and above
 * (microseconds, nanoseconds) it is not read.</li>
 * </ul>
 * A time not after {@link #FLOOR} is a placeholder ({@code 0001-01-01T00:00:00Z} is Go's zero
 * time, epoch 0 is 1970), not the time of a job of this product.
 */
public final class RecordAge {

    /** Nothing at or before this instant is a real job time for this product. */
    public static final Instant FLOOR = Instant.parse("2000-01-01T00:00:00Z");

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final BigDecimal FLOOR_SECONDS = BigDecimal.valueOf(FLOOR.getEpochSecond());
    // 10^11 s is the year 5138; 10^11 ms would be 1973, so values from there to FLOOR in ms are read as neither
    private static final BigDecimal SECONDS_BELOW = new BigDecimal("1e11");
    private static final BigDecimal MILLIS_FROM = BigDecimal.valueOf(FLOOR.toEpochMilli());
    // 10^14 ms is the year 5138; microseconds since 2000 start at 9.46e14
    private static final BigDecimal MILLIS_BELOW = new BigDecimal("1e14");

    private RecordAge() {
    }

    /** Either an established age (and the field it came from) or the reason there is none. */
    public record Result(Instant age, String field, String unknownReason) {
        static Result known(Instant age, String field) {
            return new Result(age, field, null);
        }

        static Result unknown(String reason) {
            return new Result(null, null, reason);
        }

        public boolean isKnown() {
            return age != null;
        }
    }

    /**
     * One field as found: absent, or present with what it was read as, or why it was not. How the
     * value is shown in that reason is only worked out when there is one: the scan reads every record.
     */
    private record Field(String name, boolean present, Instant time, String problem) {
        static Field absent(String name) {
            return new Field(name, false, null, null);
        }

        static Field read(String name, Supplier<String> shown, String text) {
            return timestamp(name, shown, text);
        }

        static Field notTimestamp(String name, Supplier<String> shown, String why) {
            return new Field(name, true, null, name + " " + shown.get() + " is not a timestamp" + (why == null ? "" : ": " + why));
        }
    }

    /** The age of a string-typed record holding JSON; the whole value, never a part of it. */
    public static Result ofJson(byte[] value) {
        if (value.length == 0) {
            return Result.unknown("value is empty");
        }
        Field updatedAt = Field.absent("updatedAt");
        Field createdAt = Field.absent("createdAt");
        String twice = null;
        String caseVariant = null;
        // one streaming pass: the two fields are kept, everything else is only checked for syntax
        try (JsonParser parser = JSON.getFactory().createParser(value)) {
            JsonToken root = parser.nextToken();
            if (root == null) {
                return Result.unknown("value is empty");
            }
            if (root != JsonToken.START_OBJECT) {
                parser.skipChildren();
                if (parser.nextToken() != null) {
                    return Result.unknown("value is not valid JSON");
                }
                return Result.unknown("value is a JSON " + kind(root) + ", not a job object");
            }
            boolean seenUpdated = false;
            boolean seenCreated = false;
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                JsonToken token = parser.nextToken();
                if ("updatedAt".equals(name) || "createdAt".equals(name)) {
                    boolean updated = "updatedAt".equals(name);
                    if (updated ? seenUpdated : seenCreated) {
                        // two parsers may keep different ones of the two: neither can be trusted
                        twice = twice == null ? name : twice;
                    }
                    Field field = jsonField(name, token, parser);
                    if (updated) {
                        seenUpdated = true;
                        updatedAt = field;
                    } else {
                        seenCreated = true;
                        createdAt = field;
                    }
                } else if (caseVariant == null && ("updatedAt".equalsIgnoreCase(name) || "createdAt".equalsIgnoreCase(name))) {
                    // Go's encoding/json, among others, matches keys ignoring case: it may age the record by this one
                    caseVariant = name;
                }
                parser.skipChildren();
            }
            if (parser.nextToken() != null) {
                return Result.unknown("value is not valid JSON");
            }
        } catch (IOException e) {
            return Result.unknown("value is not valid JSON");
        }
        if (twice != null) {
            return Result.unknown(twice + " appears more than once in the object");
        }
        if (caseVariant != null) {
            return Result.unknown("a field " + quoted(caseVariant) + " differs from updatedAt or createdAt only in case:"
                    + " a reader that ignores case may take its time instead");
        }
        return decide(updatedAt, createdAt);
    }

    private static Field jsonField(String name, JsonToken token, JsonParser parser) throws IOException {
        return switch (token) {
            case VALUE_NULL -> Field.absent(name);
            case VALUE_STRING -> {
                String text = parser.getText();
                yield text.isEmpty() ? Field.absent(name) : Field.read(name, () -> quoted(text), text);
            }
            // the number's own text: an exponent or a sign is refused, not normalised
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
                String text = parser.getText();
                yield epochField(name, () -> shorten(text), text);
            }
            case START_OBJECT -> Field.notTimestamp(name, () -> "(a JSON object)", null);
            case START_ARRAY -> Field.notTimestamp(name, () -> "(a JSON array)", null);
            default -> {
                String text = parser.getText();
                yield Field.notTimestamp(name, () -> text, null);
            }
        };
    }

    private static String kind(JsonToken token) {
        return switch (token) {
            case START_ARRAY -> "array";
            case VALUE_STRING -> "string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "number";
            case VALUE_TRUE, VALUE_FALSE -> "boolean";
            case VALUE_NULL -> "null";
            default -> token.name().toLowerCase();
        };
    }

    /**
     * The age of a hash-typed record, from its two fields (null when the field is missing; an
     * empty field counts as missing: a hash cannot hold a null).
     */
    public static Result ofHash(byte[] updatedAt, byte[] createdAt) {
        return decide(hashField("updatedAt", updatedAt), hashField("createdAt", createdAt));
    }

    private static Field hashField(String name, byte[] value) {
        if (value == null || value.length == 0) {
            return Field.absent(name);
        }
        // every accepted form is ASCII: a byte outside it makes the value unreadable, never a look-alike
        String text = new String(value, StandardCharsets.ISO_8859_1);
        return Field.read(name, () -> quoted(new String(value, StandardCharsets.UTF_8)), text);
    }

    private static Result decide(Field updatedAt, Field createdAt) {
        if (updatedAt.present()) {
            if (updatedAt.time() == null) {
                return Result.unknown(updatedAt.problem());
            }
            if (createdAt.time() != null && createdAt.time().isAfter(updatedAt.time())) {
                return Result.known(createdAt.time(), "createdAt");
            }
            return Result.known(updatedAt.time(), "updatedAt");
        }
        if (createdAt.present()) {
            return createdAt.time() != null ? Result.known(createdAt.time(), "createdAt") : Result.unknown(createdAt.problem());
        }
        return Result.unknown("no updatedAt or createdAt");
    }

    private static Field timestamp(String name, Supplier<String> shown, String text) {
        if (isEpochText(text)) {
            return epochField(name, shown, text);
        }
        Instant t = iso(text);
        if (t == null) {
            return Field.notTimestamp(name, shown, null);
        }
        return checked(name, shown, t);
    }

    private static Field checked(String name, Supplier<String> shown, Instant t) {
        if (!t.isAfter(FLOOR)) {
            return new Field(name, true, null,
                    name + " " + shown.get() + " is a placeholder, not a job time (not after " + FLOOR + ")");
        }
        return new Field(name, true, t, null);
    }

    private static Field epochField(String name, Supplier<String> shown, String text) {
        if (!isEpochText(text)) {
            return Field.notTimestamp(name, shown, "epoch values are read as plain digits, without sign or exponent");
        }
        BigDecimal value = new BigDecimal(text);
        if (value.compareTo(SECONDS_BELOW) < 0) {
            if (value.compareTo(FLOOR_SECONDS) <= 0) {
                return checked(name, shown, FLOOR); // 0, 1970, ...: a placeholder
            }
            return checked(name, shown, ofEpochNanos(value.movePointRight(9)));
        }
        if (value.compareTo(MILLIS_FROM) > 0 && value.compareTo(MILLIS_BELOW) < 0) {
            return checked(name, shown, ofEpochNanos(value.movePointRight(6)));
        }
        return Field.notTimestamp(name, shown, "neither epoch seconds (below 1e11) nor epoch milliseconds (after "
                + FLOOR + ", below 1e14)");
    }

    /**
     * {@code (0|[1-9][0-9]*)} with an optional {@code .} and 1 to 9 digits: the only epoch text read
     * (a leading zero would hide the magnitude that tells seconds from milliseconds).
     */
    private static boolean isEpochText(String t) {
        int n = t.length();
        int i = 0;
        if (n == 0 || !isDigit(t.charAt(0))) {
            return false;
        }
        while (i < n && isDigit(t.charAt(i))) {
            i++;
        }
        if (i > 40 || (t.charAt(0) == '0' && i > 1)) {
            return false;
        }
        if (i == n) {
            return true;
        }
        if (t.charAt(i) != '.') {
            return false;
        }
        int fraction = n - i - 1;
        if (fraction < 1 || fraction > 9) {
            return false;
        }
        for (int j = i + 1; j < n; j++) {
            if (!isDigit(t.charAt(j))) {
                return false;
            }
        }
        return true;
    }

    private static Instant ofEpochNanos(BigDecimal nanos) {
        BigDecimal whole = nanos.setScale(0, java.math.RoundingMode.DOWN);
        BigDecimal[] secondsAndNanos = whole.divideAndRemainder(BigDecimal.valueOf(1_000_000_000L));
        return Instant.ofEpochSecond(secondsAndNanos[0].longValueExact(), secondsAndNanos[1].longValueExact());
    }

    /**
     * {@code YYYY-MM-DD(T| )hh:mm:ss[.f{1,9}][Z|+hh:mm|+hhmm|-hh:mm|-hhmm]}, parsed by hand: the
     * grammar is exactly what is documented (java.time's parsers accept more, e.g. leap seconds or
     * offsets with seconds), and the scan ages every record, where java.time is the slow part.
     */
    static Instant iso(String t) {
        int n = t.length();
        if (n < 19 || t.charAt(4) != '-' || t.charAt(7) != '-' || (t.charAt(10) != 'T' && t.charAt(10) != ' ')
                || t.charAt(13) != ':' || t.charAt(16) != ':') {
            return null;
        }
        int year = digits(t, 0, 4);
        int month = digits(t, 5, 7);
        int day = digits(t, 8, 10);
        int hour = digits(t, 11, 13);
        int minute = digits(t, 14, 16);
        int second = digits(t, 17, 19);
        if (year < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59
                || second < 0 || second > 59) {
            return null;
        }
        int i = 19;
        int nanos = 0;
        if (i < n && t.charAt(i) == '.') {
            int from = ++i;
            while (i < n && isDigit(t.charAt(i))) {
                i++;
            }
            int width = i - from;
            if (width < 1 || width > 9) {
                return null;
            }
            nanos = digits(t, from, i);
            for (int k = width; k < 9; k++) {
                nanos *= 10;
            }
        }
        int offsetSeconds;
        if (i == n) {
            offsetSeconds = 0; // no zone: the application writes UTC
        } else if (t.charAt(i) == 'Z' && i + 1 == n) {
            offsetSeconds = 0;
        } else if (t.charAt(i) == '+' || t.charAt(i) == '-') {
            int sign = t.charAt(i) == '+' ? 1 : -1;
            String zone = t.substring(i + 1);
            int hh;
            int mm;
            if (zone.length() == 5 && zone.charAt(2) == ':') {
                hh = digits(zone, 0, 2);
                mm = digits(zone, 3, 5);
            } else if (zone.length() == 4) {
                hh = digits(zone, 0, 2);
                mm = digits(zone, 2, 4);
            } else {
                return null;
            }
            if (hh < 0 || mm < 0 || mm > 59 || hh * 60 + mm > 18 * 60) {
                return null;
            }
            offsetSeconds = sign * (hh * 3600 + mm * 60);
        } else {
            return null;
        }
        try {
            return LocalDateTime.of(year, month, day, hour, minute, second, nanos)
                    .toInstant(ZoneOffset.ofTotalSeconds(offsetSeconds));
        } catch (DateTimeException e) {
            return null; // 31 February and the like
        }
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static int digits(String t, int from, int to) {
        int v = 0;
        for (int i = from; i < to; i++) {
            char c = t.charAt(i);
            if (!isDigit(c)) {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    private static String quoted(String text) {
        try {
            return shorten(JSON.writeValueAsString(text));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String shorten(String shown) {
        return shown.length() > 60 ? shown.substring(0, 60) + "...\"" : shown;
    }
}
