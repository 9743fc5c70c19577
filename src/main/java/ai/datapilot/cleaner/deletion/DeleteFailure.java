package ai.datapilot.cleaner.deletion;

import ai.datapilot.cleaner.audit.CleanerRun;
import ai.datapilot.cleaner.audit.ItemOutcome;
import ai.datapilot.cleaner.store.CleanerError;
import ai.datapilot.cleaner.store.ScannedItem;
import ai.datapilot.cleaner.store.StoreKind;
import java.util.ArrayList;
import java.util.List;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Records deletes that still failed after their retries: an error naming each item, and failed outcomes. */
public final class DeleteFailure {

    private static final Logger LOG = LoggerFactory.getLogger(DeleteFailure.class);

    @SuppressWarnings("unchecked")
    public List<ItemOutcome> record(Exchange exchange, @ExchangeProperty(CleanerRun.PROPERTY) CleanerRun run) {
        Throwable caught = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        List<ScannedItem> items = exchange.getProperty(CandidateDeleter.REMAINING, List.class);
        exchange.removeProperty(CandidateDeleter.REMAINING);
        if (items == null) {
            items = caught instanceof DeleteFailedException failed ? failed.items() : exchange.getMessage().getBody(List.class);
        }
        Throwable cause = caught != null && caught.getCause() != null ? caught.getCause() : caught;
        String message = cause == null ? "unknown error" : cause.toString();
        List<ItemOutcome> outcomes = new ArrayList<>();
        List<ItemOutcome> done = exchange.getProperty(CandidateDeleter.DONE, List.class);
        if (done != null) {
            outcomes.addAll(done);
            exchange.removeProperty(CandidateDeleter.DONE);
        }
        for (ScannedItem item : items) {
            LOG.error("Giving up on {} {} after retries: {}", item.store().auditName(), item.id(), message);
            run.error(item.store() == StoreKind.BLOB
                    ? CleanerError.blobDeletion(item.id(), message)
                    : CleanerError.redisDeletion(item.id(), message));
            outcomes.add(ItemOutcome.of(item, ItemOutcome.FAILED, message));
        }
        return outcomes;
    }
}
