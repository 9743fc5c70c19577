package ai.datapilot.cleaner.deletion;

import ai.datapilot.cleaner.audit.CleanerRun;
import ai.datapilot.cleaner.audit.IntoRunRecord;
import ai.datapilot.cleaner.audit.ItemOutcome;
import ai.datapilot.cleaner.store.ScannedItem;
import java.util.List;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Joins the chunked deletes: each item's outcome goes into the run's record as its chunk completes.
 * A batch that a route step turned away before {@code delete-candidate} (an operator's
 * {@code filter} or {@code choice}) comes back as items, not outcomes: those items are kept.
 */
public final class DeleteOutcomes extends IntoRunRecord {

    private static final Logger LOG = LoggerFactory.getLogger(DeleteOutcomes.class);
    /** The rule the audit names for items a route step kept. */
    public static final String ROUTE_RULE = "route";

    @Override
    protected void record(CleanerRun run, Exchange branch) {
        List<?> outcomes = branch.getProperty(CandidateDeleter.OUTCOMES, List.class);
        if (outcomes == null) {
            // the delete failed after its retries (the body holds what DeleteFailure made of it),
            // or a route step turned the batch away before the delete
            outcomes = branch.getMessage().getBody(List.class);
        }
        if (outcomes != null) {
            for (Object outcome : outcomes) {
                if (outcome instanceof ScannedItem item) {
                    // recorded once, and only an item of the plan: a step may have put anything here
                    ScannedItem planned = run.planned().take(item, null);
                    if (planned != null) {
                        keptByRoute(run, planned);
                    }
                } else if (outcome instanceof ItemOutcome done) {
                    run.record(done);
                }
            }
        }
    }

    /** After the split: planned items no batch passed on (a step dropped or replaced them) are kept. */
    public static void keepWhatNoStepPassedOn(CleanerRun run) {
        for (ScannedItem item : run.planned().takeRest()) {
            keptByRoute(run, item);
        }
    }

    private static void keptByRoute(CleanerRun run, ScannedItem item) {
        LOG.info("Kept {} {}: a route step did not pass it to delete-candidate", item.store().auditName(), item.id());
        run.record(ItemOutcome.kept(item, ROUTE_RULE, "not passed to delete-candidate by a route step"));
    }
}
