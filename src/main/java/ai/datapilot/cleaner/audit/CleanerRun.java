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

    private final java.time.Duration maxRuntime;

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
    private final Instant deadline;
    private volatile String stopReason;
    private boolean interrupted;
    private boolean leaseHeld;
    private String leaseDenied;
    private String leaseTakenOver;
    private String jobRecordsUnguarded;
    private Instant completedAt;
    private Instant planDecidedAt;
    private Instant deletesDoneAt;
    private Path auditFile;
    private String auditLocation;
    private boolean summaryPrinted;

    public CleanerRun(Instant startedAt, Double ttlHours, boolean dryRun, Integer maxDeleteBatch,
            String blobStore, String jobRecordStore) {
        this(startedAt, ttlHours, dryRun, maxDeleteBatch, blobStore, jobRecordStore, null);
    }

    public CleanerRun(Instant startedAt, Double ttlHours, boolean dryRun, Integer maxDeleteBatch,
            String blobStore, String jobRecordStore, java.time.Duration maxRuntime) {
        this.deadline = maxRuntime == null ? null : startedAt.plus(maxRuntime);
        this.maxRuntime = maxRuntime;
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

    /**
     * Asks the run to stop: no new deletes start, the one in flight finishes, the audit is written.
     * The first reason given is the one reported.
     */
    public void requestStop(String reason) {
        synchronized (this) {
            if (stopReason == null) {
                stopReason = reason;
            }
        }
    }

    /** True once a stop was asked for or the time budget is spent; checked before each unit of work. */
    public boolean shouldStop() {
        if (stopReason == null && deadline != null && Instant.now().isAfter(deadline)) {
            requestStop("time budget of " + maxRuntime.toString().substring(2).toLowerCase() + " (CLEANER_MAX_RUNTIME) reached");
        }
        return stopReason != null;
    }

    /** Notes that a stop cut work short (a scan not finished, planned items not attempted). */
    public synchronized void markInterrupted() {
        interrupted = true;
    }

    public synchronized void leaseTaken() {
        leaseHeld = true;
    }

    public synchronized void leaseDenied(String reason) {
        leaseDenied = reason;
    }

    /** The lease was taken over from a holder that is provably gone: who, and why. */
    public synchronized void leaseTakenOver(String from) {
        leaseTakenOver = from;
    }

    public synchronized String leaseTakenOverFrom() {
        return leaseTakenOver;
    }

    /**
     * Only the local lock guards this run (Redis could not be reached for the lease): the job
     * records, which the lock does not cover, are not scanned or deleted.
     */
    public synchronized void jobRecordsUnguarded(String reason) {
        jobRecordsUnguarded = reason;
    }

    public synchronized String jobRecordsUnguardedReason() {
        return jobRecordsUnguarded;
    }

    public synchronized boolean isLeaseHeld() {
        return leaseHeld;
    }

    public synchronized String leaseDeniedReason() {
        return leaseDenied;
    }

    /** A planned item that was never attempted because the run stopped: it waits for the next run. */
    public synchronized void notAttempted(ScannedItem item) {
        interrupted = true;
        ItemOutcome outcome = ItemOutcome.of(item, ItemOutcome.SKIPPED, "not attempted: " + stopReason);
        items.add(outcome);
        // a skip like any other: counted and listed, so skippedCount equals what the audit shows
        skippedCount++;
        if (skipped.size() < ScanResult.SKIPPED_LISTED) {
            skipped.add(outcome.id() + ": " + outcome.reason());
        }
        if (item.store() == StoreKind.BLOB) {
            deferredBlobs++;
        } else {
            deferredKeys++;
        }
    }

    /** Fixes the plan: the cap's oldest expired items; everything else expired is deferred. */
    public synchronized List<ScannedItem> decidePlan() {
        // a scan cut short by a stop gives no sound plan: delete nothing, defer everything
        List<ScannedItem> plan = interrupted ? List.of() : expired.oldestFirst();
        planDecidedAt = Instant.now();
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

    /** A folder this run emptied but kept, because what is there now is not what the scan saw. */
    public synchronized void folderKept(String id, String reason) {
        skippedCount++;
        if (skipped.size() < ScanResult.SKIPPED_LISTED) {
            skipped.add(id + ": " + reason);
        }
    }

    public synchronized void foldersRemoved(int count) {
        foldersRemoved += count;
    }

    /** Notes the end of the delete phase (for the audit's phase durations). */
    public synchronized void deletesDone() {
        deletesDoneAt = Instant.now();
    }

    public synchronized Instant planDecidedAt() {
        return planDecidedAt;
    }

    public synchronized Instant deletesDoneAt() {
        return deletesDoneAt;
    }

    public synchronized void complete(Instant when) {
        if (completedAt == null) {
            completedAt = when;
        }
    }

    public synchronized void auditFile(Path file) {
        this.auditFile = file;
        this.auditLocation = file == null ? null : file.toString();
    }

    /** Notes that the run's STRUCTURED_SUMMARY line was printed; returns whether it already was. */
    public synchronized boolean summaryPrinted() {
        boolean before = summaryPrinted;
        summaryPrinted = true;
        return before;
    }

    public synchronized boolean isSummaryPrinted() {
        return summaryPrinted;
    }

    /** The audit record went to object storage: its s3:// address. */
    public synchronized void auditObject(String address) {
        this.auditLocation = address;
    }

    /** Exit code of a run that did nothing because another run holds the lease: sysexits' EX_TEMPFAIL. */
    public static final int EXIT_LEASE_HELD = 75;

    /**
     * 0 completed without errors; 1 errors (a lease that could not be taken for any reason other
     * than another run holding it is one); 2 settings refused; 75 another run holds the lease
     * (try again later; no other cause gives 75, unlike 3, which the JVM returns on
     * OutOfMemoryError with -XX:+ExitOnOutOfMemoryError); 4 stopped early (time budget or SIGTERM)
     * without errors.
     */
    public synchronized int exitCode() {
        if (refused) {
            return 2;
        }
        if (!errors.isEmpty()) {
            return 1;
        }
        if (leaseDenied != null) {
            return EXIT_LEASE_HELD;
        }
        return interrupted ? 4 : 0;
    }

    /** refused, failed (a route step threw), lease_unavailable, interrupted, completed, or running. */
    public synchronized String status() {
        if (refused) {
            return "refused";
        }
        if (errors.stream().anyMatch(e -> "cleanup_failed".equals(e.type()))) {
            return "failed";
        }
        if (leaseDenied != null) {
            return "lease_unavailable";
        }
        if (interrupted) {
            return "interrupted";
        }
        return completedAt == null ? "running" : "completed";
    }

    public synchronized String stopReason() {
        return interrupted ? stopReason : null;
    }

    public String runId() {
        return runId;
    }

    public Instant startedAt() {
        return startedAt;
    }

    /** CLEANER_MAX_RUNTIME, or null when the run has no time budget. */
    public java.time.Duration maxRuntime() {
        return maxRuntime;
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

    /** Where the audit record was written: a file path or an s3:// address; null when it was not. */
    public synchronized String auditLocation() {
        return auditLocation;
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
