package ai.datapilot.cleaner.deletion;

import ai.datapilot.cleaner.audit.CleanerRun;
import ai.datapilot.cleaner.audit.ItemOutcome;
import ai.datapilot.cleaner.audit.Outcome;
import ai.datapilot.cleaner.store.CandidateStore;
import ai.datapilot.cleaner.store.ChunkPartlyFailedException;
import ai.datapilot.cleaner.store.Recheck;
import ai.datapilot.cleaner.store.ScannedItem;
import ai.datapilot.cleaner.store.SkipReason;
import ai.datapilot.cleaner.store.StoreKind;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes one chunk of planned items (one store) through the gate, each looked at again first.
 * When some fail, only those are retried by the route's retry: a retry never repeats a delete
 * that worked. What is done and what remains wait in exchange properties meanwhile.
 */
public final class CandidateDeleter {

    private static final Logger LOG = LoggerFactory.getLogger(CandidateDeleter.class);
    /** Outcomes of the chunk's items already done, while the rest is retried. */
    static final String DONE = "cleanerChunkDone";
    /** The chunk's items still to do. Camel redelivers the message as it came in, hence a property. */
    static final String REMAINING = "cleanerChunkRemaining";
    /**
     * The chunk's outcomes, kept aside for the split's aggregation: a route step after the delete
     * (a notification) may change the message, never what the run records.
     */
    static final String OUTCOMES = "cleanerChunkOutcomes";

    private final CandidateStore blobs;
    private final CandidateStore jobRecords;
    private final DeleteGate gate;

    private final Predicate<CleanerRun> holdsLease;

    public CandidateDeleter(CandidateStore blobs, CandidateStore jobRecords, DeleteGate gate) {
        this(blobs, jobRecords, gate, CleanerRun::isLeaseHeld);
    }

    /**
     * @param holdsLease true while the run holds the lease: a delete is refused otherwise, whatever
     *     the routes around this step do (an edit that deletes when the lease was not taken, or after
     *     it was released)
     */
    public CandidateDeleter(CandidateStore blobs, CandidateStore jobRecords, DeleteGate gate, Predicate<CleanerRun> holdsLease) {
        this.blobs = blobs;
        this.jobRecords = jobRecords;
        this.gate = gate;
        this.holdsLease = holdsLease;
    }

    @SuppressWarnings("unchecked")
    public BatchOutcome delete(@Body Object batch, @ExchangeProperty(CleanerRun.PROPERTY) CleanerRun run,
            Exchange exchange) throws DeleteFailedException {
        if (run == null || !holdsLease.test(run)) {
            throw new IllegalStateException("delete refused: " + (run == null ? "no run is open" : "run " + run.runId()
                    + " does not hold the lease") + "; the routes must delete only between take-lease and release-lease");
        }
        List<ItemOutcome> done = exchange.getProperty(DONE, List.class);
        if (done == null) {
            done = new ArrayList<>();
        }
        List<?> remaining = exchange.getProperty(REMAINING, List.class);
        List<ScannedItem> chunk = remaining != null ? retried(remaining, run) : planned(batch, run);
        if (chunk.isEmpty()) {
            exchange.removeProperty(DONE);
            exchange.removeProperty(REMAINING);
            BatchOutcome outcome = new BatchOutcome(done, gate.dryRun());
            exchange.setProperty(OUTCOMES, outcome);
            return outcome;
        }
        CandidateStore store = chunk.get(0).store() == StoreKind.BLOB ? blobs : jobRecords;
        List<ScannedItem> failed = new ArrayList<>();
        Exception cause = null;
        if (store.deletesInChunks()) {
            try {
                // a chunk is of one retention rule: its cutoff is every item's own
                List<Recheck> answers = gate.passAll(store, chunk, chunk.get(0).cutoff(run.cutoff()));
                for (int i = 0; i < chunk.size(); i++) {
                    done.add(outcome(chunk.get(i), answers.get(i), run));
                }
            } catch (ChunkPartlyFailedException e) {
                for (int i = 0; i < chunk.size(); i++) {
                    Recheck answer = e.answers().get(i);
                    if (answer == null) {
                        failed.add(chunk.get(i));
                    } else {
                        done.add(outcome(chunk.get(i), answer, run));
                    }
                }
                cause = (Exception) e.getCause();
            } catch (Exception e) {
                failed.addAll(chunk);
                cause = e;
            }
        } else {
            for (ScannedItem item : chunk) {
                try {
                    done.add(outcome(item, gate.pass(store, item, item.cutoff(run.cutoff())), run));
                } catch (Exception e) {
                    failed.add(item);
                    cause = e;
                }
            }
        }
        if (!failed.isEmpty()) {
            exchange.setProperty(DONE, done);
            exchange.setProperty(REMAINING, failed);
            throw new DeleteFailedException(failed, cause);
        }
        exchange.removeProperty(DONE);
        exchange.removeProperty(REMAINING);
        BatchOutcome outcome = new BatchOutcome(done, gate.dryRun());
        exchange.setProperty(OUTCOMES, outcome);
        return outcome;
    }

