package ai.datapilot.cleaner.service;

import static ai.datapilot.cleaner.testing.RedisForTests.job;
import static ai.datapilot.cleaner.testing.StorageTree.old;
import static org.assertj.core.api.Assertions.assertThat;

import ai.datapilot.cleaner.settings.SettingsParser;
import ai.datapilot.cleaner.testing.RedisForTests;
import ai.datapilot.cleaner.testing.StorageTree;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The long-running service in this JVM: its Quartz schedule, JMX control through the platform
 * MBeanServer (as jconsole and jmxterm reach it), HTTP health and metrics, and route reloading.
 */
class CleanerServiceTest {

    @RegisterExtension
    static RedisForTests redis = new RedisForTests();

    static final ObjectMapper JSON = new ObjectMapper();
    static final MBeanServer JMX = ManagementFactory.getPlatformMBeanServer();

    @TempDir
    Path tmp;

    StorageTree tree;
    CleanerService service;
    int port;
    Map<String, String> env = new HashMap<>();

    @BeforeEach
    void data() throws IOException {
        tree = new StorageTree(Files.createDirectory(tmp.resolve("storage")));
        tree.file("uploads/job_old/data.csv", old());
        redis.setJob("job:job_old", job("job_old", old()));
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        env.put("LOCAL_STORAGE_ROOT", tree.root().toString());
        env.put("REDIS_URL", redis.url());
        env.put("CLEANER_MANAGEMENT_PORT", Integer.toString(port));
        env.put("CLEANER_DELETES_PER_SECOND", "0");
    }

    @AfterEach
    void stop() {
        if (service != null) {
            service.stop("test end");
        }
    }

    private void start(String schedule) throws Exception {
        env.put("CLEANER_CRON_SCHEDULE", schedule);
        service = CleanerService.start(SettingsParser.parse(env), new PrintStream(new ByteArrayOutputStream()), Clock.systemUTC());
    }

    private static ObjectName route(String id) throws Exception {
        return new ObjectName("org.apache.camel:context=datapilot-cleaner,type=routes,name=\"" + id + "\"");
    }

    private static ObjectName control() throws Exception {
        return new ObjectName(CleanerControl.OBJECT_NAME);
    }

