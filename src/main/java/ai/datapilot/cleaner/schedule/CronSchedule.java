package ai.datapilot.cleaner.schedule;

import java.text.ParseException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TimeZone;
import java.util.TreeSet;
import org.quartz.CronExpression;

/**
 * {@code CLEANER_CRON_SCHEDULE} as Quartz needs it. Accepts the 5-field crontab of the seed and its
 * platforms ({@code 0 3 * * *}, {@code *}{@code /15 * * * *}, {@code 0 3 * * 1-5}), the
 * {@code @daily}-style shortcuts, and Quartz's own 6/7-field form. Crontab differs from Quartz in
 * three ways handled here: Quartz has seconds first, needs {@code ?} in day-of-month or
 * day-of-week, and numbers days from SUN=1 where crontab has Sun=0 (or 7).
 */
public final class CronSchedule {

    private static final Map<String, String> SHORTCUTS = Map.of(
            "@yearly", "0 0 1 1 *", "@annually", "0 0 1 1 *", "@monthly", "0 0 1 * *",
            "@weekly", "0 0 * * 0", "@daily", "0 0 * * *", "@midnight", "0 0 * * *", "@hourly", "0 * * * *");
    private static final List<String> DAY_NAMES = List.of("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT");
    private static final List<String> MONTH_NAMES = List.of("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP",
            "OCT", "NOV", "DEC");
    private static final List<String> CRONTAB_FIELDS = List.of("minute", "hour", "day-of-month", "month", "day-of-week");
    private static final List<String> QUARTZ_FIELDS = List.of("second", "minute", "hour", "day-of-month", "month", "day-of-week", "year");
    /** A schedule with no time within this horizon is refused: it is a date that never comes (31 February). */
    static final int HORIZON_YEARS = 5;

    private final String given;
    private final String quartz;

    private CronSchedule(String given, String quartz) {
        this.given = given;
        this.quartz = quartz;
    }

    /** Converts and validates, or explains in one phrase what is wrong. */
    public static CronSchedule parse(String expression) throws IllegalArgumentException {
        String text = expression.trim().replaceAll("\\s+", " ");
        String crontab = SHORTCUTS.getOrDefault(text.toLowerCase(Locale.ROOT), text);
        String[] f = crontab.split(" ");
        String quartz;
        if (f.length == 5) {
            checkSteps(f, CRONTAB_FIELDS);
            checkCrontabRanges(f);
            quartz = fromCrontab(f);
        } else if (f.length == 6 || f.length == 7) {
            checkSteps(f, QUARTZ_FIELDS);
            quartz = crontab;
        } else {
            throw new IllegalArgumentException("has " + f.length + " fields; crontab has 5 (min hour day month weekday), Quartz 6 or 7");
        }
        CronExpression cron;
        try {
            cron = new CronExpression(quartz);
        } catch (ParseException e) {
            throw new IllegalArgumentException("is not a valid schedule (" + e.getMessage() + ")");
        }
        // Quartz accepts 31 February or a past year, and the service then fails to start
        cron.setTimeZone(TimeZone.getTimeZone("UTC"));
        Instant now = Instant.now();
        Date next = cron.getNextValidTimeAfter(Date.from(now));
        if (next == null || next.toInstant().isAfter(now.atZone(ZoneOffset.UTC).plusYears(HORIZON_YEARS).toInstant())) {
            throw new IllegalArgumentException("is never due: no time within the next " + HORIZON_YEARS
                    + " years matches it (a date such as 31 February, or a past year)");
        }
        return new CronSchedule(expression, quartz);
    }

    /** Quartz reads a step of 0 after '*' as 1 (every minute, every hour...): refused instead. */
    private static void checkSteps(String[] fields, List<String> names) {
        for (int i = 0; i < fields.length; i++) {
            for (String part : fields[i].split(",", -1)) {
                int slash = part.indexOf('/');
                if (slash < 0) {
                    continue;
                }
                String step = part.substring(slash + 1);
                if (!step.matches("[0-9]{1,4}")) {
                    throw new IllegalArgumentException("has \"" + part + "\" in the " + names.get(i) + " field; a step is a whole number of 1 or more");
                }
                if (Integer.parseInt(step) == 0) {
                    throw new IllegalArgumentException("has a step of 0 (\"" + part + "\") in the " + names.get(i) + " field; a step is 1 or more");
                }
            }
        }
    }

