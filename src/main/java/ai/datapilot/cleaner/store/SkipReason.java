package ai.datapilot.cleaner.store;

/** Why an item was left alone without being deleted; the names are the metric's {@code reason} labels. */
public enum SkipReason {
    /** Its age cannot be established (no timestamp, unparsable, a store that gave none). */
    UNKNOWN_AGE("unknown_age"),
    /** A device, socket or FIFO. */
    SPECIAL_FILE("special_file"),
    /** A folder on another file system, not crossed. */
    MOUNT_POINT("mount_point"),
    /** A Redis key of a type that is no job record. */
    WRONG_TYPE("wrong_type"),
    /** Larger than the capped read: never read, so never aged. */
    TOO_LARGE("too_large"),
    /** Looked at again before the delete: it had changed. */
    CHANGED_AFTER_SCAN("changed_after_scan"),
    /** Planned, but the run stopped before it was attempted. */
    NOT_ATTEMPTED("not_attempted"),
    /** Could not be read or is outside where it may be deleted. */
    UNREADABLE("unreadable");

    private final String label;

    SkipReason(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
