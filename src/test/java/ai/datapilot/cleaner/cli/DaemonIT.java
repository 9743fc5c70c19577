package ai.datapilot.cleaner.cli;

import static ai.datapilot.cleaner.testing.StorageTree.old;
import static org.assertj.core.api.Assertions.assertThat;

import ai.datapilot.cleaner.testing.CleanerProcess;
import ai.datapilot.cleaner.testing.RedisForTests;
import ai.datapilot.cleaner.testing.StorageTree;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The service as the Deployment runs it: the default command, stopped by SIGTERM mid-run. */
class DaemonIT {

    @RegisterExtension
    static RedisForTests redis = new RedisForTests();

    @TempDir
    Path tmp;

    @Test
    void sigtermLetsTheRunningRunFinishItsDeleteWriteItsAuditAndExitsZero() throws Exception {
        StorageTree tree = new StorageTree(Files.createDirectory(tmp.resolve("storage")));
        for (int i = 0; i < 12; i++) {
            tree.file("uploads/job_" + i + "/data.csv", old());
        }
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        CleanerProcess p = CleanerProcess.start(tmp, tmp, Map.of("LOCAL_STORAGE_ROOT", tree.root().toString(),
                "REDIS_URL", redis.url(), "CLEANER_DRY_RUN", "false", "CLEANER_DELETES_PER_SECOND", "3",
                "CLEANER_CRON_SCHEDULE", "*/2 * * * * ?", "CLEANER_MANAGEMENT_PORT", Integer.toString(port)));
        assertThat(p.awaitLog("DESTRUCTIVE (nothing", 1) || p.awaitLog("started: DESTRUCTIVE", 30_000)).as("a scheduled run began").isTrue();
        Thread.sleep(1500);

        p.terminate();

        assertThat(p.waitFor()).as(p.stderr()).isZero();
        String summary = p.stdout().lines().filter(l -> l.startsWith("STRUCTURED_SUMMARY: ")).findFirst().orElseThrow();
        JsonNode s = new ObjectMapper().readTree(summary.substring("STRUCTURED_SUMMARY: ".length()));
        assertThat(s.get("status").asText()).isEqualTo("interrupted");
        assertThat(Path.of(s.get("auditFile").asText())).exists();
        assertThat(s.get("deletedBlobs").asInt()).isBetween(1, 11);
        assertThat(p.stderr()).contains("Service stopped");
    }
}
