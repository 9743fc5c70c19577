package ai.datapilot.cleaner.selection;

import ai.datapilot.cleaner.audit.CleanerRun;
import ai.datapilot.cleaner.store.ScannedItem;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * The planned items, handed to the paced deletes one at a time. Once the run must stop (time
 * budget, SIGTERM, lease lost) no further item is handed out: the rest are recorded as not
 * attempted and wait for the next run, while the delete in flight finishes.
 */
public final class DeletePlan implements Iterable<ScannedItem> {

    private final List<ScannedItem> items;
    private final CleanerRun run;

    public DeletePlan(List<ScannedItem> items, CleanerRun run) {
        this.items = List.copyOf(items);
        this.run = run;
    }

    public int size() {
        return items.size();
    }

    @Override
    public Iterator<ScannedItem> iterator() {
        return new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
                if (next < items.size() && run.shouldStop()) {
                    while (next < items.size()) {
                        run.notAttempted(items.get(next++));
                    }
                }
                return next < items.size();
            }

            @Override
            public ScannedItem next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return items.get(next++);
            }
        };
    }
}
