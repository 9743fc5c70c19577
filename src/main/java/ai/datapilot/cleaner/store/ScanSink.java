package ai.datapilot.cleaner.store;

/** Receives what a scan finds, one entry at a time, so no listing is ever held whole. */
public interface ScanSink {

    /** An item whose age is known. */
    void scanned(ScannedItem item);

    /** An item that was seen but whose age cannot be established; it is never deleted. */
    void skipped(String id, String reason);

    /** A part of the store could not be read; the scan goes on with the rest. */
    void failed(CleanerError error);

    /** True when the run must stop: the scan returns early instead of reading on. */
    default boolean stopRequested() {
        return false;
    }
}
