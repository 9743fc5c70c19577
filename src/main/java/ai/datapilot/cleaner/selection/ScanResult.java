package ai.datapilot.cleaner.selection;

import ai.datapilot.cleaner.store.CleanerError;
import ai.datapilot.cleaner.store.StoreKind;
import java.util.ArrayList;
import java.util.List;

/** What the expiry filter made of one store's scan: counts, the oldest expired items, skips and errors. */
public final class ScanResult {

    public static final int SKIPPED_LISTED = 1000;

    private final StoreKind store;
    private final OldestFirstPool expiredPool;
    private final List<String> skipped = new ArrayList<>();
    private final List<CleanerError> errors = new ArrayList<>();
    private long skippedCount;
    private long scanned;
    private long expired;
    private long futureDated;

    ScanResult(StoreKind store, int capacity) {
        this.store = store;
        this.expiredPool = new OldestFirstPool(capacity);
    }

    public static ScanResult failed(StoreKind store, CleanerError error) {
        ScanResult result = new ScanResult(store, 0);
        result.errors.add(error);
        return result;
    }

    void countScanned() {
        scanned++;
    }

    void countExpired() {
        expired++;
    }

    void countFutureDated() {
        futureDated++;
    }

    /** Keeps the first {@value #SKIPPED_LISTED} entries for the audit and counts them all. */
    void skip(String entry) {
        skippedCount++;
        if (skipped.size() < SKIPPED_LISTED) {
            skipped.add(entry);
        }
    }

    void fail(CleanerError error) {
        errors.add(error);
    }

    public StoreKind store() {
        return store;
    }

    public OldestFirstPool expiredPool() {
        return expiredPool;
    }

    public List<String> skipped() {
        return skipped;
    }

    public long skippedCount() {
        return skippedCount;
    }

    public List<CleanerError> errors() {
        return errors;
    }

    public long scanned() {
        return scanned;
    }

    public long expired() {
        return expired;
    }

    public long futureDated() {
        return futureDated;
    }
}
