package ai.datapilot.cleaner.audit;

import static ai.datapilot.cleaner.testing.CleanerRuns.env;
import static ai.datapilot.cleaner.testing.CleanerRuns.run;
import static ai.datapilot.cleaner.testing.StorageTree.old;
import static org.assertj.core.api.Assertions.assertThat;

import ai.datapilot.cleaner.testing.CleanerRuns.Result;
import ai.datapilot.cleaner.testing.RedisForTests;
import ai.datapilot.cleaner.testing.StorageTree;
import ai.datapilot.cleaner.store.ScannedItem;
import ai.datapilot.cleaner.store.StoreKind;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** A run stopped by its time budget: what it did not attempt is counted as it is listed. */
class StoppedRunAuditTest {

    @RegisterExtension
    static RedisForTests redis = new RedisForTests();

    @TempDir
    Path tmp;

    @Test
    void skippedCountEqualsTheItemsNotAttemptedAfterTheStop() throws Exception {
        StorageTree tree = new StorageTree(Files.createDirectory(tmp.resolve("storage")));
        for (int i = 0; i < 10; i++) {
            tree.file("results/job_" + i + ".json", old().minus(Duration.ofMinutes(i)));
        }

        Result stopped = run(env(tree.root(), redis.url(), "CLEANER_DRY_RUN", "false",
                "CLEANER_DELETES_PER_SECOND", "4", "CLEANER_MAX_RUNTIME", "1s"));

        assertThat(stopped.exitCode()).isEqualTo(4);
        JsonNode audit = stopped.audit();
        List<String> notAttempted = new ArrayList<>();
        audit.get("items").forEach(i -> {
            if (i.get("outcome").asText().equals("skipped")) {
                notAttempted.add(i.get("id").asText());
            }
        });
        assertThat(notAttempted).isNotEmpty();
        assertThat(audit.get("skippedCount").asInt()).isEqualTo(notAttempted.size());
        assertThat(stopped.summary().get("skipped").asInt()).isEqualTo(notAttempted.size());
        List<String> listed = new ArrayList<>();
        audit.get("skipped").forEach(s -> listed.add(s.asText()));
        assertThat(listed).hasSize(notAttempted.size());
        for (String id : notAttempted) {
            assertThat(listed).anyMatch(s -> s.startsWith(id + ": not attempted: "));
        }
    }

    @Test
    void itemsNotAttemptedAfterAStopAreCountedAsTheyAreListed() {
        CleanerRun run = new CleanerRun(Instant.now(), 24.0, false, 10, "folder", "redis");
        run.requestStop("SIGTERM");
        run.notAttempted(new ScannedItem(StoreKind.BLOB, "uploads/job_1/a.csv", Instant.EPOCH, "f1", null));
        run.notAttempted(new ScannedItem(StoreKind.REDIS, "job:job_2", Instant.EPOCH, "f2", null));
        run.complete(Instant.now());

        assertThat(run.skipped()).containsExactly("uploads/job_1/a.csv: not attempted: SIGTERM", "job:job_2: not attempted: SIGTERM");
        assertThat(run.skippedCount()).isEqualTo(2);
        assertThat(run.items()).filteredOn(i -> i.outcome().equals(ItemOutcome.SKIPPED)).hasSize(2);
        assertThat(AuditRecord.summaryLine(run)).contains("\"skipped\":2");
    }
}
