package ai.datapilot.cleaner.store;

/**
 * A scan that has not run yet. The scan route step opens it and the expiry filter drains it,
 * so items stream from the store into the filter without being collected in between.
 */
public interface ItemScan {

    StoreKind store();

    /** Runs the scan to the end, handing every entry to the sink. Never throws for a bad entry. */
    void drain(ScanSink sink);
}
