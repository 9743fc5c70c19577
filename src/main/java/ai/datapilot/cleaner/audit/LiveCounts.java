package ai.datapilot.cleaner.audit;

import ai.datapilot.cleaner.store.StoreKind;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the scans have counted so far, readable from another thread while they go (the progress
 * line). The scan keeps its own plain counts for the audit; these only mirror them, at the cost of
 * an uncontended add per item.
 */
public final class LiveCounts {

    private final LongAdder blobsScanned = new LongAdder();
    private final LongAdder keysScanned = new LongAdder();
    private final LongAdder expired = new LongAdder();
    private final LongAdder kept = new LongAdder();

    LongAdder scanned(StoreKind store) {
        return store == StoreKind.BLOB ? blobsScanned : keysScanned;
    }

    LongAdder expired() {
        return expired;
    }

    LongAdder kept() {
        return kept;
    }

    public long blobsScanned() {
        return blobsScanned.sum();
    }

    public long keysScanned() {
        return keysScanned.sum();
    }

    /** Expired items found so far that no keep rule kept. */
    public long expiredSoFar() {
        return expired.sum();
    }

    /** Items kept by a keep rule in the scans, or by a route step among the planned ones. */
    public long keptSoFar() {
        return kept.sum();
    }
}
