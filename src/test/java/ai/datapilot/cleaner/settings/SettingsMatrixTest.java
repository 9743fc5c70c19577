package ai.datapilot.cleaner.settings;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every setting against empty, blank, negative, huge, non-numeric and injection-like values: each
 * is refused with its own message naming the variable, or accepted with its documented meaning.
 */
class SettingsMatrixTest {

    @TempDir
    static Path root;

    static final List<String> VALUES = List.of("", "   ", "-1", "99999999999999999999", "abc", "1e3",
            "$(rm -rf /)", "'; DROP TABLE jobs; --", "24\n25", "../../..", "/");

    /** Values accepted on purpose, and what they mean (README, "Settings"). */
    static final Map<String, Set<String>> DOCUMENTED_ACCEPTANCE = Map.of(
            // any plain relative folder name is a valid audit folder, digits and dashes included
            "CLEANER_AUDIT_BLOB_PATH", Set.of("abc", "-1", "99999999999999999999", "1e3"),
            "CLEANER_LEASE_KEY", Set.of("abc", "-1", "99999999999999999999", "1e3"));

    static Stream<Arguments> matrix() {
        List<Arguments> cases = new ArrayList<>();
        for (String[] documented : SettingsParser.DOCUMENTED) {
            for (String value : VALUES) {
                cases.add(Arguments.of(documented[0], value));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}=[{1}]")
    @MethodSource("matrix")
    void refusedWithItsOwnMessageOrAcceptedAsDocumented(String variable, String value) {
        Map<String, String> env = new HashMap<>();
        env.put("LOCAL_STORAGE_ROOT", root.toString());
        env.put(variable, value);
        try {
            CleanerSettings settings = SettingsParser.parse(env);
            if (value.isBlank()) {
                // empty or blank means unset: the default applies
                CleanerSettings defaults = SettingsParser.parse(Map.of("LOCAL_STORAGE_ROOT", root.toString()));
                if (!variable.equals("LOCAL_STORAGE_ROOT")) {
                    assertThat(settings.toString()).isEqualTo(defaults.toString());
                }
                return;
            }
            assertThat(DOCUMENTED_ACCEPTANCE.getOrDefault(variable, Set.of()))
                    .as(variable + "=" + value + " was accepted without a documented meaning").contains(value);
        } catch (SettingsRefusedException e) {
            if (variable.equals("LOCAL_STORAGE_ROOT") && value.isBlank()) {
                // the default /tmp/uploads does not exist on this machine: refused, naming it
                assertThat(e.refusals()).extracting(Refusal::variable).containsOnly("LOCAL_STORAGE_ROOT");
                return;
            }
            assertThat(value).as("a blank value is the default, never refused").isNotBlank();
            assertThat(e.refusals()).isNotEmpty();
            assertThat(e.refusals()).extracting(Refusal::variable).containsOnly(variable);
            for (Refusal r : e.refusals()) {
                assertThat(r.message()).startsWith(variable + "=\"").contains(" refused: ").contains("; fix: ").doesNotContain("\n");
            }
        }
    }
}
