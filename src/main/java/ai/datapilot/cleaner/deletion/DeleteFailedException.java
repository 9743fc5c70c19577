package ai.datapilot.cleaner.deletion;

import ai.datapilot.cleaner.store.ScannedItem;
import java.util.List;

/** Deletes that failed; the route retries them with backoff, then records them and goes on. */
public class DeleteFailedException extends Exception {

    private final transient List<ScannedItem> items;

    public DeleteFailedException(List<ScannedItem> items, Exception cause) {
        super("delete of " + items.size() + " " + items.get(0).store().auditName() + " item(s) (first " + items.get(0).id()
                + ") failed: " + cause, cause);
        this.items = List.copyOf(items);
    }

    public List<ScannedItem> items() {
        return items;
    }
}
