package ai.datapilot.cleaner.selection;

import ai.datapilot.cleaner.audit.CleanerRun;
import ai.datapilot.cleaner.audit.IntoRunRecord;
import ai.datapilot.cleaner.audit.ScanResult;
import ai.datapilot.cleaner.store.CleanerError;
import ai.datapilot.cleaner.store.StoreKind;
import org.apache.camel.Exchange;

/**
 * Joins the fan-out of scans: each store's {@link ScanResult} goes into the run's record. A branch
 * that blew up becomes an error of its store, never a failed run: the other store is still cleaned.
 */
public final class ScanAggregation extends IntoRunRecord {

    @Override
    protected void record(CleanerRun run, Exchange branch) {
        Exception failure = branch.getException();
        if (failure == null) {
            run.absorb(branch.getMessage().getBody(ScanResult.class));
            return;
        }
        branch.setException(null);
        String message = "scan stopped: " + failure;
        // branch 0 is scan-blobs, as listed in the multicast of routes/cleaner.camel.yaml
        boolean blobBranch = Integer.valueOf(0).equals(branch.getProperty(Exchange.MULTICAST_INDEX, Integer.class));
        run.absorb(ScanResult.failed(blobBranch ? StoreKind.BLOB : StoreKind.REDIS,
                blobBranch ? CleanerError.blobScan(null, null, message) : CleanerError.redisScan(message)));
    }
}
