package ai.datapilot.cleaner.store;

import java.util.AbstractList;
import java.util.List;

/**
 * A batch of planned items as a route step sees it in the {@code delete-planned} split: items of
 * one store under one retention rule, oldest first (one item when deletes are paced). A list, so
 * {@code ${body.size}} and {@code ${body[0].id}} work in Simple, with the batch's own facts:
 * {@code ${body.store}}, {@code ${body.rule}}, {@code ${body.bytes}}.
 */
public final class ItemBatch extends AbstractList<ScannedItem> {

    private final List<ScannedItem> items;

    public ItemBatch(List<ScannedItem> items) {
        if (items.isEmpty()) {
            throw new IllegalArgumentException("an empty batch");
        }
        this.items = List.copyOf(items);
    }

    @Override
    public ScannedItem get(int index) {
        return items.get(index);
    }

    @Override
    public int size() {
        return items.size();
    }

    /** {@code blob} or {@code redis}. */
    public String getStore() {
        return items.get(0).store().auditName();
    }

    /** The retention rule of every item in the batch ({@code default}: JOB_TTL_HOURS). */
    public String getRule() {
        return items.get(0).rule();
    }

    /** The items' bytes (unknown sizes add nothing). */
    public long getBytes() {
        long sum = 0;
        for (ScannedItem item : items) {
            sum += item.knownSize();
        }
        return sum;
    }

    /** The items' ids (paths or keys), for a log line or a notification. */
    public List<String> getIds() {
        return items.stream().map(ScannedItem::id).toList();
    }
}
