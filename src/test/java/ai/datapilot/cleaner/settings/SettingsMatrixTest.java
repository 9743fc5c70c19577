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
            "CLEANER_LEASE_KEY", Set.of("abc", "-1", "99999999999999999999", "1e3"),
            // any lower-case name: S3-compatible servers have their own (R2: auto)
            "CLEANER_S3_REGION", Set.of("abc"));

    static final Set<String> OBJECT_STORAGE = Set.of("BLOB_STORAGE_URL", "CLEANER_S3_ENDPOINT", "CLEANER_S3_REGION", "CLEANER_S3_PATH_STYLE");

    /** A valid environment around the variable under test: a folder, or a bucket for the S3 settings. */
    static Map<String, String> validBase(String variable) {
        Map<String, String> env = new HashMap<>();
        if (OBJECT_STORAGE.contains(variable)) {
            env.put("BLOB_STORAGE_URL", "s3://matrix-bucket");
            env.put("CLEANER_S3_REGION", "eu-west-1");
        } else {
            env.put("LOCAL_STORAGE_ROOT", root.toString());
        }
        return env;
    }

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
        Map<String, String> env = validBase(variable);
        env.put(variable, value);
        try {
            CleanerSettings settings = SettingsParser.parse(env);
            if (value.isBlank()) {
                // empty or blank means unset: the default applies
                Map<String, String> base = validBase(variable);
                if (base.containsKey(variable) && !variable.equals("LOCAL_STORAGE_ROOT")) {
                    // BLOB_STORAGE_URL or the region blanked: the folder default (or the chain) applies instead
                    return;
                }
                CleanerSettings defaults = SettingsParser.parse(base);
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
            if (variable.equals("BLOB_STORAGE_URL") && value.isBlank()) {
                // no bucket: the folder default (missing here) applies, and a region means nothing without a bucket
                assertThat(e.refusals()).extracting(Refusal::variable).containsOnly("LOCAL_STORAGE_ROOT", "CLEANER_S3_REGION");
                return;
            }
            if (variable.equals("CLEANER_S3_REGION") && value.isBlank()) {
                // unset: the AWS chain's region, and there is none in this test's environment
                assertThat(e.refusals()).extracting(Refusal::variable).containsOnly("CLEANER_S3_REGION");
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
