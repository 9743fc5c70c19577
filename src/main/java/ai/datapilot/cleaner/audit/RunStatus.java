package ai.datapilot.cleaner.audit;

/** Where a run stands; the labels are the audit's and the summary's {@code status}. */
public enum RunStatus {
    RUNNING("running"),
    COMPLETED("completed"),
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
