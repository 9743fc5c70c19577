package ai.datapilot.cleaner.deletion;

import ai.datapilot.cleaner.audit.CleanerRun;
import ai.datapilot.cleaner.audit.ItemOutcome;
import ai.datapilot.cleaner.store.CleanerError;
import ai.datapilot.cleaner.store.ScannedItem;
import ai.datapilot.cleaner.store.StoreKind;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Records a delete that still failed after its retries: an error naming the item, and a failed outcome. */
public final class DeleteFailure {

    private static final Logger LOG = LoggerFactory.getLogger(DeleteFailure.class);

    public ItemOutcome record(Exchange exchange, @ExchangeProperty(CleanerRun.PROPERTY) CleanerRun run) {
        Throwable caught = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        ScannedItem item = caught instanceof DeleteFailedException failed ? failed.item()
                : exchange.getMessage().getBody(ScannedItem.class);
        Throwable cause = caught != null && caught.getCause() != null ? caught.getCause() : caught;
        String message = cause == null ? "unknown error" : cause.toString();
        LOG.error("Giving up on {} {} after retries: {}", item.store().auditName(), item.id(), message);
        run.error(item.store() == StoreKind.BLOB
                ? CleanerError.blobDeletion(item.id(), message)
                : CleanerError.redisDeletion(item.id(), message));
        return ItemOutcome.of(item, ItemOutcome.FAILED, message);
    }
}
