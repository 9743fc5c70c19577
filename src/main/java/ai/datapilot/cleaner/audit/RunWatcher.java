package ai.datapilot.cleaner.audit;

/** Told when a run opens and when it ends, whatever its outcome (the progress reporter). */
public interface RunWatcher {

    void opened(CleanerRun run);

    void closed(CleanerRun run);
}
