package ai.datapilot.cleaner.deletion;

import ai.datapilot.cleaner.audit.CleanerRun;
import ai.datapilot.cleaner.audit.ItemOutcome;
import ai.datapilot.cleaner.store.CandidateStore;
import ai.datapilot.cleaner.store.Recheck;
import ai.datapilot.cleaner.store.ScannedItem;
import ai.datapilot.cleaner.store.StoreKind;
import org.apache.camel.Body;
import org.apache.camel.ExchangeProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Deletes one planned item through the gate, after the store has looked at it again. */
public final class CandidateDeleter {

    private static final Logger LOG = LoggerFactory.getLogger(CandidateDeleter.class);

    private final CandidateStore blobs;
    private final CandidateStore jobRecords;
    private final DeleteGate gate;

    public CandidateDeleter(CandidateStore blobs, CandidateStore jobRecords, DeleteGate gate) {
        this.blobs = blobs;
        this.jobRecords = jobRecords;
        this.gate = gate;
    }

    public ItemOutcome delete(@Body ScannedItem item, @ExchangeProperty(CleanerRun.PROPERTY) CleanerRun run)
            throws DeleteFailedException {
        CandidateStore store = item.store() == StoreKind.BLOB ? blobs : jobRecords;
        Recheck check;
        try {
            check = gate.pass(store, item, run.cutoff());
        } catch (Exception e) {
            throw new DeleteFailedException(item, e);
        }
        String removed = gate.dryRun() ? ItemOutcome.WOULD_DELETE : ItemOutcome.DELETED;
        ItemOutcome outcome = switch (check.state()) {
            case EXPIRED -> ItemOutcome.of(item, removed, null);
            // someone else removed it: the goal is reached, as in the original
            case GONE -> ItemOutcome.of(item, removed, check.reason());
            case CHANGED -> ItemOutcome.of(item, ItemOutcome.SKIPPED, check.reason());
        };
        if (ItemOutcome.SKIPPED.equals(outcome.outcome())) {
            LOG.info("Kept {} {}: {}", item.store().auditName(), item.id(), check.reason());
        } else {
            LOG.debug("{} {} {} (age {})", outcome.outcome(), item.store().auditName(), item.id(), item.age());
        }
        return outcome;
    }
}
