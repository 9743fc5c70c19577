package ai.datapilot.cleaner.rules;

import ai.datapilot.cleaner.store.StoreKind;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * Reads and checks a rules file (docs/rules.md). Every problem is reported, with the rule it is
 * in and the fix, before anything is deleted; a rule below {@code MIN_TTL_HOURS} is one.
 */
public final class RulesFile {

    private static final Set<String> TOP = Set.of("retention", "keep");
    private static final Set<String> RETENTION_KEYS = Set.of("name", "match", "store", "ttlHours");
    private static final Set<String> KEEP_KEYS = Set.of("name", "match", "store", "field", "in");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    private static final Pattern FIELD = Pattern.compile("[A-Za-z0-9_.:-]{1,128}");
    private static final double MAX_HOURS = 1_000_000d;
    private static final int MAX_BYTES = 1_000_000;
    /** A quoted ttlHours is read only when it is a plain decimal: "7d" is not 7 hours. */
    private static final Pattern DECIMAL = Pattern.compile("[0-9]{1,9}(\\.[0-9]{1,9})?");

    private final List<String> problems = new ArrayList<>();
    private final Set<String> names = new HashSet<>();

    private RulesFile() {
    }

    /** The rules, or the problems found (each one line: where, what, and the fix). */
    public record Read(CleanerRules rules, List<String> problems) {
    }

