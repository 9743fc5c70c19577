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
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/**
 * Route edits that try to get around what the service guarantees whatever the YAML says: deletes
 * only under this run's lease, the routes the service runs by never dropped by a reload, a step
 * that throws an Error failing its run only.
 */
class HostileRouteEditTest {

    @RegisterExtension
    static RedisForTests redis = new RedisForTests();

    static final ObjectMapper JSON = new ObjectMapper();
    static final String LEASE_KEY = "datapilot-cleaner:lease";

    @TempDir
    Path tmp;

    StorageTree tree;
    RunningService service;
    Path routes;
    String original;

    /** Fault injection a YAML step cannot produce otherwise: an Error, not an Exception. */
    public static final class Faults {
        public static int overflow(int depth) {
            return overflow(depth + 1) + 1;
        }
    }

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
        env.put("CLEANER_DRY_RUN", "false");
        env.put("CLEANER_MAX_RUNTIME", "5s");
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
    void anEditThatDeletesWithoutTheLeaseDeletesNothing() throws Exception {
        // the edit: plan and delete whether the lease was taken or not
        String edited = original.replace("simple: \"${exchangeProperty.cleanerRun.leaseHeld}\"", "simple: \"true\"");
        assertThat(edited).isNotEqualTo(original);
        applied(edited);
        // another cleaner (another host) holds the lease
        try (Jedis jedis = redis.client()) {
            jedis.set(LEASE_KEY, "other-host:4242:1:run-elsewhere");
        }
        JsonNode run = runNow();
        assertThat(tree.exists("uploads/job_old/data.csv")).as("a file deleted while another cleaner held the lease").isTrue();
        assertThat(redis.exists("job:job_old")).as("a record deleted while another cleaner held the lease").isTrue();
        assertThat(run.get("status").asText()).isEqualTo("failed");
        assertThat(run.toString()).contains("delete-candidate").contains("lease");
        try (Jedis jedis = redis.client()) {
            assertThat(jedis.get(LEASE_KEY)).as("the other cleaner's lease").isEqualTo("other-host:4242:1:run-elsewhere");
        }
    }

    @Test
    void anEditThatDeletesAfterTheLeaseIsReleasedDeletesNothing() throws Exception {
        // the edit: the plan-and-delete moved behind the release of the lease
        String call = "                        - to:\n                            uri: direct:plan-and-delete\n";
        String edited = original.replace(call, "                        - log: \"lease held\"\n")
                .replace("                    id: release-lease\n                    ref: runLease\n                    method: release\n",
                        "                    id: release-lease\n                    ref: runLease\n                    method: release\n"
                                + "                - to:\n                    uri: direct:plan-and-delete\n");
        assertThat(edited).doesNotContain(call);
        applied(edited);
        JsonNode run = runNow();
        assertThat(tree.exists("uploads/job_old/data.csv")).as("a file deleted after the lease was released").isTrue();
        assertThat(redis.exists("job:job_old")).isTrue();
        assertThat(run.get("status").asText()).isEqualTo("failed");
    }

    @Test
    void anEditThatDropsTheRunOnceEntryIsRejected() throws Exception {
        rejected(original.replace("uri: direct:run-once", "uri: direct:run-once-renamed"));
    }

    @Test
    void anEditThatDropsTheAuditRouteIsRejected() throws Exception {
        rejected(original.replace("id: write-audit\n", "id: write-audit-renamed\n"));
    }

    @Test
    void anEditThatDropsTheRunRouteIsRejected() throws Exception {
        rejected(original.replace("    id: cleanup-run\n", "    id: cleanup-run-renamed\n"));
    }

