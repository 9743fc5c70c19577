package ai.datapilot.cleaner.audit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.function.Supplier;
import org.apache.camel.ExchangeProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

/**
 * Writes an audit record without the routes, in plain code (no Camel context of its own): for a
 * run that never reached the routes (settings refused, startup failed), and as the last resort of
 * a run whose audit route itself broke. The record lands where the route puts it, the same way: a
 * file synced under a temp name in the audit folder, then linked to its name, never replacing
 * one; or one object under the audit prefix of the bucket.
 */
public final class StandaloneAuditWriter {

    private static final Logger LOG = LoggerFactory.getLogger(StandaloneAuditWriter.class);

    private final Path directory;
    private final Supplier<S3Client> s3;
    private final String bucket;
    private final String keyPrefix;

    private StandaloneAuditWriter(Path directory, Supplier<S3Client> s3, String bucket, String keyPrefix) {
        this.directory = directory;
        this.s3 = s3;
        this.bucket = bucket;
        this.keyPrefix = keyPrefix;
    }

    public static StandaloneAuditWriter toFolder(Path directory) {
        return new StandaloneAuditWriter(directory, null, null, null);
    }

    public static StandaloneAuditWriter toBucket(Supplier<S3Client> s3, String bucket, String keyPrefix) {
        return new StandaloneAuditWriter(null, s3, bucket, keyPrefix);
    }

    /** The route's last resort: writes the record unless the audit route already did. */
    public void writeIfMissing(@ExchangeProperty(CleanerRun.PROPERTY) CleanerRun run) {
        if (run != null && run.auditLocation() == null) {
            run.complete(Instant.now());
            write(run);
        }
    }

    public void write(CleanerRun run) {
        if (directory != null) {
            write(run, directory);
        } else {
            writeToBucket(run, s3.get(), bucket, keyPrefix);
        }
    }

    public static void write(CleanerRun run, Path directory) {
        String name = AuditRecord.fileName(run);
        Path temp = directory.resolve(AuditFolderEndpoint.tempName(name));
        try {
            Files.createDirectories(directory);
            try (InputStream in = AuditRecord.stream(run);
                    OutputStream out = Files.newOutputStream(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                in.transferTo(out);
            }
            AuditFolderEndpoint.NoReplaceOperations.publish(temp, directory.resolve(name));
            run.auditFile(directory.resolve(name));
            LOG.info("Audit record written to {}", run.auditFile());
        } catch (Exception e) {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException ignored) {
                // the error below is what matters
            }
            LOG.error("Audit record could not be written to {}: {}", directory, e.toString());
        }
    }

    /** The same, as an object under {@code keyPrefix} of the bucket. */
    public static void writeToBucket(CleanerRun run, S3Client s3, String bucket, String keyPrefix) {
        String key = keyPrefix + AuditRecord.fileName(run);
        try {
            s3.putObject(PutObjectRequest.builder().bucket(bucket).key(key).contentType("application/json").build(),
                    RequestBody.fromString(AuditRecord.toJson(run), StandardCharsets.UTF_8));
            run.auditObject("s3://" + bucket + "/" + key);
            LOG.info("Audit record written to {}", run.auditLocation());
        } catch (Exception e) {
            LOG.error("Audit record could not be written to s3://{}/{}: {}", bucket, keyPrefix, e.toString());
        }
    }
}
