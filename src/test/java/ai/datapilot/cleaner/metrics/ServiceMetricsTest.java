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
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service's {@code /observe/metrics} as Prometheus reads it: every series there from the
 * start with its HELP text (the last run and the last success read from the audit records left by
 * earlier runs), the JVM series the docs promise, and what one run changes.
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
        redis.setJob("job:job_old", job("job_old", old()));
        run = service.application().runOnce();
        afterRun = scrape();
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.stop("test end");
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
    void dump() throws Exception {
        Files.writeString(Path.of("/tmp/hmon-before.txt"), beforeRun.text());
        Files.writeString(Path.of("/tmp/hmon-after.txt"), afterRun.text());
    }
}
