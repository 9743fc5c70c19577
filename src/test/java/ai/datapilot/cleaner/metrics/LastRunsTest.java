package ai.datapilot.cleaner.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import ai.datapilot.cleaner.health.LocalAuditArchive;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The start values of the last-run series, read from real audit files in a folder. */
class LastRunsTest {

    @TempDir
    Path root;

    Path audits;
    int sequence;

    LastRuns read() {
        return LastRuns.read(new LocalAuditArchive(root, root.resolve("maintenance/cleaner_runs")));
    }

    /** Writes the next record (names sort in time order, as the cleaner's do). */
    void record(String status, int errors, String completedAt) throws Exception {
        audits = Files.createDirectories(root.resolve("maintenance/cleaner_runs"));
        String errorList = String.join(",", java.util.Collections.nCopies(errors, "{\"type\":\"blob_deletion_failed\",\"message\":\"x\"}"));
        Files.writeString(audits.resolve("cleaner_20260101_0300%02d_000_aaaaaaaa.json".formatted(sequence++)),
                "{\"status\":\"%s\",\"dryRun\":true,\"startedAt\":\"2026-01-01T03:00:00Z\",\"completedAt\":%s,\"errors\":[%s],\"items\":[]}"
                        .formatted(status, completedAt == null ? "null" : "\"" + completedAt + "\"", errorList));
    }

    @Test
    void noRecordsLeaveEverythingUnknown() {
        assertThat(read()).isEqualTo(LastRuns.none());
    }

    @Test
    void theLastSuccessIsTheNewestRunWithoutErrorsPastFailedAndTurnedAwayRuns() throws Exception {
        record("completed", 0, "2026-01-01T03:00:09Z");
        record("interrupted", 0, "2026-01-02T03:10:00Z");
        record("completed", 2, "2026-01-03T03:00:05Z");
        record("lease_unavailable", 0, "2026-01-04T03:00:01Z");
        Files.writeString(audits.resolve("cleaner_20260101_030099_000_aaaaaaaa.json"), "{\"status\":\"compl");

        LastRuns last = read();

        // a run stopped early by its time budget did its work up to the stop
        assertThat(last.lastSuccess()).contains(Instant.parse("2026-01-02T03:10:00Z"));
        // the unreadable newest file is passed over; the newest readable record is the turned-away run
        assertThat(last.lastRun().orElseThrow().exitCode()).isEqualTo(75);
        assertThat(last.lastRun().orElseThrow().dryRun()).isTrue();
    }

    @Test
    void theExitCodeOfEachStatusIsRunOncesOwn() throws Exception {
        String[][] cases = {{"completed", "0", "0"}, {"completed", "3", "1"}, {"refused", "1", "2"}, {"interrupted", "0", "4"},
            {"interrupted", "1", "1"}, {"lease_unavailable", "0", "75"}, {"lease_unavailable", "1", "1"}, {"running", "0", "1"}};
        for (String[] c : cases) {
            record(c[0], Integer.parseInt(c[1]), "2026-01-05T03:00:00Z");
            LastRuns.LastRun last = read().lastRun().orElseThrow();
            assertThat(last.exitCode()).as(c[0] + " with " + c[1] + " error(s)").isEqualTo(Integer.parseInt(c[2]));
            assertThat(last.errors()).isEqualTo(Integer.parseInt(c[1]));
        }
    }

    @Test
    void aSuccessFurtherBackThanTheLookBackIsNotSearchedFor() throws Exception {
        record("completed", 0, "2026-01-01T03:00:00Z");
        for (int i = 0; i < LastRuns.LOOK_BACK; i++) {
            record("completed", 1, null);
        }

        LastRuns last = read();

        assertThat(last.lastSuccess()).isEmpty();
        assertThat(last.lastRun().orElseThrow().completedAt()).isEqualTo(Optional.empty());
        assertThat(last.lastRun().orElseThrow().durationMillis()).isEmpty();
    }
}
