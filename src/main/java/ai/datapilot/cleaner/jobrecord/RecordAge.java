package ai.datapilot.cleaner.jobrecord;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.regex.Pattern;

/**
 * The age of a job record: {@code updatedAt}, else {@code createdAt} (when updatedAt is missing,
 * empty or unreadable). Accepts ISO-8601 with {@code Z}, an offset or no zone (read as UTC), and
 * epoch seconds or milliseconds as numbers or digit strings. Anything else leaves the age unknown,
 * and a record of unknown age is never deleted.
 */
public final class RecordAge {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern EPOCH = Pattern.compile("-?[0-9]+(\\.[0-9]+)?");
    private static final Pattern OFFSET_WITHOUT_COLON = Pattern.compile("([+-][0-9]{2})([0-9]{2})$");
    private static final Pattern DATE_SPACE_TIME = Pattern.compile("^([0-9]{4}-[0-9]{2}-[0-9]{2}) ([0-9]{2}:)");
    // epoch values at or above this are milliseconds: 1e11 s is the year 5138, 1e11 ms is 1973
    private static final BigDecimal MILLIS_FROM = new BigDecimal("100000000000");
    private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59Z");

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

    /** The age of a string-typed record holding JSON. */
    public static Result ofJson(byte[] value) {
        return ofJson(value, false);
    }

