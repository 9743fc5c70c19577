package ai.datapilot.cleaner.selection;

import ai.datapilot.cleaner.audit.CleanerRun;
import ai.datapilot.cleaner.store.CleanerError;
import ai.datapilot.cleaner.store.StoreKind;
import org.apache.camel.AggregationStrategy;
import org.apache.camel.Exchange;

/**
 * Joins the fan-out: each store's {@link ScanResult} goes into the run's record. A branch that
 * blew up becomes an error of its store, never a failed run: the other store is still cleaned.
 */
public final class ScanAggregation implements AggregationStrategy {

    @Override
    public Exchange aggregate(Exchange oldExchange, Exchange newExchange) {
        return aggregate(oldExchange, newExchange, null);
    }

    /** The results live in the run record, so the exchange that goes on is the original one. */
    @Override
    public Exchange aggregate(Exchange oldExchange, Exchange newExchange, Exchange inputExchange) {
        CleanerRun run = newExchange.getProperty(CleanerRun.PROPERTY, CleanerRun.class);
        Exception failure = newExchange.getException();
        if (failure != null) {
            newExchange.setException(null);
            String message = "scan stopped: " + failure;
            boolean blobBranch = String.valueOf(newExchange.getProperty(Exchange.MULTICAST_INDEX)).equals("0");
            run.absorb(ScanResult.failed(blobBranch ? StoreKind.BLOB : StoreKind.REDIS,
                    blobBranch ? CleanerError.blobScan(null, null, message) : CleanerError.redisScan(message)));
        } else {
            run.absorb(newExchange.getMessage().getBody(ScanResult.class));
        }
        return inputExchange != null ? inputExchange : oldExchange == null ? newExchange : oldExchange;
    }
}
