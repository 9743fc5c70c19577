package ai.datapilot.cleaner.deletion;

import ai.datapilot.cleaner.audit.CleanerRun;
import ai.datapilot.cleaner.audit.IntoRunRecord;
import ai.datapilot.cleaner.audit.ItemOutcome;
import java.util.List;
import org.apache.camel.Exchange;

/** Joins the chunked deletes: each item's outcome goes into the run's record as its chunk completes. */
public final class DeleteOutcomes extends IntoRunRecord {

    @Override
    protected void record(CleanerRun run, Exchange branch) {
        List<?> outcomes = branch.getMessage().getBody(List.class);
        if (outcomes != null) {
            for (Object outcome : outcomes) {
                run.record((ItemOutcome) outcome);
            }
        }
    }
}
