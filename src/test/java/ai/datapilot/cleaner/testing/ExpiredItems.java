package ai.datapilot.cleaner.testing;

import static org.assertj.core.api.Assertions.assertThat;

import ai.datapilot.cleaner.store.CandidateStore;
import ai.datapilot.cleaner.store.CleanerError;
import ai.datapilot.cleaner.store.ScanSink;
import ai.datapilot.cleaner.store.ScannedItem;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Scans a store as a run would and returns what is older than 24 h (or a cutoff), failing on any skip or error. */
public final class ExpiredItems {

    private ExpiredItems() {
    }

    public static List<ScannedItem> of(CandidateStore store) {
        return of(store, Instant.now().minus(Duration.ofHours(24)));
    }

    /** What is older than the cutoff (a cutoff ahead of now makes what was just written expired). */
    public static List<ScannedItem> of(CandidateStore store, Instant cutoff) {
        List<ScannedItem> items = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        store.scan().drain(new ScanSink() {
            @Override
            public void scanned(ScannedItem item) {
                items.add(item);
            }

            @Override
            public boolean interested(Instant age) {
                return age.isBefore(cutoff);
            }

            @Override
            public void skipped(String id, String reason) {
                problems.add(id + ": " + reason);
            }

            @Override
            public void failed(CleanerError error) {
                problems.add(error.toString());
            }
        });
        assertThat(problems).as("skips and errors of the scan").isEmpty();
        return items;
    }
}
