package ai.datapilot.cleaner.selection;

import ai.datapilot.cleaner.audit.CleanerRun;
import ai.datapilot.cleaner.store.ScannedItem;
import ai.datapilot.cleaner.store.StoreKind;
import java.util.List;
import java.util.function.ToIntFunction;
import org.apache.camel.ExchangeProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one cap of a run, both stores together: the {@code CLEANER_MAX_DELETE_BATCH} oldest expired
 * items (ties by name) make the plan, decided before the first delete; every other expired item
 * is deferred to the next run. Dry run and real run get the same plan from the same data.
 */
public final class DeleteCap {

    private static final Logger LOG = LoggerFactory.getLogger(DeleteCap.class);

    private final ToIntFunction<StoreKind> chunkSize;

    /** @param chunkSize items per delete request: 1 when deletes are paced */
    public DeleteCap(int chunkSize) {
        this(store -> chunkSize);
    }

    /** @param chunkSize items per delete request, per store (what one request of that store can take) */
    public DeleteCap(ToIntFunction<StoreKind> chunkSize) {
        this.chunkSize = chunkSize;
    }

    public DeletePlan plan(@ExchangeProperty(CleanerRun.PROPERTY) CleanerRun run) {
        List<ScannedItem> plan = run.decidePlan();
        LOG.info("Plan: {} item(s) to delete of {} expired (cap {}); {} blob(s) and {} key(s) deferred to the next run; "
                + "{} blob(s) and {} key(s) kept by keep rules", plan.size(), run.expiredBlobs() + run.expiredKeys(), run.maxDeleteBatch(),
                run.deferredBlobs(), run.deferredKeys(), run.keptBlobs(), run.keptKeys());
        return new DeletePlan(plan, chunkSize, run);
    }
}
