package ai.datapilot.cleaner.metrics;

import static ai.datapilot.cleaner.testing.RedisForTests.job;
import static ai.datapilot.cleaner.testing.StorageTree.old;
import static org.assertj.core.api.Assertions.assertThat;

import ai.datapilot.cleaner.audit.CleanerRun;
import ai.datapilot.cleaner.service.CleanerService;
import ai.datapilot.cleaner.settings.SettingsParser;
import ai.datapilot.cleaner.testing.ExternalServer;
import ai.datapilot.cleaner.testing.RedisForTests;
import ai.datapilot.cleaner.testing.StorageTree;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service's {@code /observe/metrics} as Prometheus reads it: every series there from the
 * start with its HELP text (the last run and the last success read from the audit records left by
 * earlier runs), the JVM series the docs promise, what one run changes, every metric the alert
 * rules and the dashboard of deploy/monitoring use, and a real Prometheus (Debian's) scraping the
 * service with those rules loaded: the alerts the restored series raise fire, and clear after a run.
 */
class ServiceMetricsTest {

    @RegisterExtension
    static RedisForTests redis = new RedisForTests();

    @TempDir
    static Path tmp;

    static CleanerService service;
    static int port;
    static Scrape beforeRun;
    static Scrape afterRun;
    static CleanerRun run;
    static ExternalServer prometheus;
    static Map<String, String> alertsBeforeRun;
    static Map<String, String> alertsAfterRun;
    static final Path MONITORING = Path.of("deploy/monitoring");

    /** An earlier clean run, then a newer one with an error: what a restarted service finds. */
    static final Instant EARLIER_SUCCESS = Instant.parse("2026-01-10T03:00:07Z");

    @BeforeAll
    static void startTheServiceOnAStorageRootWithEarlierRuns() throws Exception {
        StorageTree tree = new StorageTree(Files.createDirectory(tmp.resolve("storage")));
        tree.file("uploads/job_old/data.csv", old());
        tree.file("results/job_old.json", old());
        Path audits = Files.createDirectories(tree.path("maintenance/cleaner_runs"));
        Files.writeString(audits.resolve("cleaner_20260110_030000_000_aaaaaaaa.json"), """
                {"runId":"aaaaaaaa","status":"completed","dryRun":false,"startedAt":"2026-01-10T03:00:00Z",
                 "completedAt":"2026-01-10T03:00:07Z","errors":[],"items":[]}""");
        Files.writeString(audits.resolve("cleaner_20260111_030000_000_bbbbbbbb.json"), """
                {"runId":"bbbbbbbb","status":"completed","dryRun":false,"startedAt":"2026-01-11T03:00:00Z",
                 "completedAt":"2026-01-11T03:00:02.500Z","errors":[{"type":"redis_scan_failed","message":"down"}],"items":[]}""");
        redis.server();
        port = ExternalServer.freePort();
        Map<String, String> env = new HashMap<>();
        env.put("LOCAL_STORAGE_ROOT", tree.root().toString());
        env.put("REDIS_URL", redis.url());
        env.put("CLEANER_MANAGEMENT_PORT", Integer.toString(port));
        env.put("CLEANER_DELETES_PER_SECOND", "0");
        env.put("CLEANER_DRY_RUN", "true");
        service = CleanerService.start(SettingsParser.parse(env), new PrintStream(new ByteArrayOutputStream()), Clock.systemUTC());
        beforeRun = scrape();
        startPrometheus();
        if (prometheus != null) {
            alertsBeforeRun = alertsOnceThey(a -> "firing".equals(a.get("CleanerRunFailed")) && "firing".equals(a.get("CleanerNoSuccessIn48h")));
        }
        redis.setJob("job:job_old", job("job_old", old()));
        run = service.application().runOnce();
        afterRun = scrape();
        if (prometheus != null) {
            alertsAfterRun = alertsOnceThey(a -> !a.containsValue("firing"));
        }
    }

    @AfterAll
    static void stop() {
        try {
            if (prometheus != null) {
                prometheus.close();
            }
        } finally {
            if (service != null) {
                service.stop("test end");
            }
        }
    }

    static Scrape scrape() throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/observe/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return new Scrape(r.body());
    }

    @Test
    void everySeriesIsThereBeforeTheFirstRunWithItsHelpText() {
        assertThat(beforeRun.typed()).isNotEmpty();
        for (Scrape scrape : List.of(beforeRun, afterRun)) {
            Map<String, String> help = scrape.help();
            for (String family : scrape.typed()) {
                assertThat(help.get(family)).as("HELP of " + family).isNotBlank();
            }
        }
        // every cleaner series is there before the first run
        assertThat(beforeRun.typed()).containsAll(afterRun.typed().stream().filter(f -> f.startsWith("cleaner_")).toList());
        assertThat(beforeRun.value("cleaner_runs_total", "status=\"completed\"", "dry_run=\"false\"")).isZero();
        assertThat(beforeRun.value("cleaner_runs_total", "status=\"lease_unavailable\"", "dry_run=\"true\"")).isZero();
        assertThat(beforeRun.value("cleaner_items_total", "store=\"blob\"", "outcome=\"deleted\"")).isZero();
        assertThat(beforeRun.value("cleaner_items_total", "store=\"redis\"", "outcome=\"would_delete\"")).isZero();
        assertThat(beforeRun.value("cleaner_errors_total", "type=\"redis_scan_failed\"")).isZero();
        assertThat(beforeRun.value("cleaner_skipped_total", "reason=\"unknown_age\"")).isZero();
        assertThat(beforeRun.value("cleaner_deferred_total", "store=\"redis\"")).isZero();
        assertThat(beforeRun.value("cleaner_scanned_total", "store=\"blob\"")).isZero();
        assertThat(beforeRun.value("cleaner_run_duration_seconds_count", "dry_run=\"true\"")).isZero();
        assertThat(beforeRun.value("cleaner_run_duration_seconds_bucket", "dry_run=\"false\"", "le=\"600.0\"")).isZero();
    }

    @Test
    void theLastRunAndTheLastSuccessAreReadFromTheAuditRecordsAtStart() {
        // the newest record had an error (exit 1); the one before it is the last success
        assertThat(beforeRun.value("cleaner_last_success_timestamp_seconds")).isEqualTo((double) EARLIER_SUCCESS.getEpochSecond());
        assertThat(beforeRun.value("cleaner_last_run_exit_code")).isEqualTo(1.0);
        assertThat(beforeRun.value("cleaner_last_run_errors")).isEqualTo(1.0);
        assertThat(beforeRun.value("cleaner_last_run_dry_run")).isEqualTo(0.0);
        assertThat(beforeRun.value("cleaner_last_run_duration_seconds")).isEqualTo(2.5);
        assertThat(beforeRun.value("cleaner_last_run_timestamp_seconds"))
                .isEqualTo((double) Instant.parse("2026-01-11T03:00:02Z").getEpochSecond());
        // the newest run is older than CLEANER_HEALTH_MAX_AGE_HOURS: degraded, as the health command says
        assertThat(beforeRun.value("cleaner_health_status")).isEqualTo(1.0);
    }

    @Test
    void theJvmAndProcessSeriesTheDocsPromiseAreServed() {
        assertThat(beforeRun.sampleNames()).contains("jvm_memory_used_bytes", "jvm_memory_max_bytes",
                "jvm_gc_memory_allocated_bytes_total", "jvm_threads_live_threads", "jvm_classes_loaded_classes", "jvm_info",
                "process_cpu_usage", "process_start_time_seconds", "process_uptime_seconds", "process_files_open_files",
                "system_cpu_count", "camel_exchanges_total");
        // one series per pool: a young pool can hold 0 bytes right after a collection, the heap as a whole cannot
        assertThat(beforeRun.sum("jvm_memory_used_bytes", "area=\"heap\"")).isPositive();
    }

    @Test
    void aDryRunMovesItsSeriesAndIsToldApartFromARealOne() {
        assertThat(run.exitCode()).isZero();
        assertThat(afterRun.value("cleaner_runs_total", "status=\"completed\"", "dry_run=\"true\"")).isEqualTo(1.0);
        assertThat(afterRun.value("cleaner_runs_total", "status=\"completed\"", "dry_run=\"false\"")).isZero();
        assertThat(afterRun.value("cleaner_items_total", "store=\"blob\"", "outcome=\"would_delete\"")).isEqualTo(2.0);
        assertThat(afterRun.value("cleaner_items_total", "store=\"redis\"", "outcome=\"would_delete\"")).isEqualTo(1.0);
        assertThat(afterRun.value("cleaner_items_total", "store=\"blob\"", "outcome=\"deleted\"")).isZero();
        assertThat(afterRun.value("cleaner_scanned_total", "store=\"blob\"")).isEqualTo(2.0);
        assertThat(afterRun.value("cleaner_scanned_total", "store=\"redis\"")).isEqualTo(1.0);
        assertThat(afterRun.value("cleaner_run_duration_seconds_count", "dry_run=\"true\"")).isEqualTo(1.0);
        assertThat(afterRun.value("cleaner_run_duration_seconds_bucket", "dry_run=\"true\"", "le=\"+Inf\"")).isEqualTo(1.0);
        assertThat(afterRun.value("cleaner_run_duration_seconds_count", "dry_run=\"false\"")).isZero();
        assertThat(afterRun.value("cleaner_last_run_exit_code")).isZero();
        assertThat(afterRun.value("cleaner_last_run_errors")).isZero();
        assertThat(afterRun.value("cleaner_last_run_dry_run")).isEqualTo(1.0);
        assertThat(afterRun.value("cleaner_last_success_timestamp_seconds")).isEqualTo((double) run.completedAt().getEpochSecond());
        assertThat(afterRun.value("cleaner_last_run_duration_seconds"))
                .isEqualTo(java.time.Duration.between(run.startedAt(), run.completedAt()).toMillis() / 1000d);
    }

    @Test
    void everyMetricTheAlertRulesAndTheDashboardUseIsServed() throws Exception {
        JsonNode dashboard = new ObjectMapper().readTree(MONITORING.resolve("grafana-dashboard.json").toFile());
        StringBuilder queries = new StringBuilder(Files.readString(MONITORING.resolve("cleaner-alerts.yaml")));
        assertThat(dashboard.path("panels").size()).isGreaterThan(5);
        for (JsonNode panel : dashboard.path("panels")) {
            assertThat(panel.path("targets").size()).as("queries of " + panel.path("title")).isPositive();
            panel.path("targets").forEach(t -> queries.append('\n').append(t.path("expr").asText()));
        }
        Matcher names = Pattern.compile("\\b(?:cleaner|jvm|process|camel|system)_[a-z0-9_]+").matcher(queries);
        Set<String> used = new TreeSet<>();
        while (names.find()) {
            used.add(names.group());
        }
        assertThat(used).contains("cleaner_last_run_exit_code", "cleaner_last_run_errors", "cleaner_last_success_timestamp_seconds",
                "cleaner_health_status", "cleaner_run_duration_seconds_bucket", "jvm_memory_used_bytes");
        // Micrometer serves the GC pause timer from the first collection on, which a short test may not see
        assertThat(afterRun.sampleNames()).containsAll(used.stream().filter(n -> !n.startsWith("jvm_gc_pause_seconds")).toList());
        // and every label they group or select by
        Matcher labels = Pattern.compile("by \\(([^)]*)\\)|\\{([a-z_]+)=").matcher(queries);
        Set<String> labelNames = new TreeSet<>();
        while (labels.find()) {
            for (String label : (labels.group(1) != null ? labels.group(1) : labels.group(2)).split(",")) {
                labelNames.add(label.trim());
            }
        }
        assertThat(labelNames).contains("store", "outcome", "status", "dry_run", "le", "area");
        for (String label : labelNames) {
            assertThat(afterRun.text()).as("label " + label).contains(label + "=\"");
        }
    }

    @Test
    void aRealPrometheusScrapesTheServiceAndTheAlertRulesFireAndClear() throws Exception {
        Assumptions.assumeTrue(prometheus != null, "/usr/bin/prometheus is missing: install Debian's prometheus (.ci/run installs it)");
        // restored from the audit records: the last run failed and the last success is months old
        assertThat(alertsBeforeRun).containsEntry("CleanerRunFailed", "firing").containsEntry("CleanerNoSuccessIn48h", "firing")
                .containsEntry("CleanerNotHealthy", "pending").doesNotContainKeys("CleanerManyErrors", "CleanerMetricsMissing");
        // after the clean dry run: nothing firing, and the run's series as Prometheus stored them
        assertThat(alertsAfterRun).doesNotContainValue("firing");
        JsonNode runs = prometheusQuery("cleaner_runs_total{status=\"completed\",dry_run=\"true\"}");
        assertThat(runs).hasSize(1);
        assertThat(runs.get(0).path("metric").path("job").asText()).isEqualTo("datapilot-cleaner");
        assertThat(runs.get(0).path("value").get(1).asText()).isEqualTo("1");
        JsonNode rules = prometheusJson("/api/v1/rules").path("data").path("groups").get(0).path("rules");
        assertThat(rules).hasSize(5);
        rules.forEach(rule -> assertThat(rule.path("health").asText()).as(rule.path("name").asText()).isEqualTo("ok"));
    }

    static void startPrometheus() throws Exception {
        if (!Files.isExecutable(Path.of("/usr/bin/prometheus"))) {
            return;
        }
        Path folder = Files.createDirectories(tmp.resolve("prometheus"));
        Path config = Files.writeString(folder.resolve("prometheus.yml"), """
                global: { scrape_interval: 1s, scrape_timeout: 1s, evaluation_interval: 1s }
                rule_files: [ "%s" ]
                scrape_configs:
                  - job_name: datapilot-cleaner
                    metrics_path: /observe/metrics
                    static_configs: [ { targets: [ "127.0.0.1:%d" ] } ]
                """.formatted(MONITORING.resolve("cleaner-alerts.yaml").toAbsolutePath(), port));
        prometheus = ExternalServer.start(p -> List.of("/usr/bin/prometheus", "--config.file=" + config,
                "--storage.tsdb.path=" + folder.resolve("data"), "--web.listen-address=127.0.0.1:" + p), "/-/ready", folder);
    }

    /** Waits (up to 20 s) until Prometheus' alerts satisfy {@code done}; returns them as name to state. */
    static Map<String, String> alertsOnceThey(java.util.function.Predicate<Map<String, String>> done) throws Exception {
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(20).toNanos();
        while (true) {
            Map<String, String> alerts = new TreeMap<>();
            prometheusJson("/api/v1/alerts").path("data").path("alerts")
                    .forEach(a -> alerts.put(a.path("labels").path("alertname").asText(), a.path("state").asText()));
            if (done.test(alerts) || System.nanoTime() > deadline) {
                return alerts;
            }
            Thread.sleep(250);
        }
    }

    /**
     * Grafana itself is not available here; the dashboard's queries are what it would send: each is
     * valid PromQL to the real Prometheus, and each panel on the service's gauges shows a value.
     */
    @Test
    void everyQueryOfTheDashboardRunsOnTheRealPrometheus() throws Exception {
        Assumptions.assumeTrue(prometheus != null, "/usr/bin/prometheus is missing: install Debian's prometheus (.ci/run installs it)");
        JsonNode dashboard = new ObjectMapper().readTree(MONITORING.resolve("grafana-dashboard.json").toFile());
        List<String> empty = new ArrayList<>();
        int queries = 0;
        for (JsonNode panel : dashboard.path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                String expr = target.path("expr").asText();
                queries++;
                JsonNode answer = prometheusJson("/api/v1/query?query=" + URLEncoder.encode(expr, StandardCharsets.UTF_8));
                assertThat(answer.path("status").asText()).as(expr).isEqualTo("success");
                if (answer.path("data").path("result").isEmpty()) {
                    empty.add(expr);
                }
            }
        }
        assertThat(queries).isGreaterThan(10);
        // a single scrape gives no increase() or rate(), and the GC timer may not exist yet: those may be empty, the gauges not
        assertThat(empty).as("queries with no result").allMatch(e -> e.contains("increase(") || e.contains("rate(") || e.contains("jvm_gc_pause"));
    }

    static JsonNode prometheusQuery(String promql) throws Exception {
        return prometheusJson("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8)).path("data").path("result");
    }

    static JsonNode prometheusJson(String path) throws Exception {
        HttpResponse<String> r = prometheus.get(path);
        assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
        return new ObjectMapper().readTree(r.body());
    }
}
