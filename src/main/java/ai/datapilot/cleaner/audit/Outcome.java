package ai.datapilot.cleaner.audit;

/** What became of an item the run looked at closely; the names are the audit's {@code outcome} values. */
public enum Outcome {
    DELETED("deleted"),
    /** Dry run: the re-check found it would be deleted. */
    WOULD_DELETE("would_delete"),
    FAILED("failed"),
    SKIPPED("skipped"),
    /** Expired, but a keep rule (or a route step) kept it. */
    KEPT("kept");

    private final String auditName;

    Outcome(String auditName) {
        this.auditName = auditName;
    }

    public String auditName() {
        return auditName;
    }

    public static Outcome of(String auditName) {
        for (Outcome o : values()) {
            if (o.auditName.equals(auditName)) {
                return o;
            }
        }
        throw new IllegalArgumentException("no outcome " + auditName);
    }

    /** Counts towards deletedBlobs/deletedKeys (in dry run: what would be deleted). */
    public boolean removes() {
        return this == DELETED || this == WOULD_DELETE;
    }
}
