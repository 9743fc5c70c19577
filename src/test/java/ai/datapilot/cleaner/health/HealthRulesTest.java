package ai.datapilot.cleaner.health;

import static ai.datapilot.cleaner.testing.CleanerRuns.env;
import static ai.datapilot.cleaner.testing.CleanerRuns.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.datapilot.cleaner.cli.HealthCommand;
import ai.datapilot.cleaner.testing.RedisForTests;
import ai.datapilot.cleaner.testing.StorageTree;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.params.SetParams;

/**
 * {@code health} tells whether the cleaner does its work: it always prints its JSON, a newest run
 * that did not do its work is not healthy (a run turned away by another run's lease is passed
 * over), and the storage probe really writes.
 */
class HealthRulesTest {

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
        String lastRun() {
            return json.get("checks").get("lastRun").get("detail").asText();
        }
    }

    private Health health() throws Exception {
        return health(tree.root());
    }

    private Health health(Path root) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int code = HealthCommand.execute(env(root, redis.url()), new PrintStream(bytes, true, StandardCharsets.UTF_8), Clock.systemUTC());
        return new Health(code, JSON.readTree(bytes.toString(StandardCharsets.UTF_8)));
    }

    private Path record(String name, String json) throws IOException {
        Path audit = Files.createDirectories(tree.path("maintenance/cleaner_runs"));
        return Files.writeString(audit.resolve(name), json);
    }

    private static String completed(Instant when, String status, String errors) {
        return "{\"runId\":\"r\",\"status\":\"" + status + "\",\"startedAt\":\"" + when.minusSeconds(5) + "\",\"completedAt\":\""
                + when + "\",\"errors\":[" + errors + "],\"items\":[]}";
    }

    /** A malformed newest record printed a stack trace and no JSON; it is an unhealthy last run with the reason. */
    @ParameterizedTest
    @ValueSource(strings = {"words", "number", "impossible-date", "errors-not-a-list", "truncated", "not-json"})
    void aMalformedNewestRecordIsReportedInTheJson(String kind) throws Exception {
        String ok = completed(Instant.now(), "completed", "");
        String body = switch (kind) {
            case "words" -> ok.replaceAll("\"completedAt\":\"[^\"]*\"", "\"completedAt\":\"yesterday\"");
            case "number" -> ok.replaceAll("\"completedAt\":\"[^\"]*\"", "\"completedAt\":1700000000");
            case "impossible-date" -> ok.replaceAll("\"completedAt\":\"[^\"]*\"", "\"completedAt\":\"2024-13-45T99:00:00Z\"");
            case "errors-not-a-list" -> ok.replace("\"errors\":[]", "\"errors\":{\"not\":\"a list\"}");
            case "truncated" -> ok.substring(0, ok.indexOf("\"errors\""));
            default -> "<html>not json</html>";
        };
        record("cleaner_20991231_000000_000_aaaaaaaa.json", body);

        Health h = health();

        assertThat(h.code()).isEqualTo(1);
        assertThat(h.json().get("status").asText()).isEqualTo("degraded");
        assertThat(h.lastRun()).contains("cleaner_20991231_000000_000_aaaaaaaa.json")
                .containsAnyOf("malformed completedAt", "unreadable", "no errors list");
    }

    @Test
    void aNewestRunRefusedForItsSettingsIsNotHealthy() throws Exception {
        assertThat(run(env(tree.root(), redis.url())).exitCode()).isZero();
        Thread.sleep(5);
        assertThat(run(env(tree.root(), redis.url(), "JOB_TTL_HOURS", "0")).exitCode()).isEqualTo(2);
        assertThat(tree.auditFiles()).hasSize(2);

        Health h = health();

        assertThat(h.code()).isEqualTo(1);
        assertThat(h.lastRun()).contains("refused");
        assertThat(h.json().get("lastCleanerRun").get("status").asText()).isEqualTo("refused");
    }

    @Test
    void aRunTurnedAwayByAnotherRunsLeaseIsFineWhenTheRunBeforeItDidItsWork() throws Exception {
        assertThat(run(env(tree.root(), redis.url())).exitCode()).isZero();
        Thread.sleep(5);
        holdTheLease();
        assertThat(run(env(tree.root(), redis.url())).summary().get("status").asText()).isEqualTo("lease_unavailable");

        Health h = health();

        assertThat(h.code()).as(h.json().toString()).isZero();
        assertThat(h.lastRun()).contains("found the lease held by another run").contains("completed");
        assertThat(h.json().get("lastCleanerRun").get("status").asText()).isEqualTo("lease_unavailable");
    }

    @Test
    void runsTurnedAwayByTheLeaseWithNoRunThatDidItsWorkAreNotHealthy() throws Exception {
        holdTheLease();
        assertThat(run(env(tree.root(), redis.url())).summary().get("status").asText()).isEqualTo("lease_unavailable");

        Health h = health();

        assertThat(h.code()).isEqualTo(1);
        assertThat(h.lastRun()).contains("no run did its work");
    }

    @Test
    void aTurnedAwayRunAfterARefusedOneIsNotHealthy() throws Exception {
        record("cleaner_20991230_000000_000_aaaaaaaa.json", completed(Instant.now().minusSeconds(60), "refused",
                "{\"type\":\"config_invalid\",\"message\":\"m\",\"variable\":\"JOB_TTL_HOURS\"}"));
        record("cleaner_20991231_000000_000_bbbbbbbb.json", "{\"runId\":\"r\",\"status\":\"lease_unavailable\",\"startedAt\":\""
                + Instant.now() + "\",\"completedAt\":\"" + Instant.now() + "\",\"errors\":[],\"items\":[]}");

        Health h = health();

        assertThat(h.code()).isEqualTo(1);
        assertThat(h.lastRun()).contains("found the lease held by another run").contains("refused");
    }

    @ParameterizedTest
    @ValueSource(strings = {"interrupted", "running", "lease-with-error", "crashed", "future", "no-status"})
    void aNewestRunThatDidNotDoItsWorkIsNotHealthy(String kind) throws Exception {
        Instant now = Instant.now();
        String json = switch (kind) {
            case "interrupted" -> completed(now, "interrupted", "");
            case "running" -> completed(now, "running", "");
            case "lease-with-error" -> completed(now, "lease_unavailable", "{\"type\":\"cleanup_failed\",\"message\":\"NOPERM\"}")
                    .replace("\"cleanup_failed\"", "\"lease_failed\"");
            case "crashed" -> completed(now, "completed", "{\"type\":\"cleanup_failed\",\"message\":\"could not run: boom\"}");
            case "future" -> completed(now.plus(Duration.ofDays(365)), "completed", "");
            default -> completed(now, "completed", "").replace("\"status\":\"completed\",", "");
        };
        record("cleaner_20991231_000000_000_aaaaaaaa.json", json);

        Health h = health();

        assertThat(h.code()).as(h.json().toString()).isEqualTo(1);
        assertThat(h.lastRun()).containsAnyOf("interrupted", "never completed", "could not take the lease", "the run failed",
                "in the future", "no status");
    }

    @Test
    void aCompletedCleanRunIsHealthy() throws Exception {
        record("cleaner_20991231_000000_000_aaaaaaaa.json", completed(Instant.now(), "completed", "{\"type\":\"blob_scan_failed\",\"message\":\"m\"}"));

        Health h = health();

        assertThat(h.code()).as(h.json().toString()).isZero();
        assertThat(h.lastRun()).contains("completed").contains("1 error(s)");
    }

    /**
     * The probe created an empty file, which needs no data block: a full disk passed as writable.
     * It now writes and syncs a block, so a full file system fails the storage check.
     */
    @Test
    void aFullDiskFailsTheStorageCheck() throws Exception {
        Path disk = Files.createDirectory(tmp.resolve("disk"));
        assumeTrue(sh("mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", disk.toString()),
                "mounting a tmpfs is not permitted here (needs root or CAP_SYS_ADMIN)");
        try {
            StorageTree small = new StorageTree(disk);
            Files.createDirectories(small.path("uploads"));
            Files.createDirectories(small.path("results"));
            Files.createDirectories(small.path("maintenance/cleaner_runs"));
            Files.writeString(small.path("maintenance/cleaner_runs/cleaner_20991231_000000_000_aaaaaaaa.json"),
                    completed(Instant.now(), "completed", ""));
            assertThat(health(disk).json().get("checks").get("storage").get("status").asText()).isEqualTo("ok");

            fill(small.path("filler"));

            Health full = health(disk);
            assertThat(full.code()).isEqualTo(2);
            assertThat(full.json().get("checks").get("storage").get("status").asText()).isEqualTo("failed");
            assertThat(full.json().get("checks").get("storage").get("detail").asText()).contains("No space left on device");
            try (var left = Files.list(small.path("maintenance/cleaner_runs"))) {
                assertThat(left).hasSize(1); // the probe removed its file
            }
        } finally {
            assertThat(sh("umount", disk.toString())).as("unmounting the test's tmpfs").isTrue();
        }
    }

    private static void fill(Path file) {
        byte[] block = new byte[4096];
        try (OutputStream out = Files.newOutputStream(file)) {
            while (true) {
                out.write(block);
                out.flush();
            }
        } catch (IOException full) {
            // ENOSPC: the disk is full
        }
    }

    private static boolean sh(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    }

    /** Another run holds the Redis lease (the default key), as a cleaner on another host would. */
    private static void holdTheLease() {
        try (Jedis jedis = redis.client()) {
            jedis.set("datapilot-cleaner:lease", "other-host:4242:run", SetParams.setParams().px(60_000));
        }
    }
}
