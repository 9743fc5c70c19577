package ai.datapilot.cleaner.store;

import java.time.Instant;
import java.util.Comparator;

/**
 * One item whose age was established by a scan.
 *
 * @param store       which store it lives in
 * @param id          what the audit shows: a path relative to the storage root, or a Redis key
 * @param age         the instant that decides expiry (mtime, or updatedAt/createdAt)
 * @param fingerprint what the item looked like when scanned, so the delete can tell it changed
 * @param ref         the store's own handle (an absolute path, the raw key bytes)
 */
public record ScannedItem(StoreKind store, String id, Instant age, String fingerprint, Object ref) {

    /** Oldest first; ties by name, so which items the cap keeps never depends on scan order. */
    public static final Comparator<ScannedItem> OLDEST_FIRST = Comparator
            .comparing(ScannedItem::age)
            .thenComparing(ScannedItem::id)
            .thenComparing(ScannedItem::store);
}
