package ai.datapilot.cleaner.jobrecord;

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
        JsonNode node;
        try {
            node = JSON.readTree(value);
        } catch (Exception e) {
            return Result.unknown("value is not valid JSON");
        }
        if (node == null || node.isMissingNode()) {
            return Result.unknown("value is empty");
        }
        if (!node.isObject()) {
            return Result.unknown("value is a JSON " + node.getNodeType().name().toLowerCase() + ", not a job object");
        }
        return ofFields(node.get("updatedAt"), node.get("createdAt"));
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
