package ai.datapilot.cleaner.store;

/** The two kinds of store a run cleans; the names are those of the audit record's {@code store} field. */
public enum StoreKind {
    BLOB("blob"),
    REDIS("redis");

    private final String auditName;

    StoreKind(String auditName) {
        this.auditName = auditName;
    }

    public String auditName() {
        return auditName;
    }
}