    @Test
    void aStepThatThrowsAnErrorFailsItsRunOnly() throws Exception {
        String step = "              - bean:\n                  id: delete-candidate\n";
        applied(original.replace(step, "              - bean:\n                  id: operator-step\n"
                + "                  beanType: " + Faults.class.getName() + "\n                  method: \"overflow(1)\"\n" + step));
        JsonNode run = runNow();
        assertThat(run.get("status").asText()).isEqualTo("failed");
        assertThat(run.get("errors").get(0).get("message").asText()).contains("step operator-step").contains("StackOverflowError");
        assertThat(redis.exists(LEASE_KEY)).isFalse();
        assertThat(service.running()).isFalse();
        assertThat(tree.exists("uploads/job_old/data.csv")).isTrue();
        Files.writeString(routes.resolve("cleaner.camel.yaml"), original);
        awaitReloaded(original);
        assertThat(runNow().get("status").asText()).isEqualTo("completed");
    }

    @Test
    void aStepThatHangsIsEndedByTheTimeBudget() throws Exception {
        String step = "              - bean:\n                  id: delete-candidate\n";
        applied(original.replace(step, "              - delay:\n                  id: operator-step\n"
                + "                  constant: \"3600000\"\n" + step));
        long started = System.currentTimeMillis();
        assertThat(service.invoke("runNow")).isEqualTo("started");
        RunningService.await(() -> !tree.auditFiles().isEmpty() && !service.running(), 60_000, "the end of the hung run");
        System.out.println("hung run ended after " + (System.currentTimeMillis() - started) + " ms");
        assertThat(redis.exists(LEASE_KEY)).isFalse();
        assertThat(tree.exists("uploads/job_old/data.csv")).isTrue();
        Files.writeString(routes.resolve("cleaner.camel.yaml"), original);
        awaitReloaded(original);
        assertThat(runNow().get("status").asText()).isEqualTo("completed");
        assertThat(tree.exists("uploads/job_old/data.csv")).isFalse();
    }

    @Test
    void aStepThatHangsAtShutdownStillLeavesItsAuditAndLease() throws Exception {
        String step = "              - bean:\n                  id: delete-candidate\n";
        restart("CLEANER_MAX_RUNTIME", "1h", original.replace(step, "              - delay:\n"
                + "                  id: operator-step\n                  constant: \"3600000\"\n" + step));
        assertThat(service.invoke("runNow")).isEqualTo("started");
        RunningService.await(() -> redis.exists(LEASE_KEY), 20_000, "the run holding the lease");
        Thread.sleep(1_000);
        // SIGTERM: camel-main's graceful shutdown waits for the run (30 s), then the run is ended
        service.close();
        service = null;
        JsonNode audit = JSON.readTree(tree.auditFiles().get(0).toFile());
        assertThat(audit.get("status").asText()).isEqualTo("failed");
        assertThat(audit.toString()).contains("the service stopped while a route step of the run still hung");
        assertThat(redis.exists(LEASE_KEY)).isFalse();
        assertThat(tree.exists("uploads/job_old/data.csv")).isTrue();
    }

    @Test
    void anEditThatPlansTwiceDeletesNoMoreThanTheCap() throws Exception {
        String call = "                        - to:\n                            uri: direct:plan-and-delete\n";
        restart("CLEANER_MAX_DELETE_BATCH", "1", original.replace(call, call + call));
        JsonNode run = runNow();
        boolean fileGone = !tree.exists("uploads/job_old/data.csv");
        boolean recordGone = !redis.exists("job:job_old");
        // the second plan of the run is the first one again (the run's pool of the oldest items
        // keeps what it chose): its item is gone, the other one stays
        assertThat(fileGone ^ recordGone).as("one item deleted, the cap (CLEANER_MAX_DELETE_BATCH=1)").isTrue();
        assertThat(run.get("status").asText()).isEqualTo("completed");
    }

