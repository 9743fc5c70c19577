package ai.datapilot.cleaner.deletion;

import ai.datapilot.cleaner.audit.CleanerRun;
import ai.datapilot.cleaner.audit.ItemOutcome;
import org.apache.camel.AggregationStrategy;
import org.apache.camel.Exchange;

/** Joins the per-item deletes: each outcome goes into the run's record as it completes. */
public final class DeleteOutcomes implements AggregationStrategy {

    @Override
    public Exchange aggregate(Exchange oldExchange, Exchange newExchange) {
        return aggregate(oldExchange, newExchange, null);
    }

    /**
     * The outcomes live in the run record, so the exchange that goes on is the original one: a
     * handled delete failure must not travel back and stop the rest of the run.
     */
    @Override
    public Exchange aggregate(Exchange oldExchange, Exchange newExchange, Exchange inputExchange) {
        CleanerRun run = newExchange.getProperty(CleanerRun.PROPERTY, CleanerRun.class);
        ItemOutcome outcome = newExchange.getMessage().getBody(ItemOutcome.class);
        if (outcome != null) {
            run.record(outcome);
        }
        return inputExchange != null ? inputExchange : oldExchange == null ? newExchange : oldExchange;
    }
}
