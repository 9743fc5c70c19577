package ai.datapilot.cleaner.cli;

import static ai.datapilot.cleaner.testing.StorageTree.old;
import static org.assertj.core.api.Assertions.assertThat;

import ai.datapilot.cleaner.testing.CleanerProcess;
import ai.datapilot.cleaner.testing.RedisForTests;
import ai.datapilot.cleaner.testing.StorageTree;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** pause, resume, run-now and status against the packaged service running in its own process. */
class ServiceCommandIT {

    @RegisterExtension
    static RedisForTests redis = new RedisForTests();

    @TempDir
    Path tmp;

    @Test
    void anOperatorPausesRunsNowAndResumesTheRunningService() throws Exception {
        StorageTree tree = new StorageTree(Files.createDirectory(tmp.resolve("storage")));
        tree.file("uploads/job_1/data.csv", old());
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        CleanerProcess service = CleanerProcess.start(tmp, tmp, Map.of("LOCAL_STORAGE_ROOT", tree.root().toString(),
                "REDIS_URL", redis.url(), "CLEANER_CRON_SCHEDULE", "0 3 * * *", "CLEANER_MANAGEMENT_PORT", Integer.toString(port)));
        try {
            assertThat(service.awaitLog("Service up", 60_000)).as("the service started").isTrue();
            // other services may run on this machine: name ours
            Map<String, String> ours = Map.of(ServiceCommand.SERVICE_PID, Long.toString(service.pid()));

            CleanerProcess status = command(ours, "status");
            assertThat(status.waitFor()).as(status.stderr()).isZero();
            assertThat(status.stdout()).contains("service pid:     " + service.pid()).contains("0 0 3 * * ?")
                    .doesNotContain("PAUSED").contains("running:         false");

            CleanerProcess pause = command(ours, "pause");
            assertThat(pause.waitFor()).as(pause.stderr()).isZero();
            assertThat(pause.stdout()).contains("Schedule paused");
            assertThat(service.awaitLog("Schedule paused (route trigger-schedule suspended)", 5_000)).isTrue();
            CleanerProcess paused = command(ours, "status");
            assertThat(paused.waitFor()).isZero();
            assertThat(paused.stdout()).contains("(PAUSED)");

            CleanerProcess runNow = command(ours, "run-now");
            assertThat(runNow.waitFor()).as(runNow.stderr()).isZero();
            assertThat(runNow.stdout()).contains("started");
            assertThat(service.awaitLog("Audit record written", 30_000)).as("the run asked for ran while paused").isTrue();
            assertThat(tree.auditFiles()).hasSize(1);

            CleanerProcess resume = command(ours, "resume");
            assertThat(resume.waitFor()).as(resume.stderr()).isZero();
            assertThat(resume.stdout()).contains("Schedule resumed");
            CleanerProcess resumed = command(ours, "status");
            assertThat(resumed.waitFor()).isZero();
            assertThat(resumed.stdout()).doesNotContain("PAUSED").contains("completed");

            // without a pid the command looks for the service itself
            CleanerProcess found = command(Map.of(), "status");
            int code = found.waitFor();
            if (code == 0) {
                assertThat(found.stdout()).contains("service pid:");
            } else {
                assertThat(found.stderr()).contains("Several cleaner processes run here").contains(Long.toString(service.pid()));
            }

            // a pid that is not a cleaner service
            CleanerProcess wrong = command(Map.of(ServiceCommand.SERVICE_PID, "not-a-pid"), "pause");
            assertThat(wrong.waitFor()).isEqualTo(1);
            assertThat(wrong.stderr()).contains("is not a process id");
        } finally {
            service.terminate();
            assertThat(service.waitFor()).as(service.stderr()).isZero();
        }
        assertThat(service.stderr()).contains("Run now: a run starts at once");
    }

    private CleanerProcess command(Map<String, String> env, String command) throws Exception {
        return CleanerProcess.start(tmp, tmp, env, command);
    }
}
