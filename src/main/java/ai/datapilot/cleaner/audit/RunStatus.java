package ai.datapilot.cleaner.audit;

/** Where a run stands; the labels are the audit's and the summary's {@code status}. */
public enum RunStatus {
    RUNNING("running"),
    COMPLETED("completed"),
    /** A route step threw (a bug or a bad route edit): the run ended there, with its audit. */
    FAILED("failed"),
    /** Stopped early (time budget, SIGTERM, lease lost): the rest waits for the next run. */
    INTERRUPTED("interrupted"),
    /** Another run holds the lease: nothing was scanned or deleted. */
    LEASE_UNAVAILABLE("lease_unavailable"),
    /** Settings refused: nothing was scanned or deleted. */
    REFUSED("refused");

    private final String label;

    RunStatus(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
