package ai.datapilot.cleaner.settings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SettingsParserTest {

    @TempDir
    Path root;

    Map<String, String> env;

    @BeforeEach
    void validEnvironment() {
        env = new HashMap<>();
        env.put("LOCAL_STORAGE_ROOT", root.toString());
    }

    @Test
    void defaultsAreThoseOfTheSeed() throws Exception {
        CleanerSettings s = SettingsParser.parse(env);

        assertThat(s.storageRoot()).isEqualTo(root.toRealPath());
        assertThat(s.redisUrl().masked()).isEqualTo("redis://localhost:6379/0");
        assertThat(s.ttlHours()).isEqualTo(24.0);
        assertThat(s.minTtlHours()).isEqualTo(1.0);
        assertThat(s.dryRun()).isTrue();
        assertThat(s.logLevel()).isEqualTo("INFO");
        assertThat(s.logFormat()).isEqualTo("text");
        assertThat(s.blobPrefixes()).containsExactly("uploads/", "results/");
        assertThat(s.auditPath()).isEqualTo("maintenance/cleaner_runs/");
        assertThat(s.maxDeleteBatch()).isEqualTo(500);
        assertThat(s.auditDirectory()).isEqualTo(root.toRealPath().resolve("maintenance/cleaner_runs"));
    }

    @Test
    void decimalHoursAndOtherSpellingsAreAccepted() throws Exception {
        env.put("JOB_TTL_HOURS", "0.5");
        env.put("MIN_TTL_HOURS", "0.25");
        env.put("CLEANER_DRY_RUN", " FALSE ");
        env.put("CLEANER_LOG_LEVEL", "warning");
        env.put("CLEANER_LOG_FORMAT", " JSON ");
        env.put("BLOB_PATH_PREFIXES", "results,./uploads/,tmp/exports/");
        env.put("CLEANER_AUDIT_BLOB_PATH", "audit");

        CleanerSettings s = SettingsParser.parse(env);

        assertThat(s.ttl()).hasMinutes(30);
        assertThat(s.dryRun()).isFalse();
        assertThat(s.logLevel()).isEqualTo("WARN");
        assertThat(s.logFormat()).isEqualTo("json");
        assertThat(s.blobPrefixes()).containsExactly("results/", "uploads/", "tmp/exports/");
        assertThat(s.auditPath()).isEqualTo("audit/");
    }

    @Test
    void emptyAndBlankValuesMeanNotSet() throws Exception {
        env.put("JOB_TTL_HOURS", "");
        env.put("CLEANER_DRY_RUN", "  ");
        env.put("CLEANER_MAX_DELETE_BATCH", "");

        CleanerSettings s = SettingsParser.parse(env);

        assertThat(s.ttlHours()).isEqualTo(24.0);
        assertThat(s.dryRun()).isTrue();
        assertThat(s.maxDeleteBatch()).isEqualTo(500);
    }

    @Test
    void dryRunWordsAreRecognised() throws Exception {
        for (String yes : List.of("true", "1", "yes", "on", "TRUE", "Yes")) {
            env.put("CLEANER_DRY_RUN", yes);
            assertThat(SettingsParser.parse(env).dryRun()).as(yes).isTrue();
        }
        for (String no : List.of("false", "0", "no", "off", "False", "NO")) {
            env.put("CLEANER_DRY_RUN", no);
            assertThat(SettingsParser.parse(env).dryRun()).as(no).isFalse();
        }
    }

    @Test
    void ttlBelowMinimumIsRefusedWithTheOriginalsMessage() {
        env.put("JOB_TTL_HOURS", "0");
        env.put("MIN_TTL_HOURS", "1");

        Refusal r = onlyRefusal();

        assertThat(r.variable()).isEqualTo("JOB_TTL_HOURS");
        assertThat(r.message()).contains("JOB_TTL_HOURS=\"0\"")
                .contains("TTL (0h) is less than minimum allowed (1h)")
                .contains("set MIN_TTL_HOURS to override");
    }

    @Test
    void prefixesWithoutUploadsAreRefusedNamingTheMissingPrefix() {
        env.put("BLOB_PATH_PREFIXES", "results/");

        Refusal r = onlyRefusal();

        assertThat(r.variable()).isEqualTo("BLOB_PATH_PREFIXES");
        assertThat(r.message()).contains("must include \"uploads/\"");
    }

    static Stream<Arguments> refused() {
        return Stream.of(
                Arguments.of("JOB_TTL_HOURS", "abc", "not a number"),
                Arguments.of("JOB_TTL_HOURS", "-5", "negative"),
                Arguments.of("JOB_TTL_HOURS", "1e400", "not a number"),
                Arguments.of("JOB_TTL_HOURS", "NaN", "not a number"),
                Arguments.of("JOB_TTL_HOURS", "99999999", "larger than"),
                Arguments.of("JOB_TTL_HOURS", "24h", "not a number"),
                Arguments.of("MIN_TTL_HOURS", "x", "not a number"),
                Arguments.of("MIN_TTL_HOURS", "-1", "negative"),
                Arguments.of("CLEANER_DRY_RUN", "flase", "not a yes/no word"),
                Arguments.of("CLEANER_DRY_RUN", "maybe", "not a yes/no word"),
                Arguments.of("CLEANER_LOG_LEVEL", "LOUD", "unknown log level"),
                Arguments.of("CLEANER_LOG_FORMAT", "logstash", "unknown log format"),
                Arguments.of("CLEANER_MAX_DELETE_BATCH", "-1", "negative"),
                Arguments.of("CLEANER_MAX_DELETE_BATCH", "ten", "not a whole number"),
                Arguments.of("CLEANER_MAX_DELETE_BATCH", "1.5", "not a whole number"),
                Arguments.of("CLEANER_MAX_DELETE_BATCH", "99999999999", "out of range"),
                Arguments.of("BLOB_PATH_PREFIXES", "uploads/,results/,$(touch x)/", "may hold only"),
                Arguments.of("CLEANER_MAX_DELETE_BATCH", "2000000", "out of range"),
                Arguments.of("CLEANER_DELETES_PER_SECOND", "-3", "negative"),
                Arguments.of("CLEANER_DELETE_RETRIES", "100", "out of range"),
                Arguments.of("CLEANER_DELETE_RETRY_DELAY_MS", "soon", "not a whole number"),
                Arguments.of("CLEANER_REDIS_TIMEOUT_MS", "5", "out of range"),
                Arguments.of("REDIS_URL", "http://localhost:6379", "scheme must be redis://, rediss://, redis-cluster:// or rediss-cluster://"),
                Arguments.of("REDIS_URL", "redis-cluster://h1:7000/3", "a Redis Cluster has only database 0"),
                Arguments.of("REDIS_URL", "redis://h1:7000,h2:7001", "several hosts need the redis-cluster:// scheme"),
                Arguments.of("REDIS_URL", "redis-cluster://h1:7000,,h2:7001", "a seed node between the commas is empty"),
                Arguments.of("REDIS_URL", "redis://localhost:notaport", "port must be a number"),
                Arguments.of("REDIS_URL", "redis://localhost:6379/abc", "database after the '/' must be a number"),
                Arguments.of("REDIS_URL", "redis://", "host is missing"),
                Arguments.of("BLOB_PATH_PREFIXES", "uploads/,results/,/etc/", "is absolute"),
                Arguments.of("BLOB_PATH_PREFIXES", "uploads/,results/,../outside/", "contains '..'"),
                Arguments.of("BLOB_PATH_PREFIXES", "uploads/,results/,a/../../b/", "contains '..'"),
                Arguments.of("BLOB_PATH_PREFIXES", "uploads/,,results/", "is empty"),
                Arguments.of("BLOB_PATH_PREFIXES", "uploads/,results/,./", "names the storage root itself"),
                Arguments.of("BLOB_PATH_PREFIXES", "uploads/,results/,~/x/", "is absolute"),
                Arguments.of("BLOB_PATH_PREFIXES", "uploads/,results/,uploads/sub/", "overlap"),
                Arguments.of("BLOB_PATH_PREFIXES", "uploads/,results/,a\\b/", "backslash"),
                Arguments.of("BLOB_PATH_PREFIXES", "uploads/,results/,x\n/", "control characters"),
                Arguments.of("BLOB_PATH_PREFIXES", "uploads/", "must include \"results/\""),
                Arguments.of("CLEANER_AUDIT_BLOB_PATH", "uploads/audit/", "inside the cleaned prefix \"uploads/\""),
                Arguments.of("CLEANER_AUDIT_BLOB_PATH", "results", "inside the cleaned prefix \"results/\""),
                Arguments.of("CLEANER_AUDIT_BLOB_PATH", "/var/log/cleaner/", "is absolute"),
                Arguments.of("CLEANER_AUDIT_BLOB_PATH", "../audit/", "contains '..'"),
                Arguments.of("CLEANER_AUDIT_BLOB_PATH", ".", "names the storage root itself"),
                Arguments.of("CLEANER_ROUTES_DIR", "/nonexistent-cleaner-routes", "does not exist"),
                Arguments.of("CLEANER_PUSHGATEWAY_URL", "pushgateway:9091", "not an http:// or https:// URL with a host"),
                Arguments.of("CLEANER_PUSHGATEWAY_URL", "ftp://pushgateway:9091", "not an http:// or https:// URL with a host"),
                Arguments.of("CLEANER_PUSHGATEWAY_URL", "http://pushgateway:9091/?job=x", "query options are not supported"),
                Arguments.of("CLEANER_PUSHGATEWAY_URL", "http://pushgateway:9091/metrics/job/other", "names a job"),
                Arguments.of("CLEANER_PUSHGATEWAY_URL", "http://push gateway:9091", "not a URL"),
                Arguments.of("CLEANER_PUSHGATEWAY_URL", "http://user@pushgateway:9091", "has a user but no password"));
    }

    @Test
    void aPushgatewayUrlIsAcceptedAndItsPasswordNeverShown() throws Exception {
        assertThat(SettingsParser.parse(env).pushgateway()).isEmpty();

        env.put("CLEANER_PUSHGATEWAY_URL", "https://cleaner:s3cr%40t@metrics.example:9443/gateway/");
        PushgatewayUrl url = SettingsParser.parse(env).pushgateway().orElseThrow();

        assertThat(url.https()).isTrue();
        assertThat(url.address()).isEqualTo("metrics.example:9443/gateway");
        assertThat(url.basicAuth().orElseThrow()).containsExactly("cleaner", "s3cr@t");
        assertThat(url.toString()).isEqualTo("https://cleaner:***@metrics.example:9443/gateway/").doesNotContain("s3cr");
        assertThat(SettingsParser.parse(env).toString()).doesNotContain("s3cr");

        env.put("CLEANER_PUSHGATEWAY_URL", "http://cleaner:s3cret@pushgateway:9091/metrics/job/x");
        assertThat(onlyRefusal().message()).doesNotContain("s3cret").contains("cleaner:***@");
    }

    @ParameterizedTest(name = "{0}={1}")
    @MethodSource("refused")
    void badValuesAreRefusedNamingVariableValueAndFix(String variable, String value, String problem) {
        env.put(variable, value);

        Refusal r = onlyRefusal();

        assertThat(r.variable()).isEqualTo(variable);
        assertThat(r.problem()).contains(problem);
        assertThat(r.fix()).isNotBlank();
        assertThat(r.message()).startsWith(variable + "=\"").contains("fix: ");
        assertThat(r.message()).doesNotContain("\n");
    }

    @Test
    void storageRootMustExistAndNotBeTheFileSystemRoot() throws IOException {
        env.put("LOCAL_STORAGE_ROOT", root.resolve("missing").toString());
        assertThat(onlyRefusal().problem()).isEqualTo("the folder does not exist");

        Path file = Files.writeString(root.resolve("a-file"), "x");
        env.put("LOCAL_STORAGE_ROOT", file.toString());
        assertThat(onlyRefusal().problem()).isEqualTo("not a folder");

        env.put("LOCAL_STORAGE_ROOT", "/");
        assertThat(onlyRefusal().problem()).contains("file-system root");
    }

    @Test
    void everyBadSettingIsReportedAtOnceAndTheRefusalKeepsAnAuditFolder() {
        env.put("JOB_TTL_HOURS", "abc");
        env.put("CLEANER_DRY_RUN", "flase");
        env.put("CLEANER_AUDIT_BLOB_PATH", "../escape");

        SettingsRefusedException e = catchThrowableOfType(SettingsRefusedException.class, () -> SettingsParser.parse(env));

        assertThat(e.refusals()).extracting(Refusal::variable)
                .containsExactly("JOB_TTL_HOURS", "CLEANER_DRY_RUN", "CLEANER_AUDIT_BLOB_PATH");
        // the refused audit path is never used; the default folder under the valid root is
        assertThat(e.fallback().auditDirectory()).isPresent();
        assertThat(e.fallback().auditDirectory().get().toString()).endsWith("maintenance/cleaner_runs");
        assertThat(e.fallback().dryRun()).isTrue();
    }

    @Test
    void aPasswordInARefusedRedisUrlIsMasked() {
        env.put("REDIS_URL", "redis://user:s3cret@host:notaport/0");

        Refusal r = onlyRefusal();

        assertThat(r.message()).doesNotContain("s3cret").contains("user:***@");
    }

    @Test
    void controlCharactersInValuesCannotForgeLogLines() {
        env.put("CLEANER_LOG_LEVEL", "INFO\nCONFIG_OK everything fine");

        Refusal r = onlyRefusal();

        assertThat(r.message()).doesNotContain("\n").contains("\\x0a");
    }

    private Refusal onlyRefusal() {
        SettingsRefusedException e = catchThrowableOfType(SettingsRefusedException.class, () -> SettingsParser.parse(env));
        assertThat(e).as("refused").isNotNull();
        assertThat(e.refusals()).hasSize(1);
        return e.refusals().get(0);
    }

    @Test
    void aBucketReplacesTheStorageRoot() throws SettingsRefusedException {
        env.remove("LOCAL_STORAGE_ROOT");
        env.put("BLOB_STORAGE_URL", "s3://datapilot-prod/tenant-a/");
        env.put("AWS_REGION", "eu-west-1");

        CleanerSettings s = SettingsParser.parse(env);

        assertThat(s.storageRoot()).isNull();
        S3Location bucket = s.objectStorage().orElseThrow();
        assertThat(bucket.bucket()).isEqualTo("datapilot-prod");
        assertThat(bucket.base()).isEqualTo("tenant-a/");
        assertThat(bucket.region()).isEqualTo("eu-west-1");
        assertThat(bucket.endpoint()).isEmpty();
        assertThat(bucket.pathStyle()).isFalse();
        assertThat(bucket.describe()).isEqualTo("s3://datapilot-prod/tenant-a");
        assertThat(s.auditKeyPrefix()).isEqualTo("tenant-a/maintenance/cleaner_runs/");
        assertThat(s.auditLocation()).isEqualTo("s3://datapilot-prod/tenant-a/maintenance/cleaner_runs/");
        assertThat(s.routeProperties()).containsEntry("cleaner.auditInObjectStorage", "true")
                .containsEntry("cleaner.auditBucket", "datapilot-prod");

        env.put("CLEANER_S3_ENDPOINT", "http://minio.internal:9000");
        env.remove("AWS_REGION");
        env.put("CLEANER_S3_PATH_STYLE", "true");
        S3Location minio = SettingsParser.parse(env).objectStorage().orElseThrow();
        assertThat(minio.region()).isEqualTo("us-east-1");
        assertThat(minio.pathStyle()).isTrue();
        assertThat(minio.endpoint()).hasValueSatisfying(u -> assertThat(u.toString()).isEqualTo("http://minio.internal:9000"));
    }

    @Test
    void badObjectStorageSettingsAreRefused() {
        env.remove("LOCAL_STORAGE_ROOT");
        env.put("AWS_REGION", "eu-west-1");
        String[][] cases = {
                {"BLOB_STORAGE_URL", "gs://bucket", "BLOB_STORAGE_URL", "scheme must be s3://"},
                {"BLOB_STORAGE_URL", "s3://AKIA123:secret@bucket", "BLOB_STORAGE_URL", "holds credentials"},
                {"BLOB_STORAGE_URL", "s3://Bad_Bucket", "BLOB_STORAGE_URL", "not a bucket name"},
                {"BLOB_STORAGE_URL", "s3://bucket/../other", "BLOB_STORAGE_URL", "contains '..'"},
                {"BLOB_STORAGE_URL", "s3://bucket//", "BLOB_STORAGE_URL", "base folder is empty"},
                {"BLOB_STORAGE_URL", "s3://bucket?region=x", "BLOB_STORAGE_URL", "query options"},
        };
        for (String[] c : cases) {
            env.put(c[0], c[1]);
            Refusal r = onlyRefusal();
            assertThat(r.variable()).as(c[1]).isEqualTo(c[2]);
            assertThat(r.problem()).as(c[1]).contains(c[3]);
            assertThat(r.message()).as(c[1]).doesNotContain("secret");
        }
        env.put("BLOB_STORAGE_URL", "s3://bucket");
        env.put("CLEANER_S3_ENDPOINT", "ftp://minio");
        assertThat(onlyRefusal().variable()).isEqualTo("CLEANER_S3_ENDPOINT");
        env.put("CLEANER_S3_ENDPOINT", "http://key:secret@minio:9000");
        assertThat(onlyRefusal().message()).doesNotContain("secret");
        env.remove("CLEANER_S3_ENDPOINT");
        env.remove("AWS_REGION");
        assertThat(onlyRefusal().variable()).isEqualTo("CLEANER_S3_REGION");
    }

    @Test
    void aFolderAndABucketTogetherAreRefused() {
        env.put("BLOB_STORAGE_URL", "s3://bucket");
        env.put("CLEANER_S3_REGION", "eu-west-1");
        Refusal r = onlyRefusal();
        assertThat(r.variable()).isEqualTo("LOCAL_STORAGE_ROOT");
        assertThat(r.problem()).contains("set together with BLOB_STORAGE_URL");

        env.remove("BLOB_STORAGE_URL");
        assertThat(onlyRefusal().variable()).isEqualTo("CLEANER_S3_REGION");
    }
}
