package ai.datapilot.cleaner.audit;

import java.util.concurrent.Callable;
import org.slf4j.MDC;

/**
 * The run id on every log line written during a run: the MDC key {@code runId}, set on each thread
 * while it works for the run (route steps through {@link RunIdOnLogs}, the cleaner's own workers
 * through {@link #carried}), and gone from it afterwards.
 */
public final class RunLogContext {

    public static final String KEY = "runId";

    private RunLogContext() {
    }

    /** Sets the run id (null: removes it) and returns what was there, for {@link #restore}. */
    static String set(String runId) {
        String before = MDC.get(KEY);
        restore(runId);
        return before;
    }

    static void restore(String runId) {
        if (runId == null) {
            MDC.remove(KEY);
        } else {
            MDC.put(KEY, runId);
        }
    }

    /** The task, run on another thread with the run id of the thread that handed it over. */
    public static Runnable carried(Runnable task) {
        String runId = MDC.get(KEY);
        return () -> {
            String before = set(runId);
            try {
                task.run();
            } finally {
                restore(before);
            }
        };
    }

    /** The task, run on another thread with the run id of the thread that handed it over. */
    public static <T> Callable<T> carried(Callable<T> task) {
        String runId = MDC.get(KEY);
        return () -> {
            String before = set(runId);
            try {
                return task.call();
            } finally {
                restore(before);
            }
        };
    }
}