    private static void await(BooleanSupplier condition, long millis, String what) throws InterruptedException {
        long deadline = System.currentTimeMillis() + millis;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(50);
        }
    }

    private int audits() {
        try {
            return tree.auditFiles().size();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private String http(String path) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(), HttpResponse.BodyHandlers.ofString());
        return r.statusCode() + " " + r.body();
    }

    @Test
    void theScheduleFiresTheRunRouteAndASuspendedTriggerDoesNot() throws Exception {
        start("*/1 * * * * ?");
        await(() -> audits() >= 1, 10_000, "a scheduled run");

        JMX.invoke(route("trigger-schedule"), "suspend", null, null);
        assertThat(JMX.getAttribute(route("trigger-schedule"), "State")).isEqualTo("Suspended");
        assertThat(JMX.getAttribute(control(), "ScheduleSuspended")).isEqualTo(true);
        await(() -> !service.application().runTracker().isRunning(), 10_000, "the run in flight to end");
        int before = audits();
        Thread.sleep(3000);
        assertThat(audits()).as("no run while the trigger is suspended").isEqualTo(before);

        JMX.invoke(route("trigger-schedule"), "resume", null, null);
        await(() -> audits() > before, 10_000, "a run after resume");
    }

    @Test
    void runNowOverJmxProducesAnAuditAndTheLastOutcome() throws Exception {
        start("0 3 * * *");
        assertThat(audits()).isZero();

        Object answer = JMX.invoke(control(), "runNow", null, null);

        assertThat(answer).isEqualTo("started");
        await(() -> audits() == 1, 20_000, "the audit of runNow");
        await(() -> "completed".equals(attr("LastRunStatus")), 10_000, "the last run outcome");
        assertThat(JMX.getAttribute(control(), "LastRunExitCode")).isEqualTo(0);
        assertThat(JMX.getAttribute(control(), "LastRunDeleted")).isEqualTo(2L);
        assertThat((String) JMX.getAttribute(control(), "LastRunSummary")).startsWith("STRUCTURED_SUMMARY: ");
        assertThat((String) JMX.getAttribute(control(), "Schedule")).contains("0 0 3 * * ?");
        // Camel's own per-route statistics are there too
        assertThat((Long) JMX.getAttribute(route("cleanup-run"), "ExchangesTotal")).isGreaterThanOrEqualTo(1L);
        assertThat((Long) JMX.getAttribute(route("cleanup-run"), "ExchangesFailed")).isZero();
        assertThat(JMX.getAttribute(route("cleanup-run"), "MeanProcessingTime")).isNotNull();
        // the health checks and the context are there for jconsole as well
        assertThat(JMX.isRegistered(new ObjectName("org.apache.camel:context=datapilot-cleaner,type=health,name=DefaultHealthCheck"))).isTrue();
        assertThat(JMX.isRegistered(new ObjectName("org.apache.camel:context=datapilot-cleaner,type=context,name=\"datapilot-cleaner\""))).isTrue();
    }

    @Test
    void healthAndMetricsAreServedOverHttp() throws Exception {
        start("0 3 * * *");
        JMX.invoke(control(), "runNow", null, null);
        await(() -> "completed".equals(attr("LastRunStatus")), 20_000, "a run");

        String health = http("/observe/health");
        assertThat(health).startsWith("200 ");
        JsonNode checks = JSON.readTree(health.substring(4)).get("checks");
        assertThat(checks.toString()).contains("cleaner-redis").contains("cleaner-storage").contains("cleaner-last-run");
        assertThat(http("/observe/health/ready")).startsWith("200 ");
        assertThat(http("/observe/health/live")).startsWith("200 ");

        String metrics = http("/observe/metrics");
        assertThat(metrics).startsWith("200 ");
        assertThat(metrics).contains("cleaner_items_total{outcome=\"would_delete\",store=\"blob\"} 1.0")
                .contains("cleaner_items_total{outcome=\"would_delete\",store=\"redis\"} 1.0")
                .contains("cleaner_runs_total{dry_run=\"true\",status=\"completed\"} 1.0")
                .contains("cleaner_last_success_timestamp_seconds");
        double lastSuccess = metrics.lines().filter(l -> l.startsWith("cleaner_last_success_timestamp_seconds "))
                .mapToDouble(l -> Double.parseDouble(l.split(" ")[1])).findFirst().orElse(0);
        assertThat(lastSuccess).isGreaterThan(Instant.now().minusSeconds(60).getEpochSecond());
    }

    @Test
    void readinessFailsWhenRedisIsDown() throws Exception {
        env.put("REDIS_URL", "redis://127.0.0.1:1/0");
        env.put("CLEANER_REDIS_TIMEOUT_MS", "300");
        start("0 3 * * *");

        assertThat(http("/observe/health/ready")).startsWith("503 ").contains("cleaner-redis");
        assertThat(http("/observe/health/live")).startsWith("200 ");
    }

    @Test
    void runsNeverOverlap() throws Exception {
        for (int i = 0; i < 6; i++) {
            tree.file("results/job_" + i + ".json", old());
        }
        env.put("CLEANER_DELETES_PER_SECOND", "3");
        // paced, so each (dry) run lasts about two seconds and the every-second schedule fires into it
        env.put("CLEANER_PACE_DRY_RUN", "true");
        start("*/1 * * * * ?");
        await(() -> audits() >= 3, 30_000, "three runs");
        JMX.invoke(route("trigger-schedule"), "suspend", null, null);
        await(() -> !service.application().runTracker().isRunning(), 10_000, "the last run");

        List<Path> files = tree.auditFiles();
        Instant previousEnd = Instant.EPOCH;
        for (Path f : files) {
            JsonNode audit = JSON.readTree(f.toFile());
            assertThat(audit.get("status").asText()).as(f.toString()).isEqualTo("completed");
            Instant start = Instant.parse(audit.get("startedAt").asText());
            assertThat(start).as("a run started before the previous one ended").isAfterOrEqualTo(previousEnd);
            previousEnd = Instant.parse(audit.get("completedAt").asText());
        }
    }

    @Test
    void editedRoutesAreReloadedAndABrokenEditIsRejected() throws Exception {
        Path routes = Files.createDirectory(tmp.resolve("routes"));
        Path marker = tmp.resolve("marker");
        String original = Files.readString(Path.of("routes/cleaner.camel.yaml"));
        Files.writeString(routes.resolve("cleaner.camel.yaml"), original);
        env.put("CLEANER_ROUTES_DIR", routes.toString());
        env.put("CLEANER_ROUTES_RELOAD", "true");
        start("0 3 * * *");

        // an operator's edit: every run-now also drops a marker file
        String edited = original.replace(
                "        - to:\n            uri: direct:cleanup-run\n\n- route:\n    id: cleanup-run",
                "        - to:\n            uri: \"file:" + marker + "?fileName=ran.txt&fileExist=Append&allowNullBody=true\"\n"
                        + "        - to:\n            uri: direct:cleanup-run\n\n- route:\n    id: cleanup-run");
        assertThat(edited).isNotEqualTo(original);
        Files.writeString(routes.resolve("cleaner.camel.yaml"), edited);
        await(() -> {
            try {
                JMX.invoke(control(), "runNow", null, null);
                Thread.sleep(500);
            } catch (Exception e) {
                return false;
            }
            return Files.exists(marker.resolve("ran.txt"));
        }, 30_000, "the edited route to be in use");

        // a broken edit: rejected, and the running routes stay
        Files.writeString(routes.resolve("cleaner.camel.yaml"), "- route:\n    id: [broken\n");
        Thread.sleep(4000);
        int before = audits();
        await(() -> !service.application().runTracker().isRunning(), 10_000, "idle");
        JMX.invoke(control(), "runNow", null, null);
        await(() -> audits() > before, 20_000, "a run after the broken edit");
        assertThat(service.application().context().getRoute("cleanup-run")).isNotNull();
    }

    private static String attr(String name) {
        try {
            return String.valueOf(JMX.getAttribute(control(), name));
        } catch (Exception e) {
            return null;
        }
    }
}
