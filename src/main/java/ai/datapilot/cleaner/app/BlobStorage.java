package ai.datapilot.cleaner.app;

import ai.datapilot.cleaner.audit.AuditFile;
import ai.datapilot.cleaner.audit.CleanerRun;
import ai.datapilot.cleaner.audit.StandaloneAuditWriter;
import ai.datapilot.cleaner.blob.BlobStore;
import ai.datapilot.cleaner.blob.LocalBlobStore;
import ai.datapilot.cleaner.blob.S3BlobStore;
import ai.datapilot.cleaner.blob.S3Clients;
import ai.datapilot.cleaner.health.AuditArchive;
import ai.datapilot.cleaner.health.LocalAuditArchive;
import ai.datapilot.cleaner.health.S3AuditArchive;
import ai.datapilot.cleaner.lease.LocalRunLock;
import ai.datapilot.cleaner.settings.CleanerSettings;
import ai.datapilot.cleaner.settings.S3Location;
import java.time.Clock;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The blob side of the process, chosen once from the settings: a folder on local disk, or a bucket
 * in object storage. Everything that depends on the choice (the store, where audit records go and
 * are read back, the local lock) is made here, so no other class asks which one it is.
 */
public final class BlobStorage implements AutoCloseable {

    private final CleanerSettings settings;
    private final S3Client s3;
    private final BlobStore store;

    public BlobStorage(CleanerSettings settings) {
        this.settings = settings;
        if (settings.objectStorage().isPresent()) {
            S3Location location = settings.objectStorage().get();
            this.s3 = S3Clients.client(location, settings.redisTimeout());
            this.store = new S3BlobStore(s3, location, settings.blobPrefixes());
        } else {
            this.s3 = null;
            this.store = new LocalBlobStore(settings.storageRoot(), settings.blobPrefixes());
        }
    }

    public BlobStore store() {
        return store;
    }

    /** The S3 client camel-aws2-s3 writes the audit object with; null on local disk. */
    public S3Client s3Client() {
        return s3;
    }

    public AuditFile auditFile(Clock clock) {
        return s3 != null ? AuditFile.inBucket(settings.objectStorage().get().bucket(), settings.auditKeyPrefix(), clock)
                : new AuditFile(settings.auditDirectory(), clock);
    }

    public AuditArchive auditArchive() {
        return s3 != null ? new S3AuditArchive(s3, settings.objectStorage().get().bucket(), settings.auditKeyPrefix())
                : new LocalAuditArchive(settings.storageRoot(), settings.auditDirectory());
    }

    /** Writes the record of a run that never reached the routes (startup failed) where the routes would. */
    public void writeStandaloneAudit(CleanerRun run) {
        if (s3 != null) {
            StandaloneAuditWriter.writeToBucket(run, s3, settings.objectStorage().get().bucket(), settings.auditKeyPrefix());
        } else {
            StandaloneAuditWriter.write(run, settings.auditDirectory());
        }
    }

    /** The storage root's lock; none for a bucket (the Redis lease guards it). */
    public LocalRunLock localLock() {
        return s3 != null ? null : new LocalRunLock(settings.storageRoot());
    }

    @Override
    public void close() {
        if (store instanceof S3BlobStore s3Store) {
            s3Store.close();
        }
        if (s3 != null) {
            s3.close();
        }
    }
}
