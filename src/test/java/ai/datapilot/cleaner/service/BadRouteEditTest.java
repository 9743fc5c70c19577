package ai.datapilot.cleaner.service;

import static ai.datapilot.cleaner.testing.RedisForTests.job;
import static ai.datapilot.cleaner.testing.StorageTree.old;
import static org.assertj.core.api.Assertions.assertThat;

import ai.datapilot.cleaner.testing.RedisForTests;
import ai.datapilot.cleaner.testing.RunningService;
import ai.datapilot.cleaner.testing.StorageTree;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * An operator's bad edit of the routes in the running service (routes in a folder the test made,
 * reload on): every run it breaks fails on its own, with its audit and summary, and the service
 * stays usable; putting the good routes back takes effect.
 */
class BadRouteEditTest {

    @RegisterExtension
    static RedisForTests redis = new RedisForTests();

    static final ObjectMapper JSON = new ObjectMapper();
    static final String DELETE_STEP = "              - bean:\n                  id: delete-candidate\n";

    @TempDir
    Path tmp;

    StorageTree tree;
    RunningService service;
    Path routes;
    String original;

    @BeforeEach
    void start() throws Exception {
        tree = new StorageTree(Files.createDirectory(tmp.resolve("storage")));
        tree.file("uploads/job_old/data.csv", old());
        redis.setJob("job:job_old", job("job_old", old()));
        routes = Files.createDirectory(tmp.resolve("routes"));
        original = Files.readString(Path.of("routes/cleaner.camel.yaml"));
        Files.writeString(routes.resolve("cleaner.camel.yaml"), original);
        Map<String, String> env = RunningService.env(tree, redis);
        env.put("CLEANER_CRON_SCHEDULE", "0 3 * * *");
        env.put("CLEANER_ROUTES_DIR", routes.toString());
        env.put("CLEANER_ROUTES_RELOAD", "true");
        service = RunningService.start(env);
    }

    @AfterEach
    void stop() {
        if (service != null) {
            service.close();
        }
    }

    @Test
    void aStepThatSetsTheWrongBodyFailsItsRunAndTheFixedRoutesTakeEffect() throws Exception {
        assertThat(runUntil("completed")).isNotNull();

        // the operator's edit: a step that leaves a String where the delete step expects its items
        breaksRunsUntilFixed(original.replace(DELETE_STEP, "              - setBody:\n                  constant: \"oops\"\n" + DELETE_STEP),
                "plan-and-delete", "delete-candidate");
    }

    @Test
    void aStepThatThrowsInTheAuditRouteStillLeavesTheAuditAndFreesTheService() throws Exception {
        String head = "    id: write-audit\n    from:\n      uri: direct:write-audit\n      steps:\n";
        breaksRunsUntilFixed(original.replace(head, head + "        - throwException:\n            id: operator-step\n"
                + "            exceptionType: java.lang.IllegalStateException\n            message: \"operator step failed\"\n"),
                "write-audit", "operator-step");
    }

    /** The edit fails every run it is in, never wedges the service, and putting the good routes back takes effect. */
    private void breaksRunsUntilFixed(String edited, String routeId, String stepId) throws Exception {
        assertThat(edited).isNotEqualTo(original);
        Files.writeString(routes.resolve("cleaner.camel.yaml"), edited);
        assertFailedAndNotWedged(runUntil("failed"), routeId, stepId);

        Files.writeString(routes.resolve("cleaner.camel.yaml"), original);
        assertThat(runUntil("completed")).isNotNull();
    }

    private void assertFailedAndNotWedged(JsonNode failed, String routeId, String stepId) throws Exception {
        // the audit: status failed, the error names the route and the step
        JsonNode error = failed.get("errors").get(0);
        assertThat(error.get("type").asText()).isEqualTo("cleanup_failed");
        assertThat(error.get("message").asText()).contains("route " + routeId).contains("step " + stepId);
        // the summary line of that run
        String runId = failed.get("runId").asText();
        assertThat(service.stdout().lines()
                .filter(l -> l.startsWith("STRUCTURED_SUMMARY: ") && l.contains(runId)).toList())
                .singleElement().asString().contains("\"status\":\"failed\"").contains("\"exitCode\":1");
        // the lease is released, the service is free
        assertThat(redis.exists("datapilot-cleaner:lease")).isFalse();
        assertThat(service.attribute("Running")).isEqualTo(false);
        assertThat(service.attribute("LastRunStatus")).isEqualTo("failed");
        assertThat(service.attribute("LastRunExitCode")).isEqualTo(1);
        // health and metrics show the failure
        String health = service.http("/observe/health");
        assertThat(health).as("the full health report is not up").startsWith("503 ");
        JsonNode lastRun = null;
        for (JsonNode check : JSON.readTree(health.substring(4)).get("checks")) {
            if ("cleaner-last-run".equals(check.path("name").asText())) {
                lastRun = check;
            }
        }
        assertThat(lastRun).as(health).isNotNull();
        assertThat(lastRun.get("status").asText()).isEqualTo("DOWN");
        assertThat(lastRun.toString()).contains("the run failed");
        String metrics = service.http("/observe/metrics");
        assertThat(metrics).containsPattern("cleaner_runs_total\\{dry_run=\"(true|false)\",status=\"failed\"} 1.0").contains("cleaner_last_run_exit_code 1.0");
        // and the next run starts
        int before = tree.auditFiles().size();
        assertThat(service.invoke("runNow")).isEqualTo("started");
        RunningService.await(() -> tree.auditFiles().size() > before && !service.running(), 20_000, "the next run");
    }

    /** Runs now until a run ends with {@code status}; the routes reload in the meantime. */
    private JsonNode runUntil(String status) throws Exception {
        long deadline = System.currentTimeMillis() + 30_000;
        while (System.currentTimeMillis() < deadline) {
            RunningService.await(() -> !service.running(), 20_000, "no run in progress");
            int before = tree.auditFiles().size();
            Object answer = service.invoke("runNow");
            assertThat(answer).as("runNow is accepted between runs").isEqualTo("started");
            RunningService.await(() -> tree.auditFiles().size() > before && !service.running(), 20_000, "the audit of the run");
            List<Path> audits = tree.auditFiles();
            JsonNode newest = null;
            for (Path p : audits) {
                JsonNode a = JSON.readTree(p.toFile());
                if (newest == null || a.get("startedAt").asText().compareTo(newest.get("startedAt").asText()) > 0) {
                    newest = a;
                }
            }
            if (status.equals(newest.get("status").asText())) {
                return newest;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("no run ended with status " + status + ": " + service.stdout());
    }
}
