package ai.datapilot.cleaner.service;

import static ai.datapilot.cleaner.testing.RedisForTests.job;
import static ai.datapilot.cleaner.testing.StorageTree.old;
import static org.assertj.core.api.Assertions.assertThat;

import ai.datapilot.cleaner.testing.RedisForTests;
import ai.datapilot.cleaner.testing.RunningService;
import ai.datapilot.cleaner.testing.StorageTree;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.management.ObjectName;
import org.apache.camel.Route;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Pausing and resuming the schedule of the running service, and what a reload does to a pause. */
class ScheduleControlTest {

    @RegisterExtension
    static RedisForTests redis = new RedisForTests();

    static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    Path tmp;

    StorageTree tree;
    RunningService service;
    Map<String, String> env;

    @BeforeEach
    void data() throws IOException {
        tree = new StorageTree(Files.createDirectory(tmp.resolve("storage")));
        tree.file("uploads/job_old/data.csv", old());
        redis.setJob("job:job_old", job("job_old", old()));
        env = RunningService.env(tree, redis);
    }

    @AfterEach
    void stop() {
        if (service != null) {
            service.close();
        }
    }

    private void start(String schedule) throws Exception {
        env.put("CLEANER_CRON_SCHEDULE", schedule);
        service = RunningService.start(env);
    }

    @Test
    void resumingAPausedScheduleRunsNothingMissedAndWaitsForTheNextFire() throws Exception {
        start("*/4 * * * * ?");
        await(() -> audits().size() >= 1, 10_000, "a scheduled run");
        service.invoke("suspendSchedule");
        await(() -> !running(), 10_000, "the run in flight to end");
        int before = audits().size();
        Thread.sleep(9_000); // two or three fires missed
        assertThat(audits()).as("no run while paused").hasSize(before);

        // resume half-way between two fires (every 4 s, on the second): the next fire is 2 s away
        while (System.currentTimeMillis() % 4000 < 1800 || System.currentTimeMillis() % 4000 > 2200) {
            Thread.sleep(10);
        }
        Instant resumed = Instant.now();
        service.invoke("resumeSchedule");
        await(() -> audits().size() > before, 10_000, "the next scheduled run");
        Thread.sleep(1000);

        List<Instant> startedAfter = new ArrayList<>();
        for (Path f : audits()) {
            Instant started = Instant.parse(JSON.readTree(f.toFile()).get("startedAt").asText());
            if (started.isAfter(resumed)) {
                startedAfter.add(started);
            }
        }
        Instant nextFire = Instant.ofEpochMilli((resumed.toEpochMilli() / 4000 + 1) * 4000);
        assertThat(startedAfter).as("one run, at the next fire, no burst of missed fires").hasSize(1);
        assertThat(startedAfter.get(0)).isAfterOrEqualTo(nextFire.minusMillis(50));

        assertThat(service.invoke("runNow")).isIn("started", "not started: a run is in progress");
        await(() -> !running(), 10_000, "idle");
        String metrics = http("/observe/metrics");
        assertThat(metrics).contains("cleaner_control_actions_total{action=\"suspend\"} 1.0")
                .contains("cleaner_control_actions_total{action=\"resume\"} 1.0");
    }

    @Test
    void aReloadKeepsAPausedSchedulePaused() throws Exception {
        Path routes = Files.createDirectory(tmp.resolve("routes"));
        String original = Files.readString(Path.of("routes/cleaner.camel.yaml"));
        Files.writeString(routes.resolve("cleaner.camel.yaml"), original);
        env.put("CLEANER_ROUTES_DIR", routes.toString());
        env.put("CLEANER_ROUTES_RELOAD", "true");
        start("*/2 * * * * ?");
        await(() -> audits().size() >= 1, 10_000, "a scheduled run");
        // paused the way the docs show with jmxterm: Camel's own route MBean
        RunningService.JMX.invoke(new ObjectName("org.apache.camel:context=datapilot-cleaner,type=routes,name=\"trigger-schedule\""), "suspend", null, null);
        await(() -> !running(), 10_000, "the run in flight to end");
        Route before = service.service().application().context().getRoute("trigger-run-once");

        // an operator's edit: a log line when a run is asked for
        String edited = original.replace("      uri: direct:run-once\n      steps:\n",
                "      uri: direct:run-once\n      steps:\n        - log:\n            message: \"run asked for\"\n");
        assertThat(edited).isNotEqualTo(original);
        Files.writeString(routes.resolve("cleaner.camel.yaml"), edited);
        await(() -> service.service().application().context().getRoute("trigger-run-once") != before
                && service.service().application().context().getRoute("trigger-run-once") != null, 15_000, "the reload");

        // the reload suspends the new trigger route again right after adding it
        await(() -> "Suspended".equals(service.service().application().context().getRouteController()
                .getRouteStatus("trigger-schedule").name()), 2_000, "the schedule paused again");
        int count = audits().size();
        assertThat(service.attribute("ScheduleSuspended")).isEqualTo(true);
        Thread.sleep(5_000);
        assertThat(audits()).as("no scheduled run after the reload while paused").hasSize(count);
        assertThat(http("/observe/metrics")).contains("cleaner_control_actions_total{action=\"suspend\"} 1.0");

        service.invoke("resumeSchedule");
        await(() -> audits().size() > count, 10_000, "a run after resume");
    }

    private List<Path> audits() {
        try {
            return tree.auditFiles();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private boolean running() {
        return service.running();
    }

    private String http(String path) throws Exception {
        return service.http(path);
    }

    private static void await(RunningService.Condition condition, long millis, String what) throws Exception {
        RunningService.await(condition, millis, what);
    }
}
