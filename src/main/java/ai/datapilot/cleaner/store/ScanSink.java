package ai.datapilot.cleaner.store;

import java.time.Instant;

/** Receives what a scan finds, one entry at a time, so no listing is ever held whole. */
public interface ScanSink {

    /** An item whose age is known and {@link #interested(Instant) of interest}. */
    void scanned(ScannedItem item);

    /**
     * Whether an item of this age matters to the run. Most items are young: a scan counts those
     * with {@link #passed()} and never spends time naming or fingerprinting them.
     */
    default boolean interested(Instant age) {
        return true;
    }

    /** An item seen whose age is of no interest (not expired). */
    default void passed() {
    }

    /** {@link #passed()} with the item's size in bytes ({@link ScannedItem#UNKNOWN_SIZE} when not known). */
    default void passed(long size) {
        passed();
    }

    /** An item that was seen but whose age cannot be established; it is never deleted. */
    void skipped(String id, String reason);

    /** An item that was seen but is never deleted, and why; a sink that counts by kind overrides this. */
    default void skipped(String id, SkipReason why, String reason) {
        skipped(id, reason);
    }

    /** A part of the store could not be read; the scan goes on with the rest. */
    void failed(CleanerError error);

    /** True when the run must stop: the scan returns early instead of reading on. */
    default boolean stopRequested() {
        return false;
    }
}