    public static Read read(Path file, double defaultTtlHours, double minTtlHours) {
        String text;
        try (java.io.InputStream in = Files.newInputStream(file)) {
            // read at most 1 MB and one byte, whatever the file says its size is (a FIFO, a device)
            byte[] bytes = in.readNBytes(MAX_BYTES + 1);
            if (bytes.length > MAX_BYTES) {
                return new Read(null, List.of("the file is larger than 1 MB; fix: a rules file holds a few rules"));
            }
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (IOException e) {
            return new Read(null, List.of("cannot be read (" + e + "); fix: point CLEANER_RULES_FILE at a readable YAML file"));
        }
        return parse(text, defaultTtlHours, minTtlHours, file.toString());
    }

    /** Reads rules from text; {@code source} names where they came from, for the audit. */
    public static Read parse(String text, double defaultTtlHours, double minTtlHours, String source) {
        return new RulesFile().read(text, defaultTtlHours, minTtlHours, source);
    }

    private Read read(String text, double defaultTtlHours, double minTtlHours, String source) {
        Object doc;
        try {
            doc = new Load(LoadSettings.builder().setAllowDuplicateKeys(false).build()).loadFromString(text);
        } catch (RuntimeException e) {
            return new Read(null, List.of("is not valid YAML: " + firstLine(e.getMessage()) + "; fix: check the indentation and quoting"));
        }
        List<RetentionRule> retention = new ArrayList<>();
        List<KeepRule> keep = new ArrayList<>();
        if (doc != null) {
            if (!(doc instanceof Map<?, ?> top)) {
                return new Read(null, List.of("is not a mapping with retention: and keep: lists; fix: see docs/rules.md"));
            }
            for (Object key : top.keySet()) {
                if (!TOP.contains(String.valueOf(key))) {
                    problems.add("unknown section '" + key + "'; fix: use retention: and keep: only");
                }
            }
            for (Map<?, ?> rule : rules(top.get("retention"), "retention")) {
                RetentionRule r = retentionRule(rule, minTtlHours);
                if (r != null) {
                    retention.add(r);
                }
            }
            for (Map<?, ?> rule : rules(top.get("keep"), "keep")) {
                KeepRule k = keepRule(rule);
                if (k != null) {
                    keep.add(k);
                }
            }
        }
        if (!problems.isEmpty()) {
            return new Read(null, List.copyOf(problems));
        }
        return new Read(new CleanerRules(List.copyOf(retention), List.copyOf(keep), defaultTtlHours, Optional.ofNullable(source)), List.of());
    }

    private List<Map<?, ?>> rules(Object section, String name) {
        List<Map<?, ?>> list = new ArrayList<>();
        if (section == null) {
            return list;
        }
        if (!(section instanceof List<?> items)) {
            problems.add(name + ": is not a list; fix: write each rule as a '- name: ...' entry");
            return list;
        }
        for (Object item : items) {
            if (item instanceof Map<?, ?> m) {
                list.add(m);
            } else {
                problems.add(name + ": entry '" + item + "' is not a rule; fix: write each rule as a '- name: ...' entry");
            }
        }
        return list;
    }

    private String name(Map<?, ?> rule, String section, Set<String> allowed) {
        Object n = rule.get("name");
        String name = n == null ? null : String.valueOf(n);
        String where = section + " rule '" + (name == null ? "?" : name) + "'";
        if (name == null || !NAME.matcher(name).matches()) {
            problems.add(where + ": name missing or not 1-64 of A-Z a-z 0-9 _ . -; fix: give every rule a short name (the audit shows it)");
        } else if (name.equals(CleanerRules.DEFAULT) || !names.add(name)) {
            problems.add(where + ": name used twice (or is 'default', the JOB_TTL_HOURS rule); fix: give each rule its own name");
        }
        for (Object key : rule.keySet()) {
            if (!allowed.contains(String.valueOf(key))) {
                problems.add(where + ": unknown key '" + key + "'; fix: use " + String.join(", ", new java.util.TreeSet<>(allowed)));
            }
        }
        return where;
    }

    private RetentionRule retentionRule(Map<?, ?> rule, double minTtlHours) {
        String where = name(rule, "retention", RETENTION_KEYS);
        PathGlob match = glob(rule.get("match"), where, true);
        StoreKind store = store(rule.get("store"), where);
        Object ttl = rule.get("ttlHours");
        Double hours = null;
        if (ttl instanceof Number n) {
            hours = n.doubleValue();
        } else if (ttl instanceof String text && DECIMAL.matcher(text.trim()).matches()) {
            hours = Double.parseDouble(text.trim());
        }
        if (hours == null || hours.isNaN() || hours.isInfinite() || hours <= 0 || hours > MAX_HOURS) {
            problems.add(where + ": ttlHours " + (ttl == null ? "missing" : "'" + ttl + "' is not a number of hours above 0")
                    + "; fix: set ttlHours to a plain number of hours, e.g. 24 or 1.5 (no unit: 7 days is 168)");
            return null;
        }
        if (hours < minTtlHours) {
            problems.add(where + ": ttlHours " + plain(hours) + " is less than MIN_TTL_HOURS (" + plain(minTtlHours) + "h); fix: set ttlHours of '"
                    + String.valueOf(rule.get("name")) + "' to at least " + plain(minTtlHours) + ", or lower MIN_TTL_HOURS to override");
            return null;
        }
        return match == null ? null : new RetentionRule(String.valueOf(rule.get("name")), match, store, hours);
    }

    private KeepRule keepRule(Map<?, ?> rule) {
        String where = name(rule, "keep", KEEP_KEYS);
        PathGlob match = rule.containsKey("match") ? glob(rule.get("match"), where, true) : null;
        StoreKind store = store(rule.get("store"), where);
        Object f = rule.get("field");
        Object in = rule.get("in");
        String field = null;
        Set<String> values = null;
        if (f == null && in != null) {
            problems.add(where + ": 'in' without 'field'; fix: name the job-record field, e.g. field: status");
        }
        if (f != null) {
            field = String.valueOf(f);
            if (!FIELD.matcher(field).matches()) {
                problems.add(where + ": field '" + field + "' is not 1-128 of A-Z a-z 0-9 _ . : -; fix: name a top-level field of the job record");
            }
            if (store == StoreKind.BLOB) {
                problems.add(where + ": a field rule applies to job records only, not store: blob; fix: remove store or set store: redis");
            }
            if (!(in instanceof List<?> list) || list.isEmpty() || list.stream().anyMatch(v -> v == null || v instanceof Map || v instanceof List)) {
                problems.add(where + ": 'in' must be a list of values, e.g. in: [running, queued]; fix: list the values that keep a record");
            } else {
                values = new LinkedHashSet<>();
                for (Object v : list) {
                    values.add(String.valueOf(v));
                }
            }
        }
        if (f == null && !rule.containsKey("match")) {
            problems.add(where + ": neither match nor field; fix: add match: <path pattern> or field: <name> with in: [values]");
        }
        if (!problems.isEmpty()) {
            return null;
        }
        return new KeepRule(String.valueOf(rule.get("name")), match, field != null ? StoreKind.REDIS : store, field, values == null ? null : Set.copyOf(values));
    }

    private PathGlob glob(Object value, String where, boolean required) {
        if (value == null) {
            if (required) {
                problems.add(where + ": match missing; fix: add match: <path pattern>, e.g. \"uploads/**\"");
            }
            return null;
        }
        if (value instanceof List || value instanceof Map || value instanceof Boolean) {
            problems.add(where + ": match '" + value + "' is not one pattern; fix: write one rule per pattern, e.g. match: \"uploads/legal-hold/**\"");
            return null;
        }
        String pattern = String.valueOf(value);
        List<String> segments = List.of(pattern.split("/", -1));
        // an empty, '.' or '..' segment, or a trailing '/', would match no id (or one outside): a keep rule that keeps nothing
        if (pattern.isEmpty() || pattern.startsWith("/") || pattern.contains("\\") || segments.contains("..") || segments.contains(".")
                || segments.contains("")) {
            problems.add(where + ": match '" + printable(pattern) + "' must be a relative pattern under the root "
                    + "(no leading or trailing '/', no '//', '.', '..' or '\\\\'); fix: write it like uploads/legal-hold/**");
            return null;
        }
        // invisible characters and a form a file name may not have: the pattern would silently match nothing
        if (pattern.codePoints().anyMatch(RulesFile::invisible) || !Normalizer.isNormalized(pattern, Normalizer.Form.NFC)) {
            problems.add(where + ": match '" + printable(pattern) + "' holds an invisible or control character, or is not in Unicode NFC form; "
                    + "fix: type the pattern again in plain text");
            return null;
        }
        return PathGlob.of(pattern);
    }

    private static boolean invisible(int c) {
        int type = Character.getType(c);
        return type == Character.CONTROL || type == Character.FORMAT || type == Character.LINE_SEPARATOR
                || type == Character.PARAGRAPH_SEPARATOR || type == Character.PRIVATE_USE || type == Character.SURROGATE
                || type == Character.UNASSIGNED;
    }

    private static String printable(String pattern) {
        StringBuilder b = new StringBuilder();
        pattern.codePoints().forEach(c -> {
            if (invisible(c)) {
                b.append(String.format("\\u%04X", c));
            } else {
                b.appendCodePoint(c);
            }
        });
        return b.toString();
    }

    private StoreKind store(Object value, String where) {
        if (value == null) {
            return null;
        }
        for (StoreKind kind : StoreKind.values()) {
            if (kind.auditName().equals(String.valueOf(value))) {
                return kind;
            }
        }
        problems.add(where + ": store '" + value + "' is neither blob nor redis; fix: set store: blob or store: redis, or leave it out (both)");
        return null;
    }

    private static String plain(double hours) {
        return java.math.BigDecimal.valueOf(hours).stripTrailingZeros().toPlainString();
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unknown error";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