    @Test
    void runNowTwiceAtOnceRunsOneCleanupAndFreesTheService() throws Exception {
        java.util.concurrent.CyclicBarrier together = new java.util.concurrent.CyclicBarrier(2);
        java.util.concurrent.ExecutorService two = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            java.util.List<java.util.concurrent.Future<Object>> answers = new java.util.ArrayList<>();
            for (int i = 0; i < 2; i++) {
                answers.add(two.submit(() -> {
                    together.await();
                    return service.invoke("runNow");
                }));
            }
            for (java.util.concurrent.Future<Object> a : answers) {
                a.get();
            }
        } finally {
            two.shutdownNow();
        }
        RunningService.await(() -> !tree.auditFiles().isEmpty() && !service.running(), 20_000, "the runs");
        Thread.sleep(1_000);
        RunningService.await(() -> !service.running(), 20_000, "no run in progress");
        java.util.List<String> statuses = new java.util.ArrayList<>();
        for (Path p : tree.auditFiles()) {
            statuses.add(JSON.readTree(p.toFile()).get("status").asText());
        }
        assertThat(statuses).containsOnlyOnce("completed");
        assertThat(statuses).allMatch(st -> st.equals("completed") || st.equals("lease_unavailable"));
        assertThat(redis.exists(LEASE_KEY)).isFalse();
        assertThat(service.attribute("LastRunStatus")).isIn("completed", "lease_unavailable");
        // the service is free: a later run is not turned away by a lock left behind
        redis.setJob("job:job_new", job("job_new", old()));
        assertThat(runNow().get("status").asText()).isEqualTo("completed");
        assertThat(redis.exists("job:job_new")).isFalse();
    }

    /** Restarts the service on {@code yaml} with one more setting, without reloading (a start with those routes). */
    private void restart(String variable, String value, String yaml) throws Exception {
        service.close();
        Map<String, String> env = RunningService.env(tree, redis);
        env.put("CLEANER_DRY_RUN", "false");
        env.put(variable, value);
        env.put("CLEANER_ROUTES_DIR", routes.toString());
        Files.writeString(routes.resolve("cleaner.camel.yaml"), yaml);
        service = RunningService.start(env);
    }

    /** The edit stays out: the service keeps its routes and a run completes with them. */
    private void rejected(String edited) throws Exception {
        assertThat(edited).isNotEqualTo(original);
        Files.writeString(routes.resolve("cleaner.camel.yaml"), edited);
        Thread.sleep(7_000); // two checks of the folder and the swap
        assertThat(service.service().application().context().getRoute("trigger-run-once")).isNotNull();
        assertThat(service.service().application().context().getRoute("cleanup-run")).isNotNull();
        assertThat(service.service().application().context().getRoute("write-audit")).isNotNull();
        JsonNode run = runNow();
        assertThat(run.get("status").asText()).isEqualTo("completed");
        assertThat(run.get("errors")).isEmpty();
        assertThat(tree.exists("uploads/job_old/data.csv")).isFalse();
    }

    private void applied(String edited) throws Exception {
        Files.writeString(routes.resolve("cleaner.camel.yaml"), edited);
        awaitReloaded(edited);
    }

    private void awaitReloaded(String yaml) throws Exception {
        boolean stepThere = yaml.contains("operator-step");
        // the reloader applies a quiet folder within two checks (2 s apart)
        Thread.sleep(6_000);
        RunningService.await(() -> (service.service().application().context().getProcessor("operator-step") != null) == stepThere,
                60_000, "the reload of the routes");
    }

    private JsonNode runNow() throws Exception {
        RunningService.await(() -> !service.running(), 20_000, "no run in progress");
        int before = tree.auditFiles().size();
        assertThat(service.invoke("runNow")).isEqualTo("started");
        RunningService.await(() -> tree.auditFiles().size() > before && !service.running(), 20_000, "the audit of the run");
        JsonNode newest = null;
        for (Path p : tree.auditFiles()) {
            JsonNode a = JSON.readTree(p.toFile());
            if (newest == null || a.get("startedAt").asText().compareTo(newest.get("startedAt").asText()) > 0) {
                newest = a;
            }
        }
        return newest;
    }
}
