package ai.datapilot.cleaner.testing;

import ai.datapilot.cleaner.blob.BlobStore;
import ai.datapilot.cleaner.store.ScannedItem;
import java.util.Collection;
import java.util.function.BiConsumer;

/** A real blob store behind a wrapper; see {@link ForwardingStore}. */
public class ForwardingBlobStore extends ForwardingStore<BlobStore> implements BlobStore {

    public ForwardingBlobStore(BlobStore real) {
        super(real);
    }

    @Override
    public int removeEmptiedFolders(Collection<ScannedItem> deleted) {
        return real.removeEmptiedFolders(deleted);
    }

    @Override
    public int removeEmptiedFolders(Collection<ScannedItem> deleted, BiConsumer<String, String> kept) {
        return real.removeEmptiedFolders(deleted, kept);
    }
}
