package ai.datapilot.cleaner.audit;

import java.time.Duration;
import java.util.Optional;
import org.apache.camel.ExchangeProperty;

/**
 * Knows the run in progress, so that a stop request (SIGTERM, an operator) reaches it, and so that
 * whoever asked can wait until it has written its audit. A stop asked for between runs stops the
 * next one at once.
 */
public final class RunTracker {

    private CleanerRun current;
    private CleanerRun last;
    private String stopping;

    public synchronized void begin(CleanerRun run) {
        current = run;
        if (stopping != null) {
            run.requestStop(stopping);
        }
    }

    public synchronized void end(@ExchangeProperty(CleanerRun.PROPERTY) CleanerRun run) {
        if (current == run) {
            current = null;
        }
        last = run;
        notifyAll();
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
