package ai.datapilot.cleaner.deletion;

import ai.datapilot.cleaner.store.CandidateStore;
import ai.datapilot.cleaner.store.Recheck;
import ai.datapilot.cleaner.store.ScannedItem;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that decides between deleting and only reporting (dry run). Both paths re-check
 * the item the same way, so a dry run reports exactly what a real run would delete.
 */
public final class DeleteGate {

    private static final Logger LOG = LoggerFactory.getLogger(DeleteGate.class);

    private final boolean dryRun;

    public DeleteGate(boolean dryRun) {
        this.dryRun = dryRun;
    }

    public boolean dryRun() {
        return dryRun;
    }

    /** {@link #pass} for a chunk the store handles in one request. */
    public List<Recheck> passAll(CandidateStore store, List<ScannedItem> items, Instant cutoff) throws Exception {
        if (dryRun) {
            LOG.debug("Skipped delete of {} {} item(s) as dry run is set", items.size(), store.kind().auditName());
            return store.recheckAll(items, cutoff);
        }
        return store.deleteAllIfUnchanged(items, cutoff);
    }

    public Recheck pass(CandidateStore store, ScannedItem item, Instant cutoff) throws Exception {
        if (dryRun) {
            Recheck check = store.recheck(item, cutoff);
            if (check.state() == Recheck.State.EXPIRED) {
                LOG.debug("Skipped delete of {} {} as dry run is set", item.store().auditName(), item.id());
            }
            return check;
        }
        return store.deleteIfUnchanged(item, cutoff);
    }
}
