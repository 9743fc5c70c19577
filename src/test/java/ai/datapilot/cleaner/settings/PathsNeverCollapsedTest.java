package ai.datapilot.cleaner.settings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * A folder setting is used exactly as given, or refused, never collapsed: ".//maint" became
 * "/maint/" (leading './' stripped, then '//' merged), which the root then resolved to the
 * absolute "/maint", so the audit went outside the storage root; "s3://bucket/tenant//" and
 * "s3://bucket/./tenant" cleaned "tenant/", another key space than the one given.
 */
class PathsNeverCollapsedTest {

    @TempDir
    Path tmp;

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "CLEANER_AUDIT_BLOB_PATH | .//maint-audit-attack/",
            "CLEANER_AUDIT_BLOB_PATH | maintenance//cleaner_runs/",
            "CLEANER_AUDIT_BLOB_PATH | maintenance/./cleaner_runs/",
            "BLOB_PATH_PREFIXES      | uploads/,results/,.//extra-attack/",
            "BLOB_PATH_PREFIXES      | uploads/,results/,extra//more/"})
    void aLocalFolderSettingWithAnEmptyOrDotSegmentIsRefused(String variable, String value) throws IOException {
        Path root = Files.createDirectory(tmp.resolve("store"));
        Map<String, String> env = new HashMap<>(Map.of(
                "LOCAL_STORAGE_ROOT", root.toString(), "REDIS_URL", "redis://127.0.0.1:1/0", variable, value));

        Throwable refused = catchThrowable(() -> {
            CleanerSettings settings = SettingsParser.parse(env);
            throw new AssertionError(variable + "=" + value + " was accepted: audit folder " + settings.auditDirectory()
                    + ", prefixes " + settings.blobPrefixes() + " (root " + root + ")");
        });

        assertThat(refused).isInstanceOf(SettingsRefusedException.class);
        assertThat(((SettingsRefusedException) refused).refusals()).singleElement()
                .satisfies(r -> assertThat(r.variable()).isEqualTo(variable));
    }

    @ParameterizedTest
    @CsvSource({"s3://datapilot-test/tenant//", "s3://datapilot-test/a//b", "s3://datapilot-test/./tenant",
            "s3://datapilot-test/tenant/./x", "s3://datapilot-test/tenant/."})
    void aBucketBaseWithAnEmptyOrDotSegmentIsRefused(String url) {
        Map<String, String> env = Map.of("BLOB_STORAGE_URL", url, "CLEANER_S3_ENDPOINT", "http://127.0.0.1:9",
                "REDIS_URL", "redis://127.0.0.1:1/0");

        Throwable refused = catchThrowable(() -> {
            CleanerSettings settings = SettingsParser.parse(env);
            throw new AssertionError(url + " was accepted as base \"" + settings.objectStorage().orElseThrow().base() + "\"");
        });

        assertThat(refused).isInstanceOf(SettingsRefusedException.class);
        assertThat(((SettingsRefusedException) refused).refusals()).singleElement()
                .satisfies(r -> assertThat(r.variable()).isEqualTo("BLOB_STORAGE_URL"));
    }
}
