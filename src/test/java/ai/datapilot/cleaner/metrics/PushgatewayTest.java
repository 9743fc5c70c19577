package ai.datapilot.cleaner.metrics;

import static ai.datapilot.cleaner.testing.RedisForTests.job;
import static ai.datapilot.cleaner.testing.StorageTree.old;
import static org.assertj.core.api.Assertions.assertThat;

import ai.datapilot.cleaner.testing.CleanerRuns;
import ai.datapilot.cleaner.testing.CleanerRuns.Result;
import ai.datapilot.cleaner.testing.ExternalServer;
import ai.datapilot.cleaner.testing.RedisForTests;
import ai.datapilot.cleaner.testing.StorageTree;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * run-once with CLEANER_PUSHGATEWAY_URL against a real Pushgateway (Debian's
 * prometheus-pushgateway, started on a free loopback port without a persistence file): the run's
 * series arrive with their HELP text, each push replaces the previous run's, the last success
 * survives a failed run, and a gateway that cannot be reached leaves the exit code alone.
 */
class PushgatewayTest {

    @RegisterExtension
    static RedisForTests redis = new RedisForTests();

    @TempDir
    static Path gatewayFolder;

    @TempDir
    Path tmp;

    static ExternalServer gateway;
    StorageTree tree;

    @BeforeAll
    static void startThePushgateway() throws Exception {
        Path binary = ExternalServer.binary("/usr/bin/prometheus-pushgateway", "prometheus-pushgateway");
        gateway = ExternalServer.start(port -> List.of(binary.toString(), "--web.listen-address=127.0.0.1:" + port,
                "--persistence.file="), "/-/ready", gatewayFolder);
    }

    @AfterAll
    static void stopThePushgateway() {
        if (gateway != null) {
            gateway.close();
        }
    }

    @BeforeEach
    void data() throws Exception {
        tree = new StorageTree(Files.createDirectory(tmp.resolve("storage")));
        tree.file("uploads/job_old/data.csv", old());
        tree.file("results/job_old.json", old());
        redis.setJob("job:job_old", job("job_old", old()));
        // each test starts from an empty group
        gateway.send("DELETE", "/metrics/job/" + MetricsPush.JOB);
    }

    Map<String, String> env(String... overrides) {
        Map<String, String> env = CleanerRuns.env(tree.root(), redis.url(), "CLEANER_PUSHGATEWAY_URL", gateway.url(""));
        for (int i = 0; i < overrides.length; i += 2) {
            env.put(overrides[i], overrides[i + 1]);
        }
        return env;
    }

    Scrape pushed() throws Exception {
        HttpResponse<String> r = gateway.get("/metrics");
        assertThat(r.statusCode()).isEqualTo(200);
        return new Scrape(r.body());
    }

    static final String JOB = "job=\"datapilot-cleaner\"";

    @Test
    void aDryRunPushesItsSeriesWithTheirHelpText() throws Exception {
        Result result = CleanerRuns.run(env());

        assertThat(result.exitCode()).isZero();
        Scrape pushed = pushed();
        assertThat(pushed.value("push_time_seconds", JOB)).isPositive();
        assertThat(pushed.value("cleaner_runs_total", JOB, "status=\"completed\"", "dry_run=\"true\"")).isEqualTo(1.0);
        assertThat(pushed.value("cleaner_runs_total", JOB, "status=\"completed\"", "dry_run=\"false\"")).isZero();
        assertThat(pushed.value("cleaner_items_total", JOB, "store=\"blob\"", "outcome=\"would_delete\"")).isEqualTo(2.0);
        assertThat(pushed.value("cleaner_items_total", JOB, "store=\"redis\"", "outcome=\"would_delete\"")).isEqualTo(1.0);
        assertThat(pushed.value("cleaner_last_run_exit_code", JOB)).isZero();
        assertThat(pushed.value("cleaner_last_run_dry_run", JOB)).isEqualTo(1.0);
        assertThat(pushed.value("cleaner_health_status", JOB)).isZero();
        assertThat(pushed.value("cleaner_last_success_timestamp_seconds", JOB))
                .isEqualTo((double) Instant.parse(result.audit().get("completedAt").asText()).getEpochSecond());
        assertThat(pushed.value("cleaner_run_duration_seconds_bucket", JOB, "dry_run=\"true\"", "le=\"+Inf\"")).isEqualTo(1.0);
        for (String family : pushed.typed()) {
            if (family.startsWith("cleaner_")) {
                assertThat(pushed.help().get(family)).as("HELP of " + family).isNotBlank();
            }
        }
    }