    /**
     * The batch's items the plan handed out and no batch took before, as the plan copied them: a
     * route step may have put anything in the body; what was not planned for it is not deleted.
     */
    private static List<ScannedItem> planned(Object batch, CleanerRun run) {
        if (!(batch instanceof List<?> elements)) {
            // the run fails, naming this step: nothing of the batch is deleted
            throw new IllegalArgumentException("the body is " + (batch == null ? "empty" : "a " + batch.getClass().getSimpleName())
                    + ", not the batch of planned items: a route step before delete-candidate replaced it");
        }
        List<ScannedItem> chunk = new ArrayList<>();
        List<String> refused = new ArrayList<>();
        for (Object element : elements) {
            ScannedItem taken = run.planned().take(element, chunk.isEmpty() ? null : chunk.get(0));
            if (taken != null) {
                chunk.add(taken);
            } else {
                refused.add(element instanceof ScannedItem item ? item.store().auditName() + " " + item.id() : "'" + element + "'");
            }
        }
        if (!refused.isEmpty()) {
            // an error of the run (exit 1): a route step put in the batch what the plan did not
            String message = "delete-candidate: not deleted, " + refused.size() + " element(s) of a batch not planned for it or passed on"
                    + " before (a route step put them there), e.g. " + refused.get(0);
            LOG.error(message);
            run.error(ai.datapilot.cleaner.store.CleanerError.cleanup(message));
        }
        return chunk;
    }

    /** Items of this batch whose delete failed, for a retry: only copies this deleter took and has not finished. */
    private static List<ScannedItem> retried(List<?> remaining, CleanerRun run) {
        List<ScannedItem> chunk = new ArrayList<>();
        for (Object element : remaining) {
            if (run.planned().inFlight(element)) {
                chunk.add((ScannedItem) element);
            }
        }
        return chunk;
    }

    private ItemOutcome outcome(ScannedItem item, Recheck check, CleanerRun run) {
        run.planned().finished(item);
        Outcome removed = gate.dryRun() ? Outcome.WOULD_DELETE : Outcome.DELETED;
        ItemOutcome outcome = switch (check.state()) {
            case EXPIRED -> ItemOutcome.of(item, removed, null);
            // someone else removed it: the goal is reached, as in the original
            case GONE -> ItemOutcome.of(item, removed, check.reason());
            case CHANGED -> ItemOutcome.skipped(item, SkipReason.CHANGED_AFTER_SCAN, check.reason());
        };
        if (outcome.kind() == Outcome.SKIPPED) {
            LOG.info("Kept {} {}: {}", item.store().auditName(), item.id(), check.reason());
        } else {
            LOG.debug("{} {} {} (age {})", outcome.outcome(), item.store().auditName(), item.id(), item.age());
        }
        return outcome;
    }
}
