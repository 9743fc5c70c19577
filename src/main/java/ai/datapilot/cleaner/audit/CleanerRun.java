package ai.datapilot.cleaner.audit;

import ai.datapilot.cleaner.rules.CleanerRules;
import ai.datapilot.cleaner.store.CleanerError;
import ai.datapilot.cleaner.store.PlannedItems;
import ai.datapilot.cleaner.store.ScannedItem;
import ai.datapilot.cleaner.store.SkipReason;
import ai.datapilot.cleaner.store.StoreKind;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The tally of one run: what was scanned, chosen, deleted, kept, skipped and what failed, with
 * bytes per store. Its fixed part (id, start, rules, cutoffs, deadline, dry run) is the immutable
 * {@link RunContext}. The aggregation strategies of the scan fan-out and of the delete split fill
 * it; the audit record and the summary line are read from it, so what the run reports is what the
 * run did. Scans write from two threads, hence the synchronisation.
 */
public final class CleanerRun {

    /** The exchange property that carries the run through the routes. */
    public static final String PROPERTY = "cleanerRun";

    private final RunContext context;

    private final OldestFirstPool expired;
    private final Map<SkipReason, Long> skipCounts = new EnumMap<>(SkipReason.class);
    // per store: scanned, expired, deleted (would be, in dry run), kept
    private final Map<StoreKind, long[]> bytes = new EnumMap<>(StoreKind.class);
    private long keptBlobs;
    private long keptKeys;
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
    private volatile String stopReason;
    private boolean interrupted;
    private boolean leaseHeld;
    private String leaseDenied;
    private String leaseTakenOver;
    private String jobRecordsUnguarded;
    private Instant completedAt;
    private Instant planDecidedAt;
    private volatile PlannedItems planned = PlannedItems.none();
    private Instant deletesDoneAt;
    private Path auditFile;
    private String auditLocation;
    private boolean summaryPrinted;
    private final LiveCounts live = new LiveCounts();
    private long plannedCount;
    private long planSettled;
    private long planFailed;
    private long planSkipped;

    public CleanerRun(Instant startedAt, Double ttlHours, boolean dryRun, Integer maxDeleteBatch,
            String blobStore, String jobRecordStore) {
        this(startedAt, ttlHours, dryRun, maxDeleteBatch, blobStore, jobRecordStore, null);
    }

    public CleanerRun(Instant startedAt, Double ttlHours, boolean dryRun, Integer maxDeleteBatch,
            String blobStore, String jobRecordStore, java.time.Duration maxRuntime) {
        this(RunContext.open(startedAt, ttlHours == null ? null : CleanerRules.defaultOnly(ttlHours), dryRun, maxDeleteBatch,
                blobStore, jobRecordStore, maxRuntime));
    }

    public CleanerRun(RunContext context) {
        this.context = context;
        this.expired = new OldestFirstPool(context.cap());
        for (StoreKind kind : StoreKind.values()) {
            bytes.put(kind, new long[4]);
        }
    }

    /** The run's fixed part: id, start, rules and cutoffs, deadline, dry run, stores. */
    public RunContext context() {
        return context;
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
            keptBlobs += result.kept();
        } else {
            keysScanned += result.scanned();
            expiredKeys += result.expired();
            keptKeys += result.kept();
        }
        long[] b = bytes.get(result.store());
        b[0] += result.scannedBytes();
        b[1] += result.expiredBytes();
        b[3] += result.keptBytes();
        items.addAll(result.keptListed());
        result.skipCounts().forEach((why, n) -> skipCounts.merge(why, n, Long::sum));
        futureDated += result.futureDated();
        skippedCount += result.skippedCount();
        for (String s : result.skipped()) {
            if (skipped.size() < ScanResult.SKIPPED_LISTED) {
                skipped.add(s);
            }
        }
        errors.addAll(result.errors());
        expired.offerAll(result.expiredPool());
        // the branch's message may outlive the scan: its items are the run's now, held once
        result.expiredPool().clear();
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
        if (stopReason == null && context.deadline() != null && Instant.now().isAfter(context.deadline())) {
            requestStop("time budget of " + context.maxRuntime().toString().substring(2).toLowerCase() + " (CLEANER_MAX_RUNTIME) reached");
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
        planned.take(item, null);
        interrupted = true;
        planSettled++;
        planSkipped++;
        ItemOutcome outcome = ItemOutcome.skipped(item, SkipReason.NOT_ATTEMPTED, "not attempted: " + stopReason);
        items.add(outcome);
        // a skip like any other: counted and listed, so skippedCount equals what the audit shows
        skippedCount++;
        skipCounts.merge(SkipReason.NOT_ATTEMPTED, 1L, Long::sum);
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
        plannedCount = plan.size();
        planned = new PlannedItems(plan);
        planDecidedAt = Instant.now();
        long blobs = plan.stream().filter(i -> i.store() == StoreKind.BLOB).count();
        deferredBlobs = expiredBlobs - blobs;
        deferredKeys = expiredKeys - (plan.size() - blobs);
        return plan;
    }

    /** The plan's items, each passed to a delete at most once. */
    public PlannedItems planned() {
        return planned;
    }

