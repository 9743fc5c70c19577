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
 * @param size        bytes: a file's size, an object's Size, a record's length (see docs/rules.md);
 *                    {@link #UNKNOWN_SIZE} when not measured
 * @param fields      a job record's fields that keep rules look at; null for blobs
 * @param retention   the retention rule that applies, once the expiry filter has chosen it
 */
public record ScannedItem(StoreKind store, String id, Instant age, String fingerprint, Object ref, long size,
        RecordFields fields, Retention retention) {

    public static final long UNKNOWN_SIZE = -1;

    /** Oldest first; ties by name, so which items the cap keeps never depends on scan order. */
    public static final Comparator<ScannedItem> OLDEST_FIRST = Comparator
            .comparing(ScannedItem::age)
            .thenComparing(ScannedItem::id)
            .thenComparing(ScannedItem::store);

    public ScannedItem(StoreKind store, String id, Instant age, String fingerprint, Object ref) {
        this(store, id, age, fingerprint, ref, UNKNOWN_SIZE, null, null);
    }

    public ScannedItem(StoreKind store, String id, Instant age, String fingerprint, Object ref, long size) {
        this(store, id, age, fingerprint, ref, size, null, null);
    }

    public ScannedItem withRetention(Retention rule) {
        return new ScannedItem(store, id, age, fingerprint, ref, size, fields, rule);
    }

    /** The size for totals: an unknown size adds nothing. */
    public long knownSize() {
        return Math.max(0, size);
    }

    /** The cutoff the re-check must apply: the item's own rule's, else the run's default. */
    public Instant cutoff(Instant fallback) {
        return retention == null ? fallback : retention.cutoff();
    }

    /** The rule's name, for the audit; null before the expiry filter chose one. */
    public String rule() {
        return retention == null ? null : retention.rule();
    }
}
