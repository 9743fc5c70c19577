package ai.datapilot.cleaner.app;

import ai.datapilot.cleaner.audit.AuditFile;
import ai.datapilot.cleaner.audit.AuditFolderEndpoint;
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
import java.util.concurrent.CompletableFuture;
import org.apache.camel.Endpoint;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The blob side of the process, chosen once from the settings: a folder on local disk, or a bucket
 * in object storage. Everything that depends on the choice (the store, where audit records go and
 * are read back, the local lock) is made here, so no other class asks which one it is.
 */
public final class BlobStorage implements AutoCloseable {

    private final CleanerSettings settings;
    /** The AWS SDK takes about half a second to load: it loads while camel-main starts. */
    private final CompletableFuture<S3Client> s3Starting;
    private final BlobStore store;

    public BlobStorage(CleanerSettings settings) {
        this.settings = settings;
        if (settings.objectStorage().isPresent()) {
            S3Location location = settings.objectStorage().get();
            this.s3Starting = CompletableFuture.supplyAsync(() -> S3Clients.client(location, settings.redisTimeout()));
            this.store = new S3BlobStore(this::s3Client, location, settings.blobPrefixes());
        } else {
            this.s3Starting = null;
            this.store = new LocalBlobStore(settings.storageRoot(), settings.blobPrefixes(), settings.auditDirectory());
        }
    }

    public boolean inBucket() {
        return s3Starting != null;
    }

    public BlobStore store() {
        return store;
    }

    /** The S3 client (the blob store's, and camel-aws2-s3's for the audit object); null on local disk. */
    public S3Client s3Client() {
        return s3Starting == null ? null : s3Starting.join();
    }

    public AuditFile auditFile(Clock clock) {
        return inBucket() ? AuditFile.inBucket(settings.objectStorage().get().bucket(), settings.auditKeyPrefix(), clock)
                : new AuditFile(settings.auditDirectory(), clock);
    }

    /**
     * The endpoint of the route's audit-file step: camel-file on the audit folder, given as a path;
     * with a bucket a stand-in that is never used (the route writes the record as an object).
     */
    public Endpoint auditFolderEndpoint() {
        return inBucket() ? AuditFolderEndpoint.none("audit records go to " + settings.auditLocation() + ", not to a folder")
                : new AuditFolderEndpoint(settings.auditDirectory());
    }

    public AuditArchive auditArchive() {
        return inBucket() ? new S3AuditArchive(s3Client(), settings.objectStorage().get().bucket(), settings.auditKeyPrefix())
                : new LocalAuditArchive(settings.storageRoot(), settings.auditDirectory());
    }

    /** Writes audit records without the routes, where the routes would (a startup failure, a broken audit route). */
    public StandaloneAuditWriter standaloneAuditWriter() {
        return inBucket() ? StandaloneAuditWriter.toBucket(this::s3Client, settings.objectStorage().get().bucket(), settings.auditKeyPrefix())
                : StandaloneAuditWriter.toFolder(settings.auditDirectory());
    }

    /** Writes the record of a run that never reached the routes (startup failed) where the routes would. */
    public void writeStandaloneAudit(CleanerRun run) {
        standaloneAuditWriter().write(run);
    }

    /** The storage root's lock; none for a bucket (the Redis lease guards it). */
    public LocalRunLock localLock() {
        return inBucket() ? null : new LocalRunLock(settings.storageRoot());
    }

    @Override
    public void close() {
        if (store instanceof S3BlobStore s3Store) {
            s3Store.close();
        }
        if (s3Starting != null) {
            // a client still starting is closed when it is done
            s3Starting.thenAccept(S3Client::close);
        }
    }
}
