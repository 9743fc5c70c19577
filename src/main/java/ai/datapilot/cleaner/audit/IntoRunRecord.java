package ai.datapilot.cleaner.audit;

import org.apache.camel.AggregationStrategy;
import org.apache.camel.Exchange;

/**
 * Joins a fan-out (multicast or split) by writing each branch's result into the run record. The
 * results live there, so the exchange that goes on is the original one: a branch's state (a
 * handled delete failure, say) must not travel back and stop the rest of the run.
 */
public abstract class IntoRunRecord implements AggregationStrategy {

    protected abstract void record(CleanerRun run, Exchange branch);

    @Override
    public final Exchange aggregate(Exchange oldExchange, Exchange newExchange) {
        return aggregate(oldExchange, newExchange, null);
    }

    @Override
    public final Exchange aggregate(Exchange oldExchange, Exchange newExchange, Exchange inputExchange) {
        if (newExchange.getException() != null) {
            // a step of the branch threw and nothing recorded it (a delete failure is handled and
            // recorded): the fan-out stops and the run fails, naming that step
            // (checked first: the body of a branch that threw is its input, not its outcomes)
            throw org.apache.camel.RuntimeCamelException.wrapRuntimeException(newExchange.getException());
        }
        record(newExchange.getProperty(CleanerRun.PROPERTY, CleanerRun.class), newExchange);
        if (inputExchange != null) {
            return inputExchange;
        }
        return oldExchange == null ? newExchange : oldExchange;
    }
}
