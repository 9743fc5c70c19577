package ai.datapilot.cleaner.selection;

import ai.datapilot.cleaner.audit.CleanerRun;
import ai.datapilot.cleaner.store.ScannedItem;
import ai.datapilot.cleaner.store.StoreKind;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.ToIntFunction;

/**
 * The planned items, handed to the deletes a chunk at a time: chunks of one store, the oldest
 * first. Paced deletes get chunks of one, so the throttle counts items; unpaced ones get larger
 * chunks that a store can handle in one request. Once the run must stop (time budget, SIGTERM,
 * lease lost) no further chunk is handed out: the rest are recorded as not attempted and wait for
 * the next run, while the chunk in flight finishes.
 */
public final class DeletePlan implements Iterable<List<ScannedItem>> {

    private final List<List<ScannedItem>> chunks;
    private final CleanerRun run;
    private final int size;

    public DeletePlan(List<ScannedItem> oldestFirst, int chunkSize, CleanerRun run) {
        this(oldestFirst, store -> chunkSize, run);
    }

    public DeletePlan(List<ScannedItem> oldestFirst, ToIntFunction<StoreKind> chunkSize, CleanerRun run) {
        this.run = run;
        this.size = oldestFirst.size();
        this.chunks = chunk(oldestFirst, chunkSize);
    }

    /** Splits by store, keeping age order within each, and orders chunks by their oldest item. */
    static List<List<ScannedItem>> chunk(List<ScannedItem> oldestFirst, ToIntFunction<StoreKind> chunkSizes) {
        List<List<ScannedItem>> result = new ArrayList<>();
        for (StoreKind store : StoreKind.values()) {
            int chunkSize = Math.max(1, chunkSizes.applyAsInt(store));
            List<ScannedItem> current = new ArrayList<>();
            for (ScannedItem item : oldestFirst) {
                if (item.store() != store) {
                    continue;
                }
                current.add(item);
                if (current.size() == chunkSize) {
                    result.add(current);
                    current = new ArrayList<>();
                }
            }
            if (!current.isEmpty()) {
                result.add(current);
            }
        }
        result.sort((a, b) -> ScannedItem.OLDEST_FIRST.compare(a.get(0), b.get(0)));
        return result;
    }

    public int size() {
        return size;
    }

    @Override
    public Iterator<List<ScannedItem>> iterator() {
        return new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
                if (next < chunks.size() && run.shouldStop()) {
                    while (next < chunks.size()) {
                        chunks.get(next++).forEach(run::notAttempted);
                    }
                }
                return next < chunks.size();
            }

            @Override
            public List<ScannedItem> next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return chunks.get(next++);
            }
        };
    }
}
