package ai.datapilot.cleaner.testing;

import ai.datapilot.cleaner.blob.BlobStore;
import ai.datapilot.cleaner.store.ItemScan;
import ai.datapilot.cleaner.store.Recheck;
import ai.datapilot.cleaner.store.ScannedItem;
import ai.datapilot.cleaner.store.StoreKind;
import java.time.Instant;
import java.util.Collection;

/** A real blob store behind a wrapper: a test overrides the one method it needs to break. */
public class ForwardingBlobStore implements BlobStore {

    protected final BlobStore real;

    public ForwardingBlobStore(BlobStore real) {
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

    @Override
    public int removeEmptiedFolders(Collection<ScannedItem> deleted) {
        return real.removeEmptiedFolders(deleted);
    }
}