    @Test
    void aFailedRunReplacesThePreviousRunAndKeepsItsLastSuccess() throws Exception {
        Result clean = CleanerRuns.run(env());
        assertThat(clean.exitCode()).isZero();

        // Redis refuses connections: the job records cannot be scanned, the run ends with errors
        Result failed = CleanerRuns.run(env("REDIS_URL", "redis://127.0.0.1:" + ExternalServer.freePort() + "/0",
                "CLEANER_REDIS_TIMEOUT_MS", "500"));

        assertThat(failed.exitCode()).isEqualTo(1);
        Scrape pushed = pushed();
        assertThat(pushed.value("cleaner_last_run_exit_code", JOB)).isEqualTo(1.0);
        assertThat(pushed.value("cleaner_last_run_errors", JOB)).isEqualTo((double) failed.audit().get("errors").size()).isPositive();
        for (String type : failed.errorTypes()) {
            assertThat(pushed.value("cleaner_errors_total", JOB, "type=\"" + type + "\"")).as(type).isPositive();
        }
        // the group holds the newest run only: its counters are not added to the first run's
        assertThat(pushed.value("cleaner_runs_total", JOB, "status=\"completed\"", "dry_run=\"true\"")).isEqualTo(1.0);
        assertThat(pushed.value("cleaner_items_total", JOB, "store=\"redis\"", "outcome=\"would_delete\"")).isZero();
        // the last success is the clean run's, read back from its audit record
        assertThat(pushed.value("cleaner_last_success_timestamp_seconds", JOB))
                .isEqualTo((double) Instant.parse(clean.audit().get("completedAt").asText()).getEpochSecond());
        // health after the run: Redis is down
        assertThat(pushed.value("cleaner_health_status", JOB)).isEqualTo(2.0);
    }

    @Test
    void aGatewayThatCannotBeReachedIsAWarningAndTheExitCodeStands() throws Exception {
        int closed = ExternalServer.freePort();
        List<ILoggingEvent> log = new ArrayList<>();
        Result result = withPushLog(log, () -> CleanerRuns.run(env("CLEANER_PUSHGATEWAY_URL", "http://cleaner:s3cret@127.0.0.1:" + closed)));

        assertThat(result.exitCode()).isZero();
        assertThat(result.audit().get("status").asText()).isEqualTo("completed");
        assertThat(log).hasSize(1);
        assertThat(log.get(0).getLevel().toString()).isEqualTo("WARN");
        assertThat(log.get(0).getFormattedMessage()).contains("NOT pushed to the Pushgateway http://cleaner:***@127.0.0.1:" + closed)
                .contains("exit code is unchanged").doesNotContain("s3cret");
        assertThat(pushed().value("cleaner_runs_total", JOB, "status=\"completed\"", "dry_run=\"true\"")).isNull();
    }

    /** bcrypt of "push s3cret" (cost 4), as the gateway's web config takes it. */
    static final String PASSWORD_HASH = "$2a$04$8eWNu0lXW7/Yi8Z8.YC3xe0gFG7Gv8Am4duLDU67xJdyArY0kivjy";

    @Test
    void aGatewayBehindBasicAuthTakesTheUrlsCredentialsAndRefusesWrongOnesWithAWarning() throws Exception {
        Path folder = Files.createDirectory(tmp.resolve("secured-gateway"));
        Path webConfig = Files.writeString(folder.resolve("web.yml"), "basic_auth_users:\n  cleaner: " + PASSWORD_HASH + "\n");
        Path binary = ExternalServer.binary("/usr/bin/prometheus-pushgateway", "prometheus-pushgateway");
        try (ExternalServer secured = ExternalServer.start(port -> List.of(binary.toString(), "--web.listen-address=127.0.0.1:" + port,
                "--persistence.file=", "--web.config.file=" + webConfig), "/-/ready", folder)) {
            List<ILoggingEvent> log = new ArrayList<>();
            Result wrong = withPushLog(log, () -> CleanerRuns.run(env("CLEANER_PUSHGATEWAY_URL",
                    "http://cleaner:not%20it@127.0.0.1:" + secured.port())));
            assertThat(wrong.exitCode()).isZero();
            assertThat(log).hasSize(1);
            assertThat(log.get(0).getLevel().toString()).isEqualTo("WARN");
            assertThat(log.get(0).getFormattedMessage()).contains("401").contains("exit code is unchanged").doesNotContain("not it");

            // the password with a space, written %20 in the URL
            Result right = CleanerRuns.run(env("CLEANER_PUSHGATEWAY_URL", "http://cleaner:push%20s3cret@127.0.0.1:" + secured.port()));
            assertThat(right.exitCode()).isZero();
            HttpResponse<String> metrics = secured.get("/metrics", "cleaner", "push s3cret");
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(new Scrape(metrics.body()).value("cleaner_runs_total", JOB, "status=\"completed\"", "dry_run=\"true\""))
                    .isEqualTo(1.0);
        }
    }

    interface Run {
        Result run() throws Exception;
    }

    /** Runs {@code run} collecting what MetricsPush logs. */
    static Result withPushLog(List<ILoggingEvent> events, Run run) throws Exception {
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        Logger logger = (Logger) LoggerFactory.getLogger(MetricsPush.class);
        log.start();
        logger.addAppender(log);
        try {
            Result result = run.run();
            events.addAll(log.list.stream().filter(e -> e.getLevel().toString().equals("WARN")).toList());
            return result;
        } finally {
            logger.detachAppender(log);
        }
    }
}
