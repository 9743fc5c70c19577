package ai.datapilot.cleaner.settings;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/settings.md cannot drift from the code: the variables the parser really reads are exactly
 * those of {@link SettingsParser#DOCUMENTED} (the list behind --help), each a row of the table with
 * the same default, and each documented default is what the parser uses when the variable is unset.
 * A new setting needs its DOCUMENTED entry and its table row; nothing else here changes.
 */
class SettingsTableTest {

    /** Read by the parser but not its own: the AWS chain's region, named in the CLEANER_S3_REGION row. */
    static final Set<String> NOT_CLEANER_SETTINGS = Set.of("AWS_REGION", "AWS_DEFAULT_REGION");

    static final Pattern ROW = Pattern.compile("^\\| `([A-Z0-9_]+)` \\| ([^|]*) \\|");

    @TempDir
    static Path root;

    /** The environment, recording every variable the parser asks for. */
    static final class Recorded extends HashMap<String, String> {
        final Set<String> read = new TreeSet<>();

        Recorded(Map<String, String> env) {
            super(env);
        }

        @Override
        public String get(Object key) {
            read.add(String.valueOf(key));
            return super.get(key);
        }

        @Override
        public String getOrDefault(Object key, String fallback) {
            read.add(String.valueOf(key));
            return super.getOrDefault(key, fallback);
        }

        @Override
        public boolean containsKey(Object key) {
            read.add(String.valueOf(key));
            return super.containsKey(key);
        }
    }

    static Map<String, String> documented() {
        Map<String, String> defaults = new LinkedHashMap<>();
        for (String[] s : SettingsParser.DOCUMENTED) {
            defaults.put(s[0], s[1]);
        }
        return defaults;
    }

    static Map<String, String> table() throws IOException {
        Map<String, String> rows = new LinkedHashMap<>();
        for (String line : Files.readAllLines(Path.of("docs/settings.md"))) {
            Matcher m = ROW.matcher(line);
            if (m.find()) {
                assertThat(rows.put(m.group(1), m.group(2).trim())).as("row of " + m.group(1) + " twice").isNull();
            }
        }
        return rows;
    }

    /** "(unset)", "unset", "`/tmp/uploads`", "(AWS_REGION)": the same default written either way. */
    static String plain(String value) {
        return value.replace("`", "").replace("(", "").replace(")", "").trim();
    }

    static Object outcome(Map<String, String> env) {
        try {
            return SettingsParser.parse(env).toString();
        } catch (SettingsRefusedException e) {
            return e.refusals().stream().map(Refusal::message).toList();
        }
    }

    @Test
    void theParserReadsExactlyTheDocumentedSettings() throws IOException {
        Files.createDirectories(root.resolve("uploads"));
        Set<String> read = new TreeSet<>();
        List<Map<String, String>> shapes = List.of(
                Map.of("LOCAL_STORAGE_ROOT", root.toString()),
                Map.of("BLOB_STORAGE_URL", "s3://table-bucket", "CLEANER_S3_ENDPOINT", "http://127.0.0.1:9",
                        "CLEANER_ROUTES_DIR", root.toString()),
                Map.of());
        for (Map<String, String> shape : shapes) {
            Recorded env = new Recorded(shape);
            outcome(env);
            read.addAll(env.read);
        }
        read.removeAll(NOT_CLEANER_SETTINGS);

        assertThat(read).isEqualTo(new TreeSet<>(documented().keySet()));
    }

    @Test
    void theTableHasARowForEverySettingWithItsDefaultAndNothingElse() throws IOException {
        Map<String, String> rows = table();
        Map<String, String> documented = documented();

        assertThat(rows.keySet()).containsExactlyInAnyOrderElementsOf(documented.keySet());
        documented.forEach((variable, fallback) ->
                assertThat(plain(rows.get(variable))).as("default of " + variable + " in docs/settings.md").isEqualTo(plain(fallback)));
    }

    @Test
    void eachDocumentedDefaultIsWhatAnUnsetVariableMeans() throws IOException {
        Files.createDirectories(root.resolve("uploads"));
        for (Map.Entry<String, String> setting : documented().entrySet()) {
            String variable = setting.getKey();
            String fallback = setting.getValue();
            if (fallback.startsWith("(")) {
                continue; // unset, or another variable's value: no value of its own to compare
            }
            Map<String, String> unset = new HashMap<>();
            if (Set.of("CLEANER_S3_PATH_STYLE").contains(variable)) {
                unset.putAll(Map.of("BLOB_STORAGE_URL", "s3://table-bucket", "CLEANER_S3_REGION", "eu-west-1"));
            } else if (!variable.equals("LOCAL_STORAGE_ROOT")) {
                unset.put("LOCAL_STORAGE_ROOT", root.toString());
            }
            Map<String, String> given = new HashMap<>(unset);
            given.put(variable, fallback);

            assertThat(outcome(given)).as(variable + "=" + fallback + " against " + variable + " unset").isEqualTo(outcome(unset));
        }
    }
}
