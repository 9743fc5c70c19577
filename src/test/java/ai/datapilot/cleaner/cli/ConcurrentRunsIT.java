package ai.datapilot.cleaner.cli;

import static ai.datapilot.cleaner.testing.RedisForTests.job;
import static ai.datapilot.cleaner.testing.StorageTree.old;
import static org.assertj.core.api.Assertions.assertThat;

import ai.datapilot.cleaner.testing.CleanerProcess;
import ai.datapilot.cleaner.testing.RedisForTests;
import ai.datapilot.cleaner.testing.StorageTree;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Two real cleaner processes at once, and a real SIGTERM. */
class ConcurrentRunsIT {

    @RegisterExtension
    static RedisForTests redis = new RedisForTests();

    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    StorageTree tree;

    @BeforeEach
    void data() throws Exception {
        tree = new StorageTree(Files.createDirectory(tmp.resolve("storage")));
        for (int i = 0; i < 8; i++) {
            tree.file("uploads/job_" + i + "/data.csv", old().minus(Duration.ofMinutes(i)));
            redis.setJob("job:job_" + i, job("job_" + i, old().minus(Duration.ofMinutes(i))));
        }
    }

    private Map<String, String> env(String redisUrl, String rate) {
        return Map.of("LOCAL_STORAGE_ROOT", tree.root().toString(), "REDIS_URL", redisUrl, "CLEANER_DRY_RUN", "false",
                "CLEANER_DELETES_PER_SECOND", rate, "CLEANER_REDIS_TIMEOUT_MS", "500");
    }

    private static JsonNode audit(CleanerProcess p) throws Exception {
        String line = p.stdout().lines().filter(l -> l.startsWith("STRUCTURED_SUMMARY: ")).findFirst().orElseThrow();
        JsonNode summary = JSON.readTree(line.substring("STRUCTURED_SUMMARY: ".length()));
        return JSON.readTree(Files.readString(Path.of(summary.get("auditFile").asText())));
    }

    @Test
    void twoProcessesStartedTogetherRunOneAtATime() throws Exception {
        CleanerProcess a = CleanerProcess.start(tmp, tmp, env(redis.url(), "4"), "run-once");
        CleanerProcess b = CleanerProcess.start(tmp, tmp, env(redis.url(), "4"), "run-once");

        List<Integer> codes = List.of(a.waitFor(), b.waitFor());

        assertThat(codes).containsExactlyInAnyOrder(0, 75);
        CleanerProcess winner = codes.get(0) == 0 ? a : b;
        CleanerProcess loser = codes.get(0) == 0 ? b : a;
        assertThat(audit(winner).get("deletedBlobs").asInt() + audit(winner).get("deletedKeys").asInt()).isEqualTo(16);
        assertThat(audit(loser).get("status").asText()).isEqualTo("lease_unavailable");
        assertThat(audit(loser).get("items")).isEmpty();
        assertThat(tree.root().resolve("uploads")).isEmptyDirectory();
        assertThat(redis.exists("datapilot-cleaner:lease")).isFalse();
    }

    @Test
    void withRedisDownTheLocalLockStillKeepsASecondCopyOut() throws Exception {
        CleanerProcess a = CleanerProcess.start(tmp, tmp, env("redis://127.0.0.1:1/0", "2"), "run-once");
        CleanerProcess b = CleanerProcess.start(tmp, tmp, env("redis://127.0.0.1:1/0", "2"), "run-once");

        List<Integer> codes = List.of(a.waitFor(), b.waitFor());

        // the run that holds the lock cleans the blobs and reports Redis down (1); the other stops (75)
        assertThat(codes).containsExactlyInAnyOrder(1, 75);
        assertThat(tree.root().resolve("uploads")).isEmptyDirectory();
    }

    @Test
    void sigtermFinishesTheDeleteInFlightWritesTheAuditAndExitsFour() throws Exception {
        CleanerProcess p = CleanerProcess.start(tmp, tmp, env(redis.url(), "4"), "run-once");
        assertThat(p.awaitLog("DESTRUCTIVE", 30_000)).as("run started").isTrue();
        Thread.sleep(1500);

        p.terminate();
        int code = p.waitFor();

        assertThat(code).as(p.stderr()).isEqualTo(4);
        JsonNode audit = audit(p);
        assertThat(audit.get("status").asText()).isEqualTo("interrupted");
        assertThat(audit.get("interruptedBy").asText()).isEqualTo("SIGTERM");
        List<String> deleted = new ArrayList<>();
        List<String> notAttempted = new ArrayList<>();
        audit.get("items").forEach(i -> {
            if (i.get("outcome").asText().equals("deleted")) {
                deleted.add(i.get("id").asText());
            } else if (i.path("reason").asText().startsWith("not attempted")) {
                notAttempted.add(i.get("id").asText());
            }
        });
        assertThat(deleted).isNotEmpty();
        assertThat(notAttempted).isNotEmpty();
        assertThat(deleted.size() + notAttempted.size()).isEqualTo(16);
        for (String id : deleted) {
            assertThat(tree.exists(id) || redis.exists(id)).as(id).isFalse();
        }
        for (String id : notAttempted) {
            assertThat(tree.exists(id) || redis.exists(id)).as(id).isTrue();
        }
        assertThat(p.stdout().lines().filter(l -> l.startsWith("STRUCTURED_SUMMARY: "))).hasSize(1);
        assertThat(redis.exists("datapilot-cleaner:lease")).as("lease released on the way out").isFalse();
    }
}
