package ai.datapilot.cleaner.deletion;

import ai.datapilot.cleaner.audit.CleanerRun;
import ai.datapilot.cleaner.blob.BlobStore;
import org.apache.camel.ExchangeProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Removes the job folders this run emptied (the original left them behind); never a prefix folder. */
public final class EmptyFolderSweep {

    private static final Logger LOG = LoggerFactory.getLogger(EmptyFolderSweep.class);

    private final BlobStore blobs;

    public EmptyFolderSweep(BlobStore blobs) {
        this.blobs = blobs;
    }

    public void sweep(@ExchangeProperty(CleanerRun.PROPERTY) CleanerRun run) {
        DeleteOutcomes.keepWhatNoStepPassedOn(run);
        run.deletesDone();
        int removed = blobs.removeEmptiedFolders(run.deletedBlobItems(), run::folderKept);
        run.foldersRemoved(removed);
        if (removed > 0) {
            LOG.info("Removed {} job folder(s) left empty by this run", removed);
        }
    }
}
