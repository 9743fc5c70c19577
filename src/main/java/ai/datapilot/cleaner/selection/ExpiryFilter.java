package ai.datapilot.cleaner.selection;

import ai.datapilot.cleaner.audit.CleanerRun;
import ai.datapilot.cleaner.audit.ScanResult;
import ai.datapilot.cleaner.rules.RunRules;
import ai.datapilot.cleaner.store.CleanerError;
import ai.datapilot.cleaner.store.ItemScan;
import ai.datapilot.cleaner.store.ScanSink;
import ai.datapilot.cleaner.store.Retention;
import ai.datapilot.cleaner.store.ScannedItem;
import ai.datapilot.cleaner.store.SkipReason;
import ai.datapilot.cleaner.store.StoreKind;
import java.time.Instant;
import org.apache.camel.Body;
import org.apache.camel.ExchangeProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The expiry rule: an item is expired when its age is strictly older than the cutoff of its
 * retention rule ({@code now - ttlHours} of the first rule that matches it, else
 * {@code now - JOB_TTL_HOURS}; instants, so the host's time zone never matters). An expired item a
 * keep rule matches is kept and counted. Drains a scan, counting everything and keeping only the
 * oldest expired items the cap could ever choose.
 */
public final class ExpiryFilter {

    private static final Logger LOG = LoggerFactory.getLogger(ExpiryFilter.class);

    public static boolean isExpired(Instant age, Instant cutoff) {
        return age.isBefore(cutoff);
    }

    /** A scan failure is an error of the run (exit 1): logged at ERROR. */
    public ScanResult filter(@Body ItemScan scan, @ExchangeProperty(CleanerRun.PROPERTY) CleanerRun run) {
        RunRules rules = run.context().rules();
        Instant latestCutoff = rules.latestCutoff();
        Instant now = run.startedAt();
        ScanResult result = new ScanResult(scan.store(), run.maxDeleteBatch(), run.live());
        if (scan.store() == StoreKind.REDIS && run.jobRecordsUnguardedReason() != null) {
            // no lease covers Redis in this run: its job records are left for a run that holds one
            CleanerError error = CleanerError.redisScan("Redis at " + run.jobRecordStore() + ": job records not scanned: "
                    + run.jobRecordsUnguardedReason());
            LOG.error("{}: {}", error.type(), error.message());
            result.fail(error);
            return result;
        }
        scan.drain(new ScanSink() {
            @Override
            public boolean interested(Instant age) {
                // younger than every rule's cutoff: expired under none, looked at no closer
                return isExpired(age, latestCutoff) || age.isAfter(now);
            }

            @Override
            public void passed() {
                result.countSeen();
            }

            @Override
            public void passed(long size) {
                result.countScanned(size);
            }

            @Override
            public void scanned(ScannedItem item) {
                result.countScanned(item.size());
                Retention retention = rules.retentionFor(item);
                if (isExpired(item.age(), retention.cutoff())) {
                    ScannedItem ruled = item.withRetention(retention);
                    RunRules.Kept kept = rules.keptBy(ruled);
                    if (kept != null) {
                        result.kept(ruled, kept.rule(), kept.reason());
                    } else {
                        result.expired(ruled);
                    }
                } else if (item.age().isAfter(now)) {
                    result.countFutureDated();
                }
            }

            @Override
            public void skipped(String id, String reason) {
                skipped(id, SkipReason.UNKNOWN_AGE, reason);
            }

            @Override
            public void skipped(String id, SkipReason why, String reason) {
                result.countSeen();
                result.skip(id, why, reason);
            }

            @Override
            public boolean stopRequested() {
                return run.shouldStop();
            }

            @Override
            public void failed(CleanerError error) {
                LOG.error("{}: {}", error.type(), error.message());
                result.fail(error);
            }
        });
        if (run.shouldStop()) {
            run.markInterrupted();
            LOG.warn("Scan of {} stopped early: {}", scan.store().auditName(), run.stopReason());
        }
        LOG.info("Scanned {} {} item(s): {} expired, {} skipped, {} error(s)", result.scanned(), scan.store().auditName(),
                result.expired(), result.skippedCount(), result.errors().size());
        return result;
    }
}
