package ai.datapilot.cleaner.progress;

import java.time.Duration;
import java.util.Locale;

/** Sizes and spans of time as a person reads them: "12.3 MiB", "3d 4h", "1m 20s". */
public final class HumanUnits {

    private static final String[] UNITS = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};

    private HumanUnits() {
    }

    /** Binary units, one decimal; "?" for an unknown (negative) size. */
    public static String bytes(long bytes) {
        if (bytes < 0) {
            return "?";
        }
        if (bytes < 1024) {
            return bytes + " B";
        }
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < UNITS.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", value, UNITS[unit]);
    }

    /** The two largest units of a span: "3d 4h", "5h 12m", "1m 20s", "45s"; a negative span is "0s". */
    public static String span(Duration span) {
        long s = Math.max(0, span.getSeconds());
        long days = s / 86_400;
        long hours = s % 86_400 / 3600;
        long minutes = s % 3600 / 60;
        long seconds = s % 60;
        if (days > 0) {
            return days + "d " + hours + "h";
        }
        if (hours > 0) {
            return hours + "h " + minutes + "m";
        }
        if (minutes > 0) {
            return minutes + "m " + seconds + "s";
        }
        return seconds + "s";
    }
}
