package ai.datapilot.cleaner.audit;

import ai.datapilot.cleaner.store.ScannedItem;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;

/**
 * Keeps the {@code capacity} oldest items offered to it and forgets the rest, so choosing the
 * cap's share of millions of expired items needs memory for the cap only.
 */
public final class OldestFirstPool {

    private final int capacity;
    // the youngest kept item sits at the head, ready to be pushed out by an older one
    private PriorityQueue<ScannedItem> kept;

    public OldestFirstPool(int capacity) {
        this.capacity = capacity;
        this.kept = emptyQueue();
    }

    private PriorityQueue<ScannedItem> emptyQueue() {
        return new PriorityQueue<>(Math.max(1, Math.min(capacity, 1024)), ScannedItem.OLDEST_FIRST.reversed());
    }

    public void offer(ScannedItem item) {
        if (capacity == 0) {
            return;
        }
        if (kept.size() < capacity) {
            kept.add(item);
        } else if (ScannedItem.OLDEST_FIRST.compare(item, kept.peek()) < 0) {
            kept.poll();
            kept.add(item);
        }
    }

    public void offerAll(OldestFirstPool other) {
        other.kept.forEach(this::offer);
    }

    /** The kept items, oldest first. */
    public List<ScannedItem> oldestFirst() {
        List<ScannedItem> list = new ArrayList<>(kept);
        list.sort(ScannedItem.OLDEST_FIRST);
        return list;
    }

    /** Forgets every item (the plan took them): a run holds each planned item once. */
    public void clear() {
        kept = emptyQueue();
    }

    public int size() {
        return kept.size();
    }
}
