package ai.datapilot.cleaner.blob;

import ai.datapilot.cleaner.store.CandidateStore;
import ai.datapilot.cleaner.store.ScannedItem;
import java.util.Collection;
import java.util.function.BiConsumer;

/** The store of uploaded and result files, cleaned under its prefixes only. */
public interface BlobStore extends CandidateStore {

    /**
     * Removes the job folders that the given deletions left empty, from the deepest up, never a
     * prefix folder itself. Returns how many folders were removed.
     */
    int removeEmptiedFolders(Collection<ScannedItem> deleted);

    /**
     * As {@link #removeEmptiedFolders(Collection)}, telling {@code kept} (folder id, reason) about
     * each folder kept because what is there now is not what the scan saw.
     */
    default int removeEmptiedFolders(Collection<ScannedItem> deleted, BiConsumer<String, String> kept) {
        return removeEmptiedFolders(deleted);
    }
}
