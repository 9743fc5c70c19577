package ai.datapilot.cleaner.deletion;

import ai.datapilot.cleaner.store.ScannedItem;

/** A delete that failed; the route retries it with backoff, then records it and goes on. */
public class DeleteFailedException extends Exception {

    private final transient ScannedItem item;

    public DeleteFailedException(ScannedItem item, Exception cause) {
        super("delete of " + item.store().auditName() + " " + item.id() + " failed: " + cause, cause);
        this.item = item;
    }

    public ScannedItem item() {
        return item;
    }
}
