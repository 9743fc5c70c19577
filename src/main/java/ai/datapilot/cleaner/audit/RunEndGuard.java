package ai.datapilot.cleaner.audit;

import ai.datapilot.cleaner.store.CleanerError;
import java.util.function.Consumer;
import org.apache.camel.Exchange;
import org.apache.camel.support.SynchronizationAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends a run its routes did not end: when the exchange of a run is done and the run's close-run
 * step was never reached (an edited step threw where no catch is, in a doFinally or the run's
 * own catch), the run is failed, its lease released, its audit written without the routes, its
 * summary printed, its metrics counted and the service freed, in Java, whatever the YAML says.
 */
public final class RunEndGuard {

    private static final Logger LOG = LoggerFactory.getLogger(RunEndGuard.class);

    private final RunTracker tracker;
    private final Consumer<CleanerRun> releaseLease;
    private final StandaloneAuditWriter audit;
    private final StructuredSummary summary;
    private final Consumer<CleanerRun> metrics;

    public RunEndGuard(RunTracker tracker, Consumer<CleanerRun> releaseLease, StandaloneAuditWriter audit, StructuredSummary summary,
            Consumer<CleanerRun> metrics) {
        this.tracker = tracker;
        this.releaseLease = releaseLease;
        this.audit = audit;
        this.summary = summary;
        this.metrics = metrics;
    }

    /** Called when {@code run} opens on {@code exchange}: its end is then certain. */
    void watch(Exchange exchange, CleanerRun run) {
        exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onDone(Exchange done) {
                endIfOpen(done, run);
            }
        });
    }

    void endIfOpen(Exchange exchange, CleanerRun run) {
        if (!tracker.isOpen(run)) {
            return;
        }
        try {
            if (run.errors().stream().noneMatch(e -> "cleanup_failed".equals(e.type()))) {
                Exception caught = exchange.getException() != null ? exchange.getException()
                        : exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
                String message = tracker.describe(exchange, caught);
                LOG.error("Run {} failed: {}", run.runId(), message, caught);
                run.error(CleanerError.cleanup(message));
            }
            LOG.error("Run {} was not ended by its routes: ended here (lease released, audit written without the routes)", run.runId());
            step(() -> releaseLease.accept(run), "release the lease");
            step(() -> audit.writeIfMissing(run), "write the audit");
            boolean printed = run.isSummaryPrinted();
            step(() -> summary.printIfMissing(run), "print the summary");
            if (!printed) {
                step(() -> metrics.accept(run), "count the run in the metrics");
            }
        } finally {
            tracker.end(run);
        }
    }

    private static void step(Runnable step, String what) {
        try {
            step.run();
        } catch (RuntimeException e) {
            LOG.error("Could not {} of a run its routes did not end: {}", what, e.toString());
        }
    }
}