    /** Crontab has no wrapping ranges; Quartz would read minute "50-10" as 50..59 and 0..10. */
    private static void checkCrontabRanges(String[] f) {
        for (int i = 0; i < 4; i++) {
            for (String part : f[i].split(",", -1)) {
                String range = part.contains("/") ? part.substring(0, part.indexOf('/')) : part;
                String[] ends = range.split("-", -1);
                if (ends.length != 2) {
                    continue;
                }
                int from = rangeEnd(ends[0], i == 3);
                int to = rangeEnd(ends[1], i == 3);
                if (from >= 0 && to >= 0 && to < from) {
                    throw new IllegalArgumentException("has a " + CRONTAB_FIELDS.get(i) + " range that runs backwards (" + range + ")");
                }
            }
        }
    }

    private static int rangeEnd(String text, boolean month) {
        if (text.matches("[0-9]{1,4}")) {
            return Integer.parseInt(text);
        }
        int named = month ? MONTH_NAMES.indexOf(text.toUpperCase(Locale.ROOT)) : -1;
        return named < 0 ? -1 : named + 1;
    }

    private static String fromCrontab(String[] f) {
        String minute = f[0];
        String hour = f[1];
        String dom = f[2];
        String month = f[3];
        String dow = f[4];
        boolean anyDom = dom.equals("*");
        boolean anyDow = dow.equals("*");
        if (!anyDom && !anyDow) {
            // crontab fires when either matches; Quartz cannot express that
            throw new IllegalArgumentException("restricts both day-of-month and day-of-week, which Quartz cannot combine; use one of them");
        }
        String quartzDom = anyDom && !anyDow ? "?" : dom;
        String quartzDow = anyDow ? "?" : quartzDays(dow);
        return "0 " + minute + " " + hour + " " + quartzDom + " " + month + " " + quartzDow;
    }

    /** Crontab weekdays (0-7, Sun=0 or 7, names, ranges, lists, steps) as an explicit list of names. */
    static String quartzDays(String field) {
        TreeSet<Integer> days = new TreeSet<>();
        for (String part : field.split(",")) {
            String range = part;
            int step = 1;
            int slash = part.indexOf('/');
            if (slash >= 0) {
                range = part.substring(0, slash);
                step = number(part.substring(slash + 1));
                if (step < 1) {
                    throw new IllegalArgumentException("has a weekday step below 1");
                }
            }
            int from;
            int to;
            if (range.equals("*")) {
                from = 0;
                to = 6;
            } else if (range.contains("-")) {
                String[] ends = range.split("-", 2);
                from = day(ends[0]);
                to = day(ends[1]);
            } else {
                from = day(range);
                to = slash >= 0 ? 6 : from;
            }
            if (to < from) {
                throw new IllegalArgumentException("has a weekday range that runs backwards (" + range + ")");
            }
            for (int d = from; d <= to; d += step) {
                days.add(d % 7);
            }
        }
        StringBuilder names = new StringBuilder();
        for (int d : days) {
            names.append(names.length() == 0 ? "" : ",").append(DAY_NAMES.get(d));
        }
        return names.toString();
    }

    private static int day(String text) {
        String t = text.toUpperCase(Locale.ROOT);
        int named = DAY_NAMES.indexOf(t);
        if (named >= 0) {
            return named;
        }
        int d = number(t);
        if (d < 0 || d > 7) {
            throw new IllegalArgumentException("has weekday " + text + "; crontab weekdays are 0-7 (0 and 7 are Sunday) or SUN-SAT");
        }
        return d;
    }

    private static int number(String text) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("has \"" + text + "\" where a number or day name belongs");
        }
    }

    /** As the operator wrote it. */
    public String given() {
        return given;
    }

    /** The Quartz expression the trigger uses (seconds first, in UTC). */
    public String quartz() {
        return quartz;
    }

    @Override
    public String toString() {
        return given + " (Quartz: " + quartz + ", UTC)";
    }
}
