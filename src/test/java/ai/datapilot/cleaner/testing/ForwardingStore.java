package ai.datapilot.cleaner.testing;

import ai.datapilot.cleaner.store.CandidateStore;
import ai.datapilot.cleaner.store.ItemScan;
import ai.datapilot.cleaner.store.Recheck;
import ai.datapilot.cleaner.store.ScannedItem;
import ai.datapilot.cleaner.store.StoreKind;
import java.time.Instant;

/**
 * A real store behind a wrapper: a test overrides the one method it needs to break. Chunked
 * deletes are not forwarded on purpose: the wrapper sees every item, one by one.
 */
public abstract class ForwardingStore<S extends CandidateStore> implements CandidateStore {

    protected final S real;

    protected ForwardingStore(S real) {
        this.real = real;
    }

    @Override
    public StoreKind kind() {
        return real.kind();
    }

    @Override
    public String describe() {
        return real.describe();
    }

    @Override
    public ItemScan scan() {
        return real.scan();
    }

    @Override
    public Recheck recheck(ScannedItem c, Instant cutoff) throws Exception {
        return real.recheck(c, cutoff);
    }

    @Override
    public Recheck deleteIfUnchanged(ScannedItem c, Instant cutoff) throws Exception {
        return real.deleteIfUnchanged(c, cutoff);
    }
}
