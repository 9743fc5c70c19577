package ai.datapilot.cleaner.audit;

import ai.datapilot.cleaner.store.CleanerError;
import java.time.Duration;
import java.util.Optional;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.ExchangePropertyKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Knows the run in progress, so that a stop request (SIGTERM, an operator) reaches it, and so that
 * whoever asked can wait until it has written its audit. A stop asked for between runs stops the
 * next one at once. A run that a route step broke is marked failed here, naming the step.
 */
public final class RunTracker {

    private static final Logger LOG = LoggerFactory.getLogger(RunTracker.class);

    /** A route step of the run in progress that ended with an exception. */
    private record StepFailure(String route, String step, Exception error) {
    }

    /** The failures kept per run: the innermost step comes first; enough to find the one a catch saw. */
    private static final int FAILURES_KEPT = 32;

    private CleanerRun current;
    private CleanerRun last;
    private String stopping;
    private boolean abandoned;
    private final java.util.ArrayDeque<StepFailure> stepFailures = new java.util.ArrayDeque<>();
    private final java.util.List<RunWatcher> watchers = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** {@code watcher} hears of every run opened and ended from now on. */
    public void watch(RunWatcher watcher) {
        watchers.add(watcher);
    }

    public synchronized void begin(CleanerRun run) {
        if (current != null && current != run) {
            // a second trigger while a run goes: it is turned away by the lease; the service keeps
            // knowing the run that really runs (reloads wait for it, stop requests reach it)
            LOG.warn("Run {} starts while run {} is in progress: the lease turns it away", run.runId(), current.runId());
            if (stopping != null) {
                run.requestStop(stopping);
            }
            return;
        }
        current = run;
        stepFailures.clear();
        if (stopping != null) {
            run.requestStop(stopping);
        }
        watchers.forEach(w -> w.opened(run));
    }

    public synchronized void end(@ExchangeProperty(CleanerRun.PROPERTY) CleanerRun run) {
        if (current == run) {
            current = null;
        }
        last = run;
        notifyAll();
        if (run != null) {
            watchers.forEach(w -> w.closed(run));
        }
    }

    /** True while {@code run} has not been ended (its close-run step not reached). */
    public synchronized boolean isOpen(CleanerRun run) {
        return run != null && current == run;
    }

    /**
     * From {@link FailedStep}: a step of the run in progress ended with an exception (handled or
     * not: a delete failure that is retried counts too). The first step an exception left is kept;
     * the steps around it that pass it on are not.
     */
    public synchronized void stepFailed(String route, String step, Exception error) {
        if (current == null || stepFailures.stream().anyMatch(f -> f.error() == error)) {
            return;
        }
        if (stepFailures.size() == FAILURES_KEPT) {
            stepFailures.removeFirst();
        }
        stepFailures.addLast(new StepFailure(route, step, error));
    }

    /**
     * The catch of a run: a route step threw. The run is failed (status {@code failed}, exit code
     * 1) with an error that names the route and the step; what follows still releases the lease
     * and writes the audit.
     */
    public void failed(Exchange exchange, @ExchangeProperty(CleanerRun.PROPERTY) CleanerRun run) {
        Exception caught = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        if (caught == null) {
            caught = exchange.getException();
        }
        String message = describe(exchange, caught);
        LOG.error("Run {} failed: {}", run == null ? "?" : run.runId(), message, caught);
        if (run != null) {
            run.error(CleanerError.cleanup(message));
        }
    }

    /** "route R, step S failed: the exception"; the step as the failing route's error handler saw it. */
    synchronized String describe(Exchange exchange, Exception caught) {
        String route = null;
        String step = null;
        Exception error = caught;
        for (StepFailure f : stepFailures) {
            if (caught == null || sameFailure(f.error(), caught)) {
                route = f.route();
                step = f.step();
                error = f.error();
                break;
            }
        }
        if (route == null) {
            route = exchange.getProperty(ExchangePropertyKey.FAILURE_ROUTE_ID, String.class);
        }
        if (route == null && exchange.getFromRouteId() != null) {
            route = exchange.getFromRouteId();
        }
        return "route " + (route == null ? "unknown" : route) + ", step " + (step == null ? "unknown" : step)
                + " failed: " + rootCause(error);
    }

    private static boolean sameFailure(Throwable noted, Throwable caught) {
        for (Throwable t = caught; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t == noted) {
                return true;
            }
        }
        for (Throwable t = noted; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t == caught) {
                return true;
            }
        }
        return false;
    }

    private static String rootCause(Throwable e) {
        if (e == null) {
            return "unknown error";
        }
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String text = t.toString();
        return text.length() <= 300 ? text : text.substring(0, 300) + "...";
    }

    public synchronized void requestStop(String reason) {
        stopping = reason;
        if (current != null) {
            current.requestStop(reason);
        }
    }

    /** Waits until no run is in progress; false when the wait timed out. */
    public synchronized boolean awaitIdle(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (current != null) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return true;
    }

    /** The run in progress, if any. */
    synchronized Optional<CleanerRun> current() {
        return Optional.ofNullable(current);
    }

    /** A run was ended by {@link RunEndGuard} while a step of it still hung: its exchange may still be in flight. */
    synchronized void abandoned() {
        abandoned = true;
    }

    /** True once a run was ended while a step of it hung (its trigger route may never stop by itself). */
    public synchronized boolean hasAbandonedRun() {
        return abandoned;
    }

    public synchronized boolean isRunning() {
        return current != null;
    }

    /** Forgets an earlier stop request, so that the next run (a scheduled one, say) may start. */
    public synchronized void clearStop() {
        stopping = null;
    }

    public synchronized Optional<CleanerRun> lastRun() {
        return Optional.ofNullable(last);
    }
}
