package ai.datapilot.cleaner.deletion;

import ai.datapilot.cleaner.audit.CleanerRun;
import ai.datapilot.cleaner.audit.IntoRunRecord;
import ai.datapilot.cleaner.audit.ItemOutcome;
import org.apache.camel.Exchange;

/** Joins the per-item deletes: each outcome goes into the run's record as it completes. */
public final class DeleteOutcomes extends IntoRunRecord {

    @Override
    protected void record(CleanerRun run, Exchange branch) {
        ItemOutcome outcome = branch.getMessage().getBody(ItemOutcome.class);
        if (outcome != null) {
            run.record(outcome);
        }
    }
}
