package ai.datapilot.cleaner.settings;

import static ai.datapilot.cleaner.testing.CleanerRuns.env;
import static ai.datapilot.cleaner.testing.CleanerRuns.run;
import static ai.datapilot.cleaner.testing.RedisForTests.job;
import static ai.datapilot.cleaner.testing.StorageTree.old;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ai.datapilot.cleaner.testing.CleanerRuns.Result;
import ai.datapilot.cleaner.testing.RedisForTests;
import ai.datapilot.cleaner.testing.StorageTree;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A path setting is used exactly as given, or refused: trimming once made ".../store " clean the
 * sibling ".../store".
 */
class ExactPathsTest {

    @RegisterExtension
    static RedisForTests redis = new RedisForTests();

    @TempDir
    Path tmp;

    @Test
    void aStorageRootEndingInASpaceIsRefusedAndItsSiblingIsNotCleaned() throws IOException {
        StorageTree store = new StorageTree(Files.createDirectory(tmp.resolve("store")));
        store.file("uploads/job_old/data.csv", old());
        store.file("results/job_old.json", old());
        StorageTree spaced = new StorageTree(Files.createDirectory(tmp.resolve("store ")));
        spaced.file("results/job_old.json", old());
        redis.setJob("job:job_old", job("job_old", old()));

        Result result = run(env(tmp.resolve("store "), redis.url(), "CLEANER_DRY_RUN", "false"));

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(store.exists("uploads/job_old/data.csv")).isTrue();
        assertThat(store.exists("results/job_old.json")).isTrue();
        assertThat(spaced.exists("results/job_old.json")).isTrue();
        assertThat(redis.exists("job:job_old")).isTrue();
        assertThat(store.auditFiles()).isEmpty();
        String message = result.summary().get("errors").get(0).get("message").asText();
        // the value is quoted, so the space is visible, and the fix is named
        assertThat(message).startsWith("LOCAL_STORAGE_ROOT=\"" + tmp.resolve("store ") + "\" refused: ")
                .contains("whitespace").contains("fix: ");
    }

    static Stream<Arguments> pathsWithWhitespace() {
        return Stream.of(
                Arguments.of("LOCAL_STORAGE_ROOT", "{root} ", "\"{root} \""),
                Arguments.of("LOCAL_STORAGE_ROOT", " {root}", "\" {root}\""),
                Arguments.of("LOCAL_STORAGE_ROOT", "{root}\t", "\"{root}\\x09\""),
                Arguments.of("LOCAL_STORAGE_ROOT", "{root}\r", "\"{root}\\x0d\""),
                Arguments.of("LOCAL_STORAGE_ROOT", "{root}\u00a0", "\"{root}\u00a0\""),
                Arguments.of("CLEANER_AUDIT_BLOB_PATH", "audit ", "\"audit \""),
                Arguments.of("CLEANER_AUDIT_BLOB_PATH", " maintenance/cleaner_runs/", "\" maintenance/cleaner_runs/\""),
                Arguments.of("CLEANER_ROUTES_DIR", "{routes} ", "\"{routes} \""),
                Arguments.of("BLOB_PATH_PREFIXES", "uploads/,results/ ", "prefix \"results/ \""),
                Arguments.of("BLOB_PATH_PREFIXES", "uploads/, results/", "prefix \" results/\""),
                Arguments.of("BLOB_PATH_PREFIXES", " uploads/,results/", "prefix \" uploads/\""));
    }

    @ParameterizedTest(name = "{0}=[{1}]")
    @MethodSource("pathsWithWhitespace")
    void whitespaceAtEitherEndOfAPathIsRefusedNamingVariableValueAndFix(String variable, String value, String shown,
            @TempDir Path root, @TempDir Path routes) throws IOException {
        Files.writeString(routes.resolve("cleaner.camel.yaml"), Files.readString(Path.of("routes/cleaner.camel.yaml")));
        Map<String, String> env = new HashMap<>();
        env.put("LOCAL_STORAGE_ROOT", root.toString());
        env.put(variable, value.replace("{root}", root.toString()).replace("{routes}", routes.toString()));

        SettingsRefusedException e = catchThrowableOfType(SettingsRefusedException.class, () -> SettingsParser.parse(env));

        assertThat(e).as("refused").isNotNull();
        assertThat(e.refusals()).extracting(Refusal::variable).containsOnly(variable);
        Refusal r = e.refusals().stream().filter(x -> x.problem().contains("whitespace")).findFirst().orElseThrow();
        assertThat(r.message()).contains(shown.replace("{root}", root.toString()).replace("{routes}", routes.toString()))
                .contains("never trimmed").contains("; fix: ").doesNotContain("\n");
    }

    @Test
    void aBucketBaseEndingInASpaceIsRefused() {
        Map<String, String> env = new HashMap<>(Map.of("BLOB_STORAGE_URL", "s3://datapilot-prod/tenant-a ", "CLEANER_S3_REGION", "eu-west-1"));

        SettingsRefusedException e = catchThrowableOfType(SettingsRefusedException.class, () -> SettingsParser.parse(env));

        assertThat(e).as("refused").isNotNull();
        assertThat(e.refusals()).extracting(Refusal::message)
                .containsExactly("BLOB_STORAGE_URL=\"s3://datapilot-prod/tenant-a \" refused: begins or ends with whitespace; "
                        + "a path is used exactly as given, never trimmed; fix: remove the leading/trailing whitespace from BLOB_STORAGE_URL "
                        + "(or rename the folder if its name really has it)");
    }

    @Test
    void pathsWithoutWhitespaceAreUsedAsGivenAndBlankStillMeansUnset(@TempDir Path root) throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put("LOCAL_STORAGE_ROOT", root.toString());
        env.put("BLOB_PATH_PREFIXES", "uploads/,results/,tmp/exports/");
        env.put("CLEANER_AUDIT_BLOB_PATH", "  ");

        CleanerSettings s = SettingsParser.parse(env);

        assertThat(s.storageRoot()).isEqualTo(root.toRealPath());
        assertThat(s.blobPrefixes()).isEqualTo(List.of("uploads/", "results/", "tmp/exports/"));
        assertThat(s.auditPath()).isEqualTo("maintenance/cleaner_runs/");
    }
}
