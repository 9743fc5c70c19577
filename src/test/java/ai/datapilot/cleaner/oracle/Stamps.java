package ai.datapilot.cleaner.oracle;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * Timestamp forms a job record may carry, each with what the oracle knows about it: the instant it
 * means and how sure a reader must be of it. The cleaner's own parser is never consulted.
 */
final class Stamps {

    private Stamps() {
    }

    /** How a written value must be taken. */
    enum Kind {
        /** plainly valid ISO-8601 UTC/offset or an epoch seconds/millis JSON number: must be read */
        PLAIN,
        /** meaningful but not plain (no zone, digit string, odd width...): read it as meant, or skip */
        UNCLEAR,
        /** an unset marker or a time before 2000: never an age */
        PLACEHOLDER,
        /** not a time at all */
        GARBAGE,
        /** JSON null or a blank string: present but empty */
        EMPTY
    }

    /** One way of writing a time: its kind in a JSON record and in a hash, and the written text. */
    record Form(String name, Kind inJson, Kind inHash, Function<Instant, String> json, Function<Instant, String> hash) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss").withZone(ZoneOffset.UTC);

    private static String iso(Instant t) {
        return SECONDS.format(t);
    }

    private static String fraction(Instant t, int digits) {
        String nanos = String.format(Locale.ROOT, "%09d", t.getNano());
        return digits <= 9 ? nanos.substring(0, digits) : nanos + "0".repeat(digits - 9);
    }

    private static String q(String s) {
        return "\"" + s + "\"";
    }

    private static Form same(String name, Kind kind, Function<Instant, String> text) {
        return new Form(name, kind, kind, t -> q(text.apply(t)), text);
    }

    private static String withOffset(Instant t, int minutes, boolean colon) {
        ZoneOffset off = ZoneOffset.ofTotalSeconds(minutes * 60);
        String local = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss").withZone(off).format(t);
        String o = off.getId().equals("Z") ? "+00:00" : off.getId();
        return local + (colon ? o : o.replace(":", ""));
    }

    static final List<Form> TIME_FORMS = List.of(
            same("iso-z", Kind.PLAIN, t -> iso(t) + "Z"),
            same("iso-z-millis", Kind.PLAIN, t -> iso(t) + "." + fraction(t, 3) + "Z"),
            same("iso-z-micros", Kind.PLAIN, t -> iso(t) + "." + fraction(t, 6) + "Z"),
            same("iso-z-nanos", Kind.PLAIN, t -> iso(t) + "." + fraction(t, 9) + "Z"),
            same("iso+02:00", Kind.PLAIN, t -> withOffset(t, 120, true)),
            same("iso-05:30", Kind.PLAIN, t -> withOffset(t, -330, true)),
            same("iso+00:00", Kind.PLAIN, t -> withOffset(t, 0, true)),
            new Form("epoch-millis-number", Kind.PLAIN, Kind.UNCLEAR, t -> Long.toString(t.toEpochMilli()), t -> Long.toString(t.toEpochMilli())),
            new Form("epoch-seconds-number", Kind.PLAIN, Kind.UNCLEAR, t -> Long.toString(t.getEpochSecond()), t -> Long.toString(t.getEpochSecond())),
            same("epoch-millis-string", Kind.UNCLEAR, t -> Long.toString(t.toEpochMilli())),
            same("epoch-seconds-string", Kind.UNCLEAR, t -> Long.toString(t.getEpochSecond())),
            same("iso-no-zone", Kind.UNCLEAR, Stamps::iso),
            same("iso-no-zone-millis", Kind.UNCLEAR, t -> iso(t) + "." + fraction(t, 3)),
            same("iso+0200", Kind.UNCLEAR, t -> withOffset(t, 120, false)),
            same("iso-space", Kind.UNCLEAR, t -> iso(t).replace('T', ' ') + "Z"),
            new Form("epoch-seconds-fraction", Kind.UNCLEAR, Kind.UNCLEAR, t -> t.getEpochSecond() + "." + fraction(t, 9), t -> t.getEpochSecond() + "." + fraction(t, 9)),
            // the forms of finding 9: a reader may take them where unambiguous, else skip; never fall back
            new Form("epoch-micros-number", Kind.UNCLEAR, Kind.UNCLEAR, t -> t.getEpochSecond() + "000000", t -> t.getEpochSecond() + "000000"),
            new Form("epoch-nanos-number", Kind.UNCLEAR, Kind.UNCLEAR, t -> t.getEpochSecond() + "000000000", t -> t.getEpochSecond() + "000000000"),
            new Form("$date-iso", Kind.UNCLEAR, Kind.UNCLEAR, t -> "{\"$date\":" + q(iso(t) + "Z") + "}", t -> "{\"$date\":" + q(iso(t) + "Z") + "}"),
            new Form("$date-millis", Kind.UNCLEAR, Kind.UNCLEAR, t -> "{\"$date\":" + t.toEpochMilli() + "}", t -> "{\"$date\":" + t.toEpochMilli() + "}"),
            same("rfc1123", Kind.UNCLEAR, t -> DateTimeFormatter.RFC_1123_DATE_TIME.format(t.atOffset(ZoneOffset.UTC))),
            same("leap-second", Kind.UNCLEAR, t -> iso(t.minusSeconds(60)).substring(0, 17) + "60Z"),
            same("comma-fraction", Kind.UNCLEAR, t -> iso(t) + "," + fraction(t, 3) + "Z"),
            same("ten-fraction-digits", Kind.UNCLEAR, t -> iso(t) + "." + fraction(t, 10) + "Z"),
            same("lower-case-t-z", Kind.UNCLEAR, t -> iso(t).replace('T', 't') + "z"),
            same("scientific-string", Kind.UNCLEAR, Stamps::scientific),
            new Form("scientific-number", Kind.UNCLEAR, Kind.UNCLEAR, Stamps::scientific, Stamps::scientific));

