package ai.datapilot.cleaner.selection;

import ai.datapilot.cleaner.audit.CleanerRun;
import ai.datapilot.cleaner.store.ItemBatch;
import ai.datapilot.cleaner.store.ScannedItem;
import ai.datapilot.cleaner.store.StoreKind;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.ToIntFunction;

/**
 * The planned items, handed to the deletes a chunk at a time: {@link ItemBatch}es of one store and
 * one retention rule (so one cutoff re-checks the whole chunk), the oldest first. Paced deletes get chunks of one, so the throttle counts items; unpaced ones get larger
 * chunks that a store can handle in one request. Once the run must stop (time budget, SIGTERM,
 * lease lost) no further chunk is handed out: the rest are recorded as not attempted and wait for
 * the next run, while the chunk in flight finishes.
 */
public final class DeletePlan implements Iterable<ItemBatch> {

    private final List<ItemBatch> chunks;
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

    /** Splits by store and rule, keeping age order within each, and orders chunks by their oldest item. */
    static List<ItemBatch> chunk(List<ScannedItem> oldestFirst, ToIntFunction<StoreKind> chunkSizes) {
        List<ItemBatch> result = new ArrayList<>();
        for (StoreKind store : StoreKind.values()) {
            int chunkSize = Math.max(1, chunkSizes.applyAsInt(store));
            java.util.Map<Object, List<ScannedItem>> open = new java.util.LinkedHashMap<>();
            for (ScannedItem item : oldestFirst) {
                if (item.store() != store) {
                    continue;
                }
                List<ScannedItem> current = open.computeIfAbsent(item.retention() == null ? "" : item.retention(), r -> new ArrayList<>());
                current.add(item);
                if (current.size() == chunkSize) {
                    result.add(new ItemBatch(current));
                    current.clear();
                }
            }
            for (List<ScannedItem> rest : open.values()) {
                if (!rest.isEmpty()) {
                    result.add(new ItemBatch(rest));
                }
            }
        }
        result.sort((a, b) -> ScannedItem.OLDEST_FIRST.compare(a.get(0), b.get(0)));
        return result;
    }

    public int size() {
        return size;
    }

    @Override
    public Iterator<ItemBatch> iterator() {
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
            public ItemBatch next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                // handed out once: the plan lets go of it, so a delivered batch's items can be freed
                return chunks.set(next++, null);
            }
        };
    }
}
