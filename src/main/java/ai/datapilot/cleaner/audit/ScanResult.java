package ai.datapilot.cleaner.audit;

import ai.datapilot.cleaner.store.CleanerError;
import ai.datapilot.cleaner.store.ScannedItem;
import ai.datapilot.cleaner.store.SkipReason;
import ai.datapilot.cleaner.store.StoreKind;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the expiry filter made of one store's scan: counts and bytes, the oldest expired items,
 * what keep rules kept, skips (each counted by kind) and errors. Filled by one scan thread, then
 * handed whole to the run by the scan aggregation.
 */
public final class ScanResult {

    /** How many skipped entries, and how many kept items, the audit lists; all are counted. */
    public static final int SKIPPED_LISTED = 1000;

    private final StoreKind store;
    private final OldestFirstPool expiredPool;
    private final List<String> skipped = new ArrayList<>();
    private final Map<SkipReason, Long> skipCounts = new EnumMap<>(SkipReason.class);
    private final List<ItemOutcome> keptListed = new ArrayList<>();
    private final List<CleanerError> errors = new ArrayList<>();
    private long skippedCount;
    private long scanned;
    private long expired;
    private long futureDated;
    private long kept;
    private long scannedBytes;
    private long expiredBytes;
    private long keptBytes;
    private final LongAdder liveScanned;
    private final LiveCounts live;

    public ScanResult(StoreKind store, int capacity) {
        this(store, capacity, new LiveCounts());
    }

    /** @param live the run's counters the progress line reads while this scan goes */
    public ScanResult(StoreKind store, int capacity, LiveCounts live) {
        this.store = store;
        this.expiredPool = new OldestFirstPool(capacity);
        this.live = live;
        this.liveScanned = live.scanned(store);
    }

    public static ScanResult failed(StoreKind store, CleanerError error) {
        ScanResult result = new ScanResult(store, 0);
        result.errors.add(error);
        return result;
    }

    /** An item whose age was established; {@code size} may be {@link ScannedItem#UNKNOWN_SIZE}. */
    public void countScanned(long size) {
        scanned++;
        liveScanned.increment();
        scannedBytes += Math.max(0, size);
    }

    /** An item seen whose age is not known: scanned, but no bytes are counted for it. */
    public void countSeen() {
        scanned++;
        liveScanned.increment();
    }

    public void expired(ScannedItem item) {
        expired++;
        live.expired().increment();
        expiredBytes += item.knownSize();
        expiredPool.offer(item);
    }

    /** Expired, but kept by a keep rule: counted (not as expired) and, the first {@value #SKIPPED_LISTED}, listed. */
    public void kept(ScannedItem item, String rule, String reason) {
        kept++;
        live.kept().increment();
        keptBytes += item.knownSize();
        if (keptListed.size() < SKIPPED_LISTED) {
            keptListed.add(ItemOutcome.kept(item, rule, reason));
        }
    }

    public void countFutureDated() {
        futureDated++;
    }

    /** Keeps the first {@value #SKIPPED_LISTED} entries for the audit and counts them all, by kind. */
    public void skip(String id, SkipReason why, String reason) {
        skippedCount++;
        skipCounts.merge(why, 1L, Long::sum);
        if (skipped.size() < SKIPPED_LISTED) {
            skipped.add(id + ": " + reason);
        }
    }

    public void fail(CleanerError error) {
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

    public Map<SkipReason, Long> skipCounts() {
        return skipCounts;
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

    public long kept() {
        return kept;
    }

    public List<ItemOutcome> keptListed() {
        return keptListed;
    }

    public long scannedBytes() {
        return scannedBytes;
    }

    public long expiredBytes() {
        return expiredBytes;
    }

    public long keptBytes() {
        return keptBytes;
    }
}
