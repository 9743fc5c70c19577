package ai.datapilot.cleaner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.datapilot.cleaner.testing.RedisForTests;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every refusal of a setting that carries a secret, through every command that echoes refusals:
 * the secret is in neither stdout, stderr (the log), the summary line, the health JSON nor any
 * file the run left. A {@code ?password=} once was printed whole.
 */
class SecretsNeverEchoedTest {

    static final String SECRET = "hunter2-S3CR3T";

    @RegisterExtension
    static RedisForTests redis = new RedisForTests();

    @TempDir
    Path root;

    static Stream<Arguments> refusedSecrets() {
        return Stream.of(
                // variable, value ({port} = the private Redis), what the refusal still shows
                Arguments.of("REDIS_URL", "redis://127.0.0.1:{port}/0?password=" + SECRET, "/0?***"),
                Arguments.of("REDIS_URL", "redis://127.0.0.1:{port}/0?user=cleaner&token=" + SECRET, "/0?***"),
                Arguments.of("REDIS_URL", "redis://127.0.0.1:{port}/0?p=" + SECRET, "/0?***"),
                Arguments.of("REDIS_URL", "redis://127.0.0.1:{port}/0?" + SECRET, "/0?***"),
                Arguments.of("REDIS_URL", "redis://127.0.0.1:{port}/0#" + SECRET, "/0#***"),
                Arguments.of("REDIS_URL", "redis://cleaner:" + SECRET + "@127.0.0.1:notaport/0", "cleaner:***@127.0.0.1"),
                Arguments.of("REDIS_URL", "redis://" + SECRET + "@127.0.0.1:{port}/x", "redis://:***@127.0.0.1"),
                Arguments.of("REDIS_URL", "redis://cleaner:pa@" + SECRET + "@127.0.0.1:{port}/x", "cleaner:***@127.0.0.1"),
                Arguments.of("REDIS_URL", "redis://cleaner:" + SECRET + "?x@127.0.0.1:{port}/0", "redis://***"),
                Arguments.of("REDIS_URL", "http://cleaner:" + SECRET + "@127.0.0.1:{port}", "cleaner:***@"),
                Arguments.of("REDIS_URL", "127.0.0.1:{port}?password=" + SECRET, "?***"),
                Arguments.of("BLOB_STORAGE_URL", "s3://datapilot-prod?X-Amz-Security-Token=" + SECRET, "s3://datapilot-prod?***"),
                Arguments.of("BLOB_STORAGE_URL", "s3://AKIAEXAMPLE:" + SECRET + "@datapilot-prod", "s3://***"),
                Arguments.of("CLEANER_S3_ENDPOINT", "http://minio.internal:9000/?token=" + SECRET, "9000/?***"),
                Arguments.of("CLEANER_S3_ENDPOINT", "http://minio:" + SECRET + "@minio.internal:9000", "***"),
                Arguments.of("CLEANER_LEASE_KEY", "redis://cleaner:" + SECRET + "@127.0.0.1:6380", "cleaner:***@"));
    }

    record Output(int code, String stdout, String stderr) {
    }

    private Output command(Map<String, String> env, String... args) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream stderr = System.err;
        // the log goes to System.err (logback's console target looks it up on every write)
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = CleanerCommand.execute(args, env, new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8));
        } finally {
            System.setErr(stderr);
        }
        return new Output(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @ParameterizedTest(name = "{0}={1}")
    @MethodSource("refusedSecrets")
    void theSecretOfARefusedValueIsMaskedEverywhere(String variable, String value, String shown) throws Exception {
        Map<String, String> env = new HashMap<>();
        if (variable.equals("BLOB_STORAGE_URL") || variable.startsWith("CLEANER_S3_")) {
            env.put("BLOB_STORAGE_URL", "s3://datapilot-prod");
            env.put("CLEANER_S3_REGION", "eu-west-1");
        } else {
            env.put("LOCAL_STORAGE_ROOT", root.toString());
        }
        env.put("REDIS_URL", redis.url());
        env.put("CLEANER_MANAGEMENT_PORT", "1");
        env.put(variable, value.replace("{port}", Integer.toString(redis.server().port())));

        for (String command : List.of("run-once", "health", "daemon")) {
            Output o = command(env, command);

            assertThat(o.code()).as(command + ": " + o.stderr()).isEqualTo(2);
            String all = o.stdout() + o.stderr();
            assertThat(all).as(command).doesNotContain(SECRET).contains(variable + "=").contains(shown);
            if (command.equals("run-once")) {
                assertThat(o.stdout()).as("summary").startsWith("STRUCTURED_SUMMARY: ").contains(shown);
            }
            if (!command.equals("health")) {
                assertThat(o.stderr()).as(command + " log").contains("CONFIG_REFUSED " + variable + "=\"");
            }
        }
        List<Path> left;
        try (Stream<Path> files = Files.walk(root)) {
            left = files.filter(Files::isRegularFile).toList();
        }
        if (env.containsKey("LOCAL_STORAGE_ROOT")) {
            assertThat(left).as("the refusal's audit record").isNotEmpty();
        }
        for (Path file : left) {
            assertThat(Files.readString(file)).as(file.toString()).doesNotContain(SECRET);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusedSecrets")
    void theAuditRecordOfARefusalShowsTheMaskedValue(String variable, String value, String shown) throws Exception {
        if (variable.equals("BLOB_STORAGE_URL") || variable.startsWith("CLEANER_S3_")) {
            return; // no local folder: the refusal's audit cannot be written, the summary line tells
        }
        Map<String, String> env = new HashMap<>(Map.of("LOCAL_STORAGE_ROOT", root.toString(), "REDIS_URL", redis.url()));
        env.put(variable, value.replace("{port}", Integer.toString(redis.server().port())));

        Output o = command(env, "run-once");

        Path audit;
        try (Stream<Path> files = Files.list(root.resolve("maintenance/cleaner_runs"))) {
            audit = files.findFirst().orElseThrow();
        }
        assertThat(o.code()).isEqualTo(2);
        assertThat(Files.readString(audit)).contains("\"status\" : \"refused\"").contains(shown).doesNotContain(SECRET);
    }
}
