package ai.datapilot.cleaner.cli;

import ai.datapilot.cleaner.audit.CleanerRun;
import ai.datapilot.cleaner.audit.ItemOutcome;
import ai.datapilot.cleaner.audit.Outcome;
import ai.datapilot.cleaner.audit.ScanResult;
import ai.datapilot.cleaner.audit.StoreBytes;
import ai.datapilot.cleaner.progress.HumanUnits;
import ai.datapilot.cleaner.store.StoreKind;
import java.io.PrintStream;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

/**
 * {@code run-once --list}: the run's items in human form on stdout, one line each (what became of
 * it, store, age and timestamp, size, rule, path or key), then the totals; printed before the
 * summary line, which stays last. Names are escaped as in the logs, so none can forge a line.
 */
final class RunListing {

    private RunListing() {
    }

    static void print(PrintStream out, CleanerRun run) {
        Map<Outcome, long[]> totals = new EnumMap<>(Outcome.class);
        long keptListed = 0;
        for (ItemOutcome o : run.items()) {
            out.println(line(o, run));
            long[] t = totals.computeIfAbsent(o.kind(), k -> new long[2]);
            t[0]++;
            t[1] += o.item().knownSize();
            if (o.kind() == Outcome.KEPT) {
                keptListed++;
            }
        }
        out.println(totals(run, totals, keptListed));
        out.flush();
    }

    /** {@code would_delete  blob   3d 4h   2026-11-26T22:49:12Z   12.3 MiB  rule default  uploads/job_1/data.csv}. */
    static String line(ItemOutcome o, CleanerRun run) {
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%-12s  %-5s  %7s  %-20s  %10s  ", o.outcome(), o.store(),
                HumanUnits.span(Duration.between(o.item().age(), run.startedAt())),
                o.item().age().truncatedTo(ChronoUnit.SECONDS), HumanUnits.bytes(o.item().size())));
        b.append(LogText.escape(o.id()));
        if (o.rule() != null) {
            b.append("  rule ").append(LogText.escape(o.rule()));
        }
        if (o.reason() != null && o.kind() != Outcome.DELETED && o.kind() != Outcome.WOULD_DELETE) {
            b.append(" (").append(LogText.escape(o.reason())).append(')');
        }
        return b.toString();
    }

    private static String totals(CleanerRun run, Map<Outcome, long[]> totals, long keptListed) {
        StringBuilder b = new StringBuilder("Total: ");
        String sep = "";
        for (Outcome kind : Outcome.values()) {
            long[] t = totals.getOrDefault(kind, new long[2]);
            if (t[0] > 0 || kind == (run.dryRun() ? Outcome.WOULD_DELETE : Outcome.DELETED)) {
                b.append(sep).append(t[0]).append(' ').append(kind.auditName().replace('_', ' '))
                        .append(" (").append(HumanUnits.bytes(t[1])).append(')');
                sep = ", ";
            }
        }
        long kept = run.keptBlobs() + run.keptKeys();
        if (kept > keptListed) {
            b.append("; ").append(kept).append(" kept in all, the first ").append(ScanResult.SKIPPED_LISTED).append(" listed");
        }
        long deferred = run.deferredBlobs() + run.deferredKeys();
        if (deferred > 0) {
            b.append("; ").append(deferred).append(" expired left for the next run (beyond the cap, or after a stop)");
        }
        StoreBytes blob = run.bytes(StoreKind.BLOB);
        StoreBytes redis = run.bytes(StoreKind.REDIS);
        b.append("; scanned ").append(run.blobsScanned()).append(" blob item(s) (").append(HumanUnits.bytes(blob.scanned()))
                .append("), ").append(run.keysScanned()).append(" job record(s) (").append(HumanUnits.bytes(redis.scanned())).append(')');
        if (run.skippedCount() > 0) {
            b.append("; ").append(run.skippedCount()).append(" skipped in all (see the audit's skipped)");
        }
        if (!run.errors().isEmpty()) {
            b.append("; ").append(run.errors().size()).append(" error(s) (see the audit's errors)");
        }
        return b.toString();
    }
}
