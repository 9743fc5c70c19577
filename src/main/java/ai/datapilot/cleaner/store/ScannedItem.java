package ai.datapilot.cleaner.store;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Comparator;

/**
 * One item whose age was established by a scan.
 *
 * @param store       which store it lives in
 * @param id          what the audit shows: a path relative to the storage root, or a Redis key
 * @param age         the instant that decides expiry (mtime, or updatedAt/createdAt)
 * @param fingerprint what the item looked like when scanned, so the delete can tell it changed
 * @param ref         the store's own handle (a file's folder and name, the raw key bytes); a key
 *                    that is its id's UTF-8 is not stored twice: {@link #ref()} makes a new copy
 *                    of it from the id at each call
 * @param size        bytes: a file's size, an object's Size, a record's length (see docs/rules.md);
 *                    {@link #UNKNOWN_SIZE} when not measured
 * @param fields      a job record's fields that keep rules look at; null for blobs
 * @param retention   the retention rule that applies, once the expiry filter has chosen it
 */
public record ScannedItem(StoreKind store, String id, Instant age, String fingerprint, Object ref, long size,
        RecordFields fields, Retention retention) {

    public static final long UNKNOWN_SIZE = -1;

    /** Stands for a key whose bytes are its id's UTF-8 (a Redis key in plain text, the usual case). */
    private static final Object KEY_IS_ID = new Object() {
        @Override
        public String toString() {
            return "<the id's UTF-8>";
        }
    };

    public ScannedItem {
        // up to a million planned items: the key is kept once, as the id, and each ref() call
        // hands out its own copy, so no caller can change the bytes another one deletes by
        if (ref instanceof byte[] key && id != null && Arrays.equals(key, id.getBytes(StandardCharsets.UTF_8))) {
            ref = KEY_IS_ID;
        }
    }

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

    /** The store's handle; a key kept as the id is a new array at each call. */
    @Override
    public Object ref() {
        return ref == KEY_IS_ID ? id.getBytes(StandardCharsets.UTF_8) : ref;
    }

    /**
     * A copy whose handle nobody else holds: a key array is cloned (a route step could rewrite an
     * item's array in place); other handles are immutable and shared.
     */
    public ScannedItem privateCopy() {
        Object own = ref instanceof byte[] key ? key.clone() : ref;
        return new ScannedItem(store, id, age, fingerprint, own, size, fields, retention);
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
