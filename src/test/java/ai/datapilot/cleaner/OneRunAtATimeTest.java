package ai.datapilot.cleaner;

import static ai.datapilot.cleaner.testing.CleanerRuns.env;
import static ai.datapilot.cleaner.testing.CleanerRuns.run;
import static ai.datapilot.cleaner.testing.RedisForTests.job;
import static ai.datapilot.cleaner.testing.StorageTree.old;
import static org.assertj.core.api.Assertions.assertThat;

import ai.datapilot.cleaner.testing.CleanerRuns.Result;
import ai.datapilot.cleaner.testing.RedisForTests;
import ai.datapilot.cleaner.testing.StorageTree;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.params.SetParams;

/** The lease, the time budget, and what a stopped run leaves behind. */
class OneRunAtATimeTest {

    @RegisterExtension
    static RedisForTests redis = new RedisForTests();

    static final String LEASE = "datapilot-cleaner:lease";

    @TempDir
    Path tmp;

    StorageTree tree;

    @BeforeEach
    void data() throws IOException {
        tree = new StorageTree(Files.createDirectory(tmp.resolve("storage")));
        tree.file("uploads/job_old/data.csv", old());
        redis.setJob("job:job_old", job("job_old", old()));
    }

    @Test
    void aLeaseHeldByAnotherRunStopsThisOneBeforeItTouchesAnything() throws IOException {
        try (Jedis jedis = redis.client()) {
            jedis.set(LEASE, "other-host:4242:run", SetParams.setParams().px(60_000));
        }

        Result denied = run(env(tree.root(), redis.url(), "CLEANER_DRY_RUN", "false"));

        assertThat(denied.exitCode()).isEqualTo(75);
        assertThat(tree.exists("uploads/job_old/data.csv")).isTrue();
        assertThat(redis.exists("job:job_old")).isTrue();
        assertThat(denied.audit().get("status").asText()).isEqualTo("lease_unavailable");
        assertThat(denied.audit().get("leaseUnavailable").asText()).contains("other-host:4242:run");
        assertThat(denied.audit().get("totalBlobsScanned").asInt()).isZero();
        try (Jedis jedis = redis.client()) {
            assertThat(jedis.get(LEASE)).as("another run's lease is never released by us").isEqualTo("other-host:4242:run");
        }
    }

    @Test
    void aLeaseLeftByACrashedRunExpiresByItself() throws Exception {
        try (Jedis jedis = redis.client()) {
            jedis.set(LEASE, "crashed-host:1:run", SetParams.setParams().px(1500));
        }
        assertThat(run(env(tree.root(), redis.url(), "CLEANER_DRY_RUN", "false")).exitCode()).isEqualTo(75);

        Thread.sleep(1700);
        Result next = run(env(tree.root(), redis.url(), "CLEANER_DRY_RUN", "false"));

        assertThat(next.exitCode()).isZero();
        assertThat(tree.exists("uploads/job_old/data.csv")).isFalse();
    }

    @Test
    void theLeaseIsHeldDuringTheRunAndReleasedAfter() throws IOException {
        Result result = run(env(tree.root(), redis.url(), "CLEANER_DRY_RUN", "false"));

        assertThat(result.exitCode()).isZero();
        assertThat(redis.exists(LEASE)).isFalse();
        assertThat(redis.exists("job:job_old")).isFalse();
    }

    @Test
    void theTimeBudgetStopsNewDeletesAndTheNextRunFinishes() throws IOException {
        for (int i = 0; i < 10; i++) {
            tree.file("results/job_" + i + ".json", old().minus(Duration.ofMinutes(i)));
        }

        Result stopped = run(env(tree.root(), redis.url(), "CLEANER_DRY_RUN", "false",
                "CLEANER_DELETES_PER_SECOND", "4", "CLEANER_MAX_RUNTIME", "1s"));

        assertThat(stopped.exitCode()).isEqualTo(4);
        JsonNode audit = stopped.audit();
        assertThat(audit.get("status").asText()).isEqualTo("interrupted");
        assertThat(audit.get("interruptedBy").asText()).contains("CLEANER_MAX_RUNTIME");
        assertThat(audit.get("completedAt").isNull()).isFalse();
        List<String> deleted = stopped.itemIds("deleted");
        List<String> notAttempted = new ArrayList<>();
        audit.get("items").forEach(i -> {
            if (i.path("reason").asText().startsWith("not attempted")) {
                notAttempted.add(i.get("id").asText());
            }
        });
        assertThat(deleted).isNotEmpty();
        assertThat(notAttempted).isNotEmpty();
        assertThat(deleted.size() + notAttempted.size()).isEqualTo(12);
        for (String id : deleted) {
            assertThat(tree.exists(id) || redis.exists(id)).as(id).isFalse();
        }
        for (String id : notAttempted) {
            assertThat(tree.exists(id) || redis.exists(id)).as(id).isTrue();
        }
        assertThat(audit.get("deferredBlobs").asInt() + audit.get("deferredKeys").asInt()).isEqualTo(notAttempted.size());

        Result next = run(env(tree.root(), redis.url(), "CLEANER_DRY_RUN", "false"));
        assertThat(next.exitCode()).isZero();
        assertThat(next.itemIds("deleted")).containsExactlyInAnyOrderElementsOf(notAttempted);
    }
}
