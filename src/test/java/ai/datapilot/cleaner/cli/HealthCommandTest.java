package ai.datapilot.cleaner.cli;

import static ai.datapilot.cleaner.testing.CleanerRuns.env;
import static ai.datapilot.cleaner.testing.CleanerRuns.run;
import static org.assertj.core.api.Assertions.assertThat;

import ai.datapilot.cleaner.testing.RedisForTests;
import ai.datapilot.cleaner.testing.StorageTree;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code health}: healthy 0, degraded 1, unhealthy 2, with the seed's alert rules. */
class HealthCommandTest {

    @RegisterExtension
    static RedisForTests redis = new RedisForTests();

    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    StorageTree tree;

    @BeforeEach
    void root() throws Exception {
        tree = new StorageTree(Files.createDirectory(tmp.resolve("storage")));
    }

    record Health(int code, JsonNode json) {
    }

    private Health health(Map<String, String> env, Clock clock) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int code = HealthCommand.execute(env, new PrintStream(bytes, true, StandardCharsets.UTF_8), clock);
        return new Health(code, JSON.readTree(bytes.toString(StandardCharsets.UTF_8)));
    }

    @Test
    void healthyAfterARecentCleanRun() throws Exception {
        assertThat(run(env(tree.root(), redis.url())).exitCode()).isZero();

        Health h = health(env(tree.root(), redis.url()), Clock.systemUTC());

        assertThat(h.code()).isZero();
        assertThat(h.json().get("status").asText()).isEqualTo("healthy");
        assertThat(h.json().get("checks").fieldNames()).toIterable().containsExactly("redis", "storage", "lastRun");
        assertThat(h.json().get("lastCleanerRun").get("completedAt").isNull()).isFalse();
        assertThat(h.json().has("timestamp")).isTrue();
    }

    @Test
    void degradedWithoutAnyRun() throws Exception {
        Health h = health(env(tree.root(), redis.url()), Clock.systemUTC());

        assertThat(h.code()).isEqualTo(1);
        assertThat(h.json().get("status").asText()).isEqualTo("degraded");
        assertThat(h.json().get("checks").get("lastRun").get("detail").asText()).contains("has not run");
    }

    @Test
    void degradedWhenTheLastRunIsOlderThan48Hours() throws Exception {
        run(env(tree.root(), redis.url()));

        Health h = health(env(tree.root(), redis.url()), Clock.offset(Clock.systemUTC(), Duration.ofHours(49)));

        assertThat(h.code()).isEqualTo(1);
        assertThat(h.json().get("checks").get("lastRun").get("detail").asText()).contains("more than 48 h");
    }

    @Test
    void degradedWhenTheLastRunHasMoreThanFiveErrorsOrNoCompletedAt() throws Exception {
        Path audit = Files.createDirectories(tree.path("maintenance/cleaner_runs"));
        Files.writeString(audit.resolve("cleaner_20991231_000000_000_aaaaaaaa.json"),
                "{\"runId\":\"x\",\"completedAt\":\"" + Instant.now() + "\",\"errors\":[{},{},{},{},{},{}]}");
        Health tooMany = health(env(tree.root(), redis.url()), Clock.systemUTC());
        assertThat(tooMany.code()).isEqualTo(1);
        assertThat(tooMany.json().get("checks").get("lastRun").get("detail").asText()).contains("6 errors");

        Files.writeString(audit.resolve("cleaner_20991231_000001_000_bbbbbbbb.json"), "{\"runId\":\"y\",\"errors\":[]}");
        Health unfinished = health(env(tree.root(), redis.url()), Clock.systemUTC());
        assertThat(unfinished.json().get("checks").get("lastRun").get("detail").asText()).contains("no completedAt");
    }

    @Test
    void unhealthyWhenRedisIsDownOrTheAuditFolderCannotBeWritten() throws Exception {
        run(env(tree.root(), redis.url()));
        Health down = health(env(tree.root(), "redis://127.0.0.1:1/0", "CLEANER_REDIS_TIMEOUT_MS", "300"), Clock.systemUTC());
        assertThat(down.code()).isEqualTo(2);
        assertThat(down.json().get("checks").get("redis").get("status").asText()).isEqualTo("failed");

        Path audit = tree.path("maintenance/cleaner_runs");
        Process chattr = new ProcessBuilder("chattr", "+i", audit.toString()).start();
        if (chattr.waitFor() == 0) {
            try {
                Health readOnly = health(env(tree.root(), redis.url()), Clock.systemUTC());
                assertThat(readOnly.code()).isEqualTo(2);
                assertThat(readOnly.json().get("checks").get("storage").get("detail").asText()).contains("not writable");
            } finally {
                new ProcessBuilder("chattr", "-i", audit.toString()).start().waitFor();
            }
        }
    }

    @Test
    void refusedSettingsAreUnhealthy() throws Exception {
        Health h = health(env(tree.root(), redis.url(), "JOB_TTL_HOURS", "abc"), Clock.systemUTC());

        assertThat(h.code()).isEqualTo(2);
        assertThat(h.json().get("checks").get("settings").toString()).contains("JOB_TTL_HOURS");
    }
}
