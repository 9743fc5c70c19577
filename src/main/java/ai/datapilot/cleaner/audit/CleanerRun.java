package ai.datapilot.cleaner.audit;

import ai.datapilot.cleaner.selection.OldestFirstPool;
import ai.datapilot.cleaner.selection.ScanResult;
import ai.datapilot.cleaner.store.CleanerError;
import ai.datapilot.cleaner.store.ScannedItem;
import ai.datapilot.cleaner.store.StoreKind;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;

/**
 * The account of one run: what was scanned, chosen, deleted, skipped and what failed. Every step
 * of the route writes here, and the audit record and the summary line are read from it, so what
 * the run reports is what the run did. Scans write from two threads, hence the synchronisation.
 */
public final class CleanerRun {

    /** The exchange property that carries the run through the routes. */
    public static final String PROPERTY = "cleanerRun";

    private final String runId;
    private final Instant startedAt;
    private final Instant cutoff;
    private final boolean dryRun;
    private final Double ttlHours;
    private final Integer maxDeleteBatch;
    private final String blobStore;
    private final String jobRecordStore;

    private final OldestFirstPool expired;
    private final List<String> skipped = new ArrayList<>();
    private final List<CleanerError> errors = new ArrayList<>();
    private final List<ItemOutcome> items = new ArrayList<>();
    private long skippedCount;
    private long blobsScanned;
    private long keysScanned;
    private long expiredBlobs;
    private long expiredKeys;
    private long futureDated;
    private long deferredBlobs;
    private long deferredKeys;
    private int deletedBlobs;
    private int deletedKeys;
    private int foldersRemoved;
    private boolean refused;
    private Instant completedAt;
    private Path auditFile;

    public CleanerRun(Instant startedAt, Double ttlHours, boolean dryRun, Integer maxDeleteBatch,
            String blobStore, String jobRecordStore) {
        this.runId = UUID.randomUUID().toString();
        this.startedAt = startedAt;
        this.ttlHours = ttlHours;
        this.cutoff = ttlHours == null ? null : startedAt.minusMillis(Math.round(ttlHours * 3_600_000d));
        this.dryRun = dryRun;
        this.maxDeleteBatch = maxDeleteBatch;
        this.blobStore = blobStore;
        this.jobRecordStore = jobRecordStore;
        this.expired = new OldestFirstPool(maxDeleteBatch == null ? 0 : maxDeleteBatch);
    }

    /** A run that never started because its settings were refused. */
    public static CleanerRun refused(Instant now, Double ttlHours, boolean dryRun, Integer maxDeleteBatch, List<CleanerError> errors) {
        CleanerRun run = new CleanerRun(now, ttlHours, dryRun, maxDeleteBatch, null, null);
        run.refused = true;
        run.errors.addAll(errors);
        run.completedAt = now;
        return run;
    }

    public synchronized void absorb(ScanResult result) {
        if (result.store() == StoreKind.BLOB) {
            blobsScanned += result.scanned();
            expiredBlobs += result.expired();
        } else {
            keysScanned += result.scanned();
            expiredKeys += result.expired();
        }
        futureDated += result.futureDated();
        skippedCount += result.skippedCount();
        for (String s : result.skipped()) {
            if (skipped.size() < ScanResult.SKIPPED_LISTED) {
                skipped.add(s);
            }
        }
        errors.addAll(result.errors());
        expired.offerAll(result.expiredPool());
    }

    /** Fixes the plan: the cap's oldest expired items; everything else expired is deferred. */
    public synchronized List<ScannedItem> decidePlan() {
        List<ScannedItem> plan = expired.oldestFirst();
        long blobs = plan.stream().filter(i -> i.store() == StoreKind.BLOB).count();
        deferredBlobs = expiredBlobs - blobs;
        deferredKeys = expiredKeys - (plan.size() - blobs);
        return plan;
    }

    public synchronized void record(ItemOutcome outcome) {
        items.add(outcome);
        if (outcome.removes()) {
            if (outcome.item().store() == StoreKind.BLOB) {
                deletedBlobs++;
            } else {
                deletedKeys++;
            }
        } else if (ItemOutcome.SKIPPED.equals(outcome.outcome())) {
            skippedCount++;
            if (skipped.size() < ScanResult.SKIPPED_LISTED) {
                skipped.add(outcome.id() + ": " + outcome.reason());
            }
        }
    }

    public synchronized void error(CleanerError error) {
        errors.add(error);
    }

    /** Blob items this run really deleted (never in dry run): their folders may now be empty. */
    public synchronized List<ScannedItem> deletedBlobItems() {
        List<ScannedItem> list = new ArrayList<>();
        for (ItemOutcome o : items) {
            if (ItemOutcome.DELETED.equals(o.outcome()) && o.item().store() == StoreKind.BLOB) {
                list.add(o.item());
            }
        }
        return list;
    }

    public synchronized void foldersRemoved(int count) {
        foldersRemoved += count;
    }

    public synchronized void complete(Instant when) {
        if (completedAt == null) {
            completedAt = when;
        }
    }

    public synchronized void auditFile(Path file) {
        this.auditFile = file;
    }

    /** 0: completed without errors; 1: completed with errors; 2: settings refused. */
    public synchronized int exitCode() {
        if (refused) {
            return 2;
        }
        return errors.isEmpty() ? 0 : 1;
    }

    public String runId() {
        return runId;
    }

    public Instant startedAt() {
        return startedAt;
    }

    public Instant cutoff() {
        return cutoff;
    }

    public boolean dryRun() {
        return dryRun;
    }

    public Double ttlHours() {
        return ttlHours;
    }

    public int maxDeleteBatch() {
        return maxDeleteBatch == null ? 0 : maxDeleteBatch;
    }

    public Integer maxDeleteBatchSetting() {
        return maxDeleteBatch;
    }

    public String blobStore() {
        return blobStore;
    }

    public String jobRecordStore() {
        return jobRecordStore;
    }

    public synchronized boolean refusedBySettings() {
        return refused;
    }

    public synchronized Instant completedAt() {
        return completedAt;
    }

    public synchronized Path auditFile() {
        return auditFile;
    }

    public synchronized List<String> skipped() {
        return List.copyOf(skipped);
    }

    public synchronized long skippedCount() {
        return skippedCount;
    }

    public synchronized List<CleanerError> errors() {
        return List.copyOf(errors);
    }

    public synchronized List<ItemOutcome> items() {
        return Collections.unmodifiableList(new ArrayList<>(items));
    }

    public synchronized long blobsScanned() {
        return blobsScanned;
    }

    public synchronized long keysScanned() {
        return keysScanned;
    }

    public synchronized long expiredBlobs() {
        return expiredBlobs;
    }

    public synchronized long expiredKeys() {
        return expiredKeys;
    }

    public synchronized long futureDated() {
        return futureDated;
    }

    public synchronized long deferredBlobs() {
        return deferredBlobs;
    }

    public synchronized long deferredKeys() {
        return deferredKeys;
    }

    public synchronized int deletedBlobs() {
        return deletedBlobs;
    }

    public synchronized int deletedKeys() {
        return deletedKeys;
    }

    public synchronized int foldersRemoved() {
        return foldersRemoved;
    }
}