    public synchronized void record(ItemOutcome outcome) {
        items.add(outcome);
        planSettled++;
        if (outcome.kind() == Outcome.FAILED) {
            planFailed++;
        }
        if (outcome.removes()) {
            if (outcome.item().store() == StoreKind.BLOB) {
                deletedBlobs++;
            } else {
                deletedKeys++;
            }
            bytes.get(outcome.item().store())[2] += outcome.item().knownSize();
        } else if (outcome.kind() == Outcome.KEPT) {
            // planned, then kept by a route step: no longer expired-and-eligible, but kept
            live.kept().increment();
            if (outcome.item().store() == StoreKind.BLOB) {
                keptBlobs++;
            } else {
                keptKeys++;
            }
            bytes.get(outcome.item().store())[3] += outcome.item().knownSize();
        } else if (outcome.kind() == Outcome.SKIPPED) {
            planSkipped++;
            skippedCount++;
            skipCounts.merge(outcome.why() == null ? SkipReason.CHANGED_AFTER_SCAN : outcome.why(), 1L, Long::sum);
            if (skipped.size() < ScanResult.SKIPPED_LISTED) {
                skipped.add(outcome.id() + ": " + outcome.reason());
            }
        }
    }

    /** The counters the scans and deletes keep up to date as they go. */
    public LiveCounts live() {
        return live;
    }

    /** Where the run stands now; cheap enough to read every few seconds from another thread. */
    public synchronized RunProgress progress() {
        String phase = planDecidedAt == null ? RunProgress.SCANNING
                : deletesDoneAt == null ? RunProgress.DELETING : RunProgress.FINISHING;
        return new RunProgress(phase, dryRun(), live.blobsScanned(), live.keysScanned(), live.expiredSoFar(), plannedCount,
                deletedBlobs + deletedKeys, live.keptSoFar(), planFailed, planSkipped, planSettled);
    }

    public synchronized void error(CleanerError error) {
        errors.add(error);
    }

    /** Blob items this run really deleted (never in dry run): their folders may now be empty. */
    public synchronized List<ScannedItem> deletedBlobItems() {
        List<ScannedItem> list = new ArrayList<>();
        for (ItemOutcome o : items) {
            if (o.kind() == Outcome.DELETED && o.item().store() == StoreKind.BLOB) {
                list.add(o.item());
            }
        }
        return list;
    }

    /** A folder this run emptied but kept, because what is there now is not what the scan saw. */
    public synchronized void folderKept(String id, String reason) {
        skippedCount++;
        skipCounts.merge(SkipReason.CHANGED_AFTER_SCAN, 1L, Long::sum);
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

    /** Where the run stands; a cleanup_failed error (a route step threw) makes it failed. */
    public synchronized RunStatus runStatus() {
        if (refused) {
            return RunStatus.REFUSED;
        }
        if (errors.stream().anyMatch(e -> "cleanup_failed".equals(e.type()))) {
            return RunStatus.FAILED;
        }
        if (leaseDenied != null) {
            return RunStatus.LEASE_UNAVAILABLE;
        }
        if (interrupted) {
            return RunStatus.INTERRUPTED;
        }
        return completedAt == null ? RunStatus.RUNNING : RunStatus.COMPLETED;
    }

    /** refused, lease_unavailable, interrupted, completed, or running (the audit's label of {@link #runStatus()}). */
    public synchronized String status() {
        return runStatus().label();
    }

    public synchronized String stopReason() {
        return interrupted ? stopReason : null;
    }

    public String runId() {
        return context.runId();
    }

    public Instant startedAt() {
        return context.startedAt();
    }

    /** CLEANER_MAX_RUNTIME, or null when the run has no time budget. */
    public java.time.Duration maxRuntime() {
        return context.maxRuntime();
    }

    /** The JOB_TTL_HOURS cutoff; an item's own is {@link ScannedItem#cutoff(Instant)}. */
    public Instant cutoff() {
        return context.cutoff();
    }

    public boolean dryRun() {
        return context.dryRun();
    }

    public Double ttlHours() {
        return context.ttlHours();
    }

    public int maxDeleteBatch() {
        return context.cap();
    }

    public Integer maxDeleteBatchSetting() {
        return context.maxDeleteBatch();
    }

    public String blobStore() {
        return context.blobStore();
    }

    public String jobRecordStore() {
        return context.jobRecordStore();
    }

    /** Skips of this run by kind, exactly (the audit lists the first {@value ScanResult#SKIPPED_LISTED}). */
    public synchronized Map<SkipReason, Long> skipCounts() {
        return Map.copyOf(skipCounts);
    }

    public synchronized long keptBlobs() {
        return keptBlobs;
    }

    public synchronized long keptKeys() {
        return keptKeys;
    }

    /** Bytes of one store: scanned, expired, deleted (would be freed, in dry run), kept. */
    public synchronized StoreBytes bytes(StoreKind store) {
        long[] b = bytes.get(store);
        return new StoreBytes(b[0], b[1], b[2], b[3]);
    }

    /** Bytes this run deleted from both stores; in dry run, what it would have freed. */
    public synchronized long deletedBytes() {
        return bytes.get(StoreKind.BLOB)[2] + bytes.get(StoreKind.REDIS)[2];
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