    private static String scientific(Instant t) {
        return java.math.BigDecimal.valueOf(t.toEpochMilli()).movePointLeft(12).toPlainString() + "E12";
    }

    /** Written whatever the age: never a time a record may be aged by. */
    static final List<Form> OTHER_FORMS = List.of(
            same("go-zero-time", Kind.PLACEHOLDER, t -> "0001-01-01T00:00:00Z"),
            same("unix-epoch", Kind.PLACEHOLDER, t -> "1970-01-01T00:00:00Z"),
            same("unix-epoch-millis", Kind.PLACEHOLDER, t -> "1970-01-01T00:00:00.000Z"),
            same("zero-no-zone", Kind.PLACEHOLDER, t -> "0001-01-01T00:00:00"),
            same("1999", Kind.PLACEHOLDER, t -> "1999-12-31T23:59:59Z"),
            new Form("zero-number", Kind.PLACEHOLDER, Kind.PLACEHOLDER, t -> "0", t -> "0"),
            new Form("negative-number", Kind.PLACEHOLDER, Kind.PLACEHOLDER, t -> "-1", t -> "-1"),
            new Form("one-day-after-epoch", Kind.PLACEHOLDER, Kind.PLACEHOLDER, t -> "86400", t -> "86400"),
            same("zero-string", Kind.PLACEHOLDER, t -> "0"),
            same("words", Kind.GARBAGE, t -> "yesterday"),
            same("month-13", Kind.GARBAGE, t -> "2025-13-45T99:99:99Z"),
            new Form("boolean", Kind.GARBAGE, Kind.GARBAGE, t -> "true", t -> "true"),
            new Form("array", Kind.GARBAGE, Kind.GARBAGE, t -> "[" + t.toEpochMilli() + "]", t -> "[" + t.toEpochMilli() + "]"),
            new Form("null", Kind.EMPTY, Kind.EMPTY, t -> "null", t -> ""),
            same("blank", Kind.EMPTY, t -> "  "));

    /**
     * Ages relative to the try's base instant: old (past the TTL by at least ten minutes), young,
     * future, and two fixed dates. Several share an offset so the cap meets ties.
     */
    enum Age {
        OLD_1H, OLD_10MIN, OLD_2D, OLD_30D, OLD_1H_TIE, YOUNG_NOW, YOUNG_10MIN, YOUNG_HALF, FUTURE_2H, YEAR_2005, YEAR_1999;

        Instant at(Instant base, Duration ttl, int jitterSeconds) {
            Duration j = Duration.ofSeconds(jitterSeconds);
            return switch (this) {
                case OLD_1H -> base.minus(ttl).minus(Duration.ofHours(1)).minus(j);
                case OLD_1H_TIE -> base.minus(ttl).minus(Duration.ofHours(1));
                case OLD_10MIN -> base.minus(ttl).minus(Duration.ofMinutes(10)).minus(j);
                case OLD_2D -> base.minus(ttl).minus(Duration.ofDays(2)).minus(j.multipliedBy(997));
                case OLD_30D -> base.minus(ttl).minus(Duration.ofDays(30)).minus(j);
                case YOUNG_NOW -> base.minus(j);
                case YOUNG_10MIN -> base.minus(ttl).plus(Duration.ofMinutes(10)).plus(j);
                case YOUNG_HALF -> base.minus(ttl.dividedBy(2)).plus(j);
                case FUTURE_2H -> base.plus(Duration.ofHours(2)).plus(j);
                case YEAR_2005 -> Instant.parse("2005-06-01T12:00:00Z").plus(j);
                case YEAR_1999 -> Instant.parse("1999-06-01T12:00:00Z").plus(j);
            };
        }
    }
}
