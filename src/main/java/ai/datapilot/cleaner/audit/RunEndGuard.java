package ai.datapilot.cleaner.audit;

import ai.datapilot.cleaner.store.CleanerError;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.camel.Exchange;
import org.apache.camel.support.SynchronizationAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends a run its routes did not end, in Java, whatever the YAML says: the run is failed, its lease
 * released, its audit written without the routes, its summary printed, its metrics counted and
 * the service freed for the next run. Two cases: the run's exchange is done but its close-run step
 * was never reached (an edited step threw where nothing catches it: a doFinally, a doCatch); or a
 * step hangs (an edited delay, a loop) past the run's time budget and a grace, or past the
 * service's shutdown. A hung step that wakes up later deletes nothing: the lease is no longer its run's.
 */
public final class RunEndGuard implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RunEndGuard.class);
    /** Beyond the time budget, what a delete in flight (with its retries) may take before the run is ended. */
    static final Duration MAX_GRACE = Duration.ofSeconds(60);

    private final RunTracker tracker;
    private final Consumer<CleanerRun> releaseLease;
    private final StandaloneAuditWriter audit;
    private final StructuredSummary summary;
    private final Consumer<CleanerRun> metrics;
    private final ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "cleaner-run-watchdog");
        t.setDaemon(true);
        return t;
    });

    public RunEndGuard(RunTracker tracker, Consumer<CleanerRun> releaseLease, StandaloneAuditWriter audit, StructuredSummary summary,
            Consumer<CleanerRun> metrics) {
        this.tracker = tracker;
        this.releaseLease = releaseLease;
        this.audit = audit;
        this.summary = summary;
        this.metrics = metrics;
    }

    /** The grace after the time budget: the budget itself when short, at most {@link #MAX_GRACE}. */
    static Duration grace(Duration budget) {
        return budget.compareTo(MAX_GRACE) < 0 ? budget : MAX_GRACE;
    }

    /** Called when {@code run} opens on {@code exchange}: its end is then certain. */
    void watch(Exchange exchange, CleanerRun run) {
        exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onDone(Exchange done) {
                Exception caught = done.getException() != null ? done.getException()
                        : done.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
                end(run, () -> tracker.describe(done, caught), caught);
            }
        });
        Duration budget = run.maxRuntime();
        if (budget != null) {
            Duration grace = grace(budget);
            watchdog.schedule(() -> abandon(run, "the run did not end within its time budget (CLEANER_MAX_RUNTIME "
                    + text(budget) + ") and " + text(grace) + " more: a route step hangs"),
                    budget.plus(grace).toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** The service is stopping and its run still has not ended (a step hangs past the shutdown timeout). */
    public void endHungRun(String why) {
        tracker.current().ifPresent(run -> abandon(run, why));
    }

    private void abandon(CleanerRun run, String why) {
        if (!tracker.isOpen(run)) {
            return;
        }
        run.requestStop(why);
        tracker.abandoned();
        end(run, () -> why, null);
    }

    private void end(CleanerRun run, java.util.function.Supplier<String> message, Exception cause) {
        synchronized (this) {
            if (!tracker.isOpen(run)) {
                return;
            }
            try {
                if (run.errors().stream().noneMatch(e -> "cleanup_failed".equals(e.type()))) {
                    String text = message.get();
                    LOG.error("Run {} failed: {}", run.runId(), text, cause);
                    run.error(CleanerError.cleanup(text));
                }
                LOG.error("Run {} was not ended by its routes: ended here (lease released, audit written without the routes)",
                        run.runId());
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
    }

    private static void step(Runnable step, String what) {
        try {
            step.run();
        } catch (RuntimeException e) {
            LOG.error("Could not {} of a run its routes did not end: {}", what, e.toString());
        }
    }

    private static String text(Duration d) {
        return d.toString().substring(2).toLowerCase();
    }

    @Override
    public void close() {
        watchdog.shutdownNow();
    }
}