    /**
     * The age of a string record of which only the first bytes were read ({@code truncated}): the
     * top-level fields found before the cut decide, so a huge record is never loaded to be aged.
     */
    public static Result ofJson(byte[] value, boolean truncated) {
        if (truncated) {
            return ofJsonHead(value);
        }
        if (value.length == 0) {
            return Result.unknown("value is empty");
        }
        // one streaming pass: the two fields are kept, everything else is only checked for syntax
        JsonNode updatedAt = null;
        JsonNode createdAt = null;
        try (JsonParser parser = JSON.getFactory().createParser(value)) {
            JsonToken root = parser.nextToken();
            if (root == null) {
                return Result.unknown("value is empty");
            }
            if (root != JsonToken.START_OBJECT) {
                parser.skipChildren();
                return Result.unknown("value is a JSON " + kind(root) + ", not a job object");
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken token = parser.nextToken();
                boolean wanted = "updatedAt".equals(field) || "createdAt".equals(field);
                if (wanted && token.isScalarValue()) {
                    JsonNode node = token == JsonToken.VALUE_STRING ? JSON.getNodeFactory().textNode(parser.getText())
                            : token.isNumeric() ? JSON.getNodeFactory().numberNode(parser.getDecimalValue())
                            : JSON.getNodeFactory().nullNode();
                    if ("updatedAt".equals(field)) {
                        updatedAt = node;
                    } else {
                        createdAt = node;
                    }
                } else {
                    parser.skipChildren();
                }
            }
            if (parser.nextToken() != null) {
                return Result.unknown("value is not valid JSON");
            }
        } catch (java.io.IOException e) {
            return Result.unknown("value is not valid JSON");
        }
        return ofFields(updatedAt, createdAt);
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

    private static Result ofJsonHead(byte[] head) {
        JsonNode updatedAt = null;
        JsonNode createdAt = null;
        try (com.fasterxml.jackson.core.JsonParser parser = JSON.getFactory().createParser(head)) {
            if (parser.nextToken() != com.fasterxml.jackson.core.JsonToken.START_OBJECT) {
                return Result.unknown("value is larger than " + head.length + " bytes and not a JSON object");
            }
            while (parser.nextToken() == com.fasterxml.jackson.core.JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                parser.nextToken();
                if (("updatedAt".equals(field) || "createdAt".equals(field)) && parser.currentToken().isScalarValue()) {
                    JsonNode node = JSON.readTree(parser);
                    if ("updatedAt".equals(field)) {
                        updatedAt = node;
                    } else {
                        createdAt = node;
                    }
                } else {
                    parser.skipChildren();
                }
                if (updatedAt != null && createdAt != null) {
                    break;
                }
            }
        } catch (java.io.IOException e) {
            // the cut came first: decide on what was found before it
        }
        if (updatedAt == null && createdAt == null) {
            return Result.unknown("value is larger than " + head.length + " bytes and no updatedAt or createdAt was found in them");
        }
        if (updatedAt == null) {
            // the cut may have hidden an updatedAt that would win over createdAt
            return Result.unknown("value is larger than " + head.length + " bytes and updatedAt was not found in them");
        }
        return ofFields(updatedAt, createdAt);
    }

    /** The age of a hash-typed record, from its two fields (either may be null). */
    public static Result ofHash(byte[] updatedAt, byte[] createdAt) {
        return ofFields(
                updatedAt == null ? null : JSON.getNodeFactory().textNode(new String(updatedAt, StandardCharsets.UTF_8)),
                createdAt == null ? null : JSON.getNodeFactory().textNode(new String(createdAt, StandardCharsets.UTF_8)));
    }

    private static Result ofFields(JsonNode updatedAt, JsonNode createdAt) {
        String updatedProblem = null;
        if (isPresent(updatedAt)) {
            Instant age = timestamp(updatedAt);
            if (age != null) {
                return Result.known(age, "updatedAt");
            }
            updatedProblem = "updatedAt " + shown(updatedAt) + " is not a timestamp";
        }
        if (isPresent(createdAt)) {
            Instant age = timestamp(createdAt);
            if (age != null) {
                return Result.known(age, "createdAt");
            }
            String createdProblem = "createdAt " + shown(createdAt) + " is not a timestamp";
            return Result.unknown(updatedProblem == null ? createdProblem : updatedProblem + " and " + createdProblem);
        }
        return Result.unknown(updatedProblem != null ? updatedProblem + " and no createdAt" : "no updatedAt or createdAt");
    }

    private static boolean isPresent(JsonNode node) {
        return node != null && !node.isNull() && !(node.isTextual() && node.asText().isBlank());
    }

    private static String shown(JsonNode node) {
        String text = node.isTextual() ? "\"" + node.asText() + "\"" : node.toString();
        return text.length() > 60 ? text.substring(0, 60) + "...\"" : text;
    }

    /** Parses one timestamp value, or returns null. */
    static Instant timestamp(JsonNode node) {
        if (node.isNumber()) {
            return epoch(node.decimalValue());
        }
        if (!node.isTextual()) {
            return null;
        }
        String text = node.asText().trim();
        if (EPOCH.matcher(text).matches()) {
            return epoch(new BigDecimal(text));
        }
        return iso(text);
    }

    /**
     * The form the application writes, {@code 2025-12-06T03:05:10.123456Z}, parsed by hand: the
     * scan ages every record, and java.time's general parser is the slowest part of that.
     * Anything else (offsets, no zone, odd widths) goes to the general path.
     */
    static Instant isoUtcFast(String t) {
        int n = t.length();
        if (n < 20 || t.charAt(n - 1) != 'Z' || t.charAt(4) != '-' || t.charAt(7) != '-' || t.charAt(10) != 'T'
                || t.charAt(13) != ':' || t.charAt(16) != ':') {
            return null;
        }
        int year = digits(t, 0, 4);
        int month = digits(t, 5, 7);
        int day = digits(t, 8, 10);
        int hour = digits(t, 11, 13);
        int minute = digits(t, 14, 16);
        int second = digits(t, 17, 19);
        int nanos = 0;
        if (n > 20) {
            if (t.charAt(19) != '.' || n - 21 > 9 || n - 21 < 1) {
                return null;
            }
            int fraction = digits(t, 20, n - 1);
            if (fraction < 0) {
                return null;
            }
            nanos = fraction;
            for (int i = n - 21; i < 9; i++) {
                nanos *= 10;
            }
        } else if (t.charAt(19) != 'Z') {
            return null;
        }
        if (year < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59
                || second < 0 || second > 59) {
            return null;
        }
        try {
            return LocalDateTime.of(year, month, day, hour, minute, second, nanos).toInstant(ZoneOffset.UTC);
        } catch (java.time.DateTimeException e) {
            return null; // 31 February and the like
        }
    }

    private static int digits(String t, int from, int to) {
        int v = 0;
        for (int i = from; i < to; i++) {
            char c = t.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    private static Instant epoch(BigDecimal value) {
        if (value.signum() <= 0) {
            return null; // 0 and negatives are "unset" markers, not ages
        }
        BigDecimal millis = value.compareTo(MILLIS_FROM) >= 0 ? value : value.movePointRight(3);
        if (millis.compareTo(BigDecimal.valueOf(LATEST.toEpochMilli())) > 0) {
            return null;
        }
        BigDecimal micros = millis.movePointRight(3).setScale(0, java.math.RoundingMode.DOWN);
        long us = micros.longValueExact();
        return Instant.ofEpochSecond(Math.floorDiv(us, 1_000_000L), Math.floorMod(us, 1_000_000L) * 1000L);
    }

    private static Instant iso(String text) {
        Instant fast = isoUtcFast(text);
        if (fast != null) {
            return fast;
        }
        String t = DATE_SPACE_TIME.matcher(text).replaceFirst("$1T$2");
        t = OFFSET_WITHOUT_COLON.matcher(t).replaceFirst("$1:$2");
        if (t.length() < 16 || t.charAt(10) != 'T') {
            return null;
        }
        try {
            return OffsetDateTime.parse(t, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
        } catch (DateTimeParseException e) {
            // no zone: the application writes UTC
        }
        try {
            return LocalDateTime.parse(t, DateTimeFormatter.ISO_LOCAL_DATE_TIME).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
