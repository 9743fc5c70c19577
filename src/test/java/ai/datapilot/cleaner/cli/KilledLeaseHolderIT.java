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
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.params.SetParams;

/**
 * A real cleaner process killed with SIGKILL while it holds the lease: the next run on this host
 * takes the lease over at once (not after CLEANER_LEASE_TTL_SECONDS), and says so in its log and
 * audit; the same lease said to be another host's, or held by a live run, is respected.
 */
class KilledLeaseHolderIT {

    @RegisterExtension
    static RedisForTests redis = new RedisForTests();

    static final ObjectMapper JSON = new ObjectMapper();
    static final String LEASE = "datapilot-cleaner:lease";

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

    private Map<String, String> env(Path root, String rate) {
        // a lease of ten minutes: waiting for it to lapse would fail every timing below
        return Map.of("LOCAL_STORAGE_ROOT", root.toString(), "REDIS_URL", redis.url(), "CLEANER_DRY_RUN", "false",
                "CLEANER_DELETES_PER_SECOND", rate, "CLEANER_LEASE_TTL_SECONDS", "600");
    }

    private static JsonNode audit(CleanerProcess p) throws Exception {
        String line = p.stdout().lines().filter(l -> l.startsWith("STRUCTURED_SUMMARY: ")).findFirst().orElseThrow();
        JsonNode summary = JSON.readTree(line.substring("STRUCTURED_SUMMARY: ".length()));
        return JSON.readTree(Files.readString(Path.of(summary.get("auditFile").asText())));
    }

    private String lease() {
        try (Jedis jedis = redis.client()) {
            return jedis.get(LEASE);
        }
    }

    /** Starts a slow destructive run and waits until it holds the lease; returns it and its token. */
    private CleanerProcess holder(Path root) throws Exception {
        CleanerProcess p = CleanerProcess.start(tmp, tmp, env(root, "1"), "run-once");
        assertThat(p.awaitLog("DESTRUCTIVE", 60_000)).as("run started").isTrue();
        long deadline = System.currentTimeMillis() + 10_000;
        while (lease() == null && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
        }
        assertThat(lease()).as("lease taken").contains(":" + p.pid() + ":");
        return p;
    }

    @Test
    void theLeaseOfAKilledRunIsTakenOverAtOnceByTheNextRunOnThisHost() throws Exception {
        CleanerProcess killed = holder(tree.root());
        String token = lease();
        ProcessHandle.of(killed.pid()).ifPresent(ProcessHandle::destroyForcibly); // SIGKILL: no hook releases anything
        killed.waitFor();
        assertThat(lease()).as("the killed run's lease outlives it").isEqualTo(token);

        long started = System.nanoTime();
        CleanerProcess next = CleanerProcess.start(tmp, tmp, env(tree.root(), "0"), "run-once");
        int code = next.waitFor();

        assertThat(code).as(next.stderr()).isZero();
        assertThat(Duration.ofNanos(System.nanoTime() - started)).as("far less than the 600 s lease").isLessThan(Duration.ofSeconds(60));
        assertThat(next.stderr()).contains("Took over the lease " + LEASE + " from " + token);
        JsonNode audit = audit(next);
        assertThat(audit.get("leaseTakenOver").asText()).startsWith(token).contains("process " + killed.pid() + " on this host has ended");
        assertThat(tree.root().resolve("uploads")).isEmptyDirectory();
        assertThat(lease()).isNull();

        // the same dead holder, said to be another host's: may be alive there, so it is respected
        tree.file("uploads/job_late/data.csv", old());
        String elsewhere = "other-host" + token.substring(token.indexOf(':'));
        try (Jedis jedis = redis.client()) {
            jedis.set(LEASE, elsewhere, SetParams.setParams().px(600_000));
        }
        CleanerProcess respectful = CleanerProcess.start(tmp, tmp, env(tree.root(), "0"), "run-once");
        assertThat(respectful.waitFor()).as(respectful.stderr()).isEqualTo(75);
        assertThat(audit(respectful).get("leaseUnavailable").asText()).contains(elsewhere);
        assertThat(tree.exists("uploads/job_late/data.csv")).isTrue();
        assertThat(lease()).isEqualTo(elsewhere);
    }

    @Test
    void theLeaseOfALiveRunOnThisHostIsRespected() throws Exception {
        CleanerProcess alive = holder(tree.root());
        String token = lease();
        // another storage root, so that only the Redis lease (not the local lock) can keep it out
        StorageTree other = new StorageTree(Files.createDirectory(tmp.resolve("other")));
        other.file("uploads/job_other/data.csv", old());

        CleanerProcess second = CleanerProcess.start(tmp, tmp, env(other.root(), "0"), "run-once");
        int code = second.waitFor();

        assertThat(code).as(second.stderr()).isEqualTo(75);
        assertThat(audit(second).get("leaseUnavailable").asText()).contains(token);
        assertThat(audit(second).has("leaseTakenOver")).isFalse();
        assertThat(other.exists("uploads/job_other/data.csv")).isTrue();
        assertThat(lease()).isEqualTo(token);
        alive.terminate();
        alive.waitFor();
    }
}
