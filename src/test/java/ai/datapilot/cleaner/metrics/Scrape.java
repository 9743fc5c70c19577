package ai.datapilot.cleaner.metrics;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One scrape in the Prometheus text format: the families with their HELP and TYPE, and each sample's value. */
record Scrape(String text) {

    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*})? (\\S+)$");

    /** Family name to its HELP text ("" when it has none). */
    Map<String, String> help() {
        Map<String, String> help = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            if (line.startsWith("# HELP ")) {
                String rest = line.substring("# HELP ".length());
                int space = rest.indexOf(' ');
                help.put(space < 0 ? rest : rest.substring(0, space), space < 0 ? "" : rest.substring(space + 1).trim());
            }
        }
        return help;
    }

    /** Family names that have a TYPE line. */
    Set<String> typed() {
        Set<String> names = new LinkedHashSet<>();
        for (String line : text.split("\n")) {
            if (line.startsWith("# TYPE ")) {
                names.add(line.split(" ")[2]);
            }
        }
        return names;
    }

    /** Every sample name (with _bucket, _count, _sum, _total as written). */
    Set<String> sampleNames() {
        Set<String> names = new LinkedHashSet<>();
        for (String line : text.split("\n")) {
            Matcher m = SAMPLE.matcher(line);
            if (m.matches()) {
                names.add(m.group(1));
            }
        }
        return names;
    }

    /**
     * The value of the sample {@code name} whose labels include every one of {@code labels}
     * (written as {@code key="value"}); null when there is none.
     */
    Double value(String name, String... labels) {
        List<Double> all = values(name, labels);
        return all.isEmpty() ? null : all.get(0);
    }

    /** The sum of every such sample (for a series split over pools or areas), 0 when there is none. */
    double sum(String name, String... labels) {
        return values(name, labels).stream().mapToDouble(Double::doubleValue).sum();
    }

    private List<Double> values(String name, String... labels) {
        List<Double> found = new java.util.ArrayList<>();
        for (String line : text.split("\n")) {
            Matcher m = SAMPLE.matcher(line);
            if (m.matches() && m.group(1).equals(name) && java.util.Arrays.stream(labels)
                    .allMatch(l -> m.group(2) != null && (m.group(2).contains("{" + l + ",") || m.group(2).contains("," + l + ",")
                            || m.group(2).contains("," + l + "}") || m.group(2).equals("{" + l + "}")))) {
                found.add(Double.valueOf(m.group(3)));
            }
        }
        return found;
    }
}
