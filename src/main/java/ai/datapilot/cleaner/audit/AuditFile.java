package ai.datapilot.cleaner.audit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Prepares the audit record for the step that writes it, and takes note of where it went or why it
 * could not be written. On local disk the camel-file endpoint ({@link AuditFolderEndpoint}) writes
 * to a temp name in the audit folder and links it into place without ever replacing a file, so a
 * reader never sees half a record and no run erases another's. In
 * object storage the camel-aws2-s3 endpoint puts it whole under the audit prefix (a PUT is atomic;
 * the name is unique to the run).
 */
public final class AuditFile {

    private static final Logger LOG = LoggerFactory.getLogger(AuditFile.class);

    /** The header camel-aws2-s3 takes the object key from. */
    static final String S3_KEY = "CamelAwsS3Key";
    static final String S3_CONTENT_TYPE = "CamelAwsS3ContentType";
    static final String S3_CONTENT_LENGTH = "CamelAwsS3ContentLength";

    private final Path directory;
    private final String bucket;
    private final String keyPrefix;
    private final Clock clock;

    /** Audit records as files in {@code directory}. */
    public AuditFile(Path directory, Clock clock) {
        this(directory, null, null, clock);
    }

    /** Audit records as objects under {@code keyPrefix} in {@code bucket}. */
    public static AuditFile inBucket(String bucket, String keyPrefix, Clock clock) {
        return new AuditFile(null, bucket, keyPrefix, clock);
    }

    private AuditFile(Path directory, String bucket, String keyPrefix, Clock clock) {
        this.directory = directory;
        this.bucket = bucket;
        this.keyPrefix = keyPrefix;
        this.clock = clock;
    }

    private String where() {
        return bucket != null ? "s3://" + bucket + "/" + keyPrefix : String.valueOf(directory);
    }

    /**
     * Hands the record to the step that writes it as a stream made while it is read: never one
     * string in memory, and no staging copy outside the destination (camel-file writes it under a
     * temp name in the audit folder; a PUT sends it as it is made).
     */
    public void prepare(Exchange exchange, @ExchangeProperty(CleanerRun.PROPERTY) CleanerRun run) throws IOException {
        run.complete(clock.instant());
        String name = AuditRecord.fileName(run);
        exchange.getMessage().setHeader(Exchange.FILE_NAME, name);
        if (bucket != null) {
            exchange.getMessage().setHeader(S3_KEY, keyPrefix + name);
            exchange.getMessage().setHeader(S3_CONTENT_TYPE, "application/json");
            // with the length known camel-aws2-s3 streams the body instead of reading it into memory
            exchange.getMessage().setHeader(S3_CONTENT_LENGTH, AuditRecord.length(run));
        }
        exchange.getMessage().setBody(AuditRecord.stream(run));
    }

    /** A write that failed half-way leaves its temp name behind in the audit folder. */
    private void removePartial(CleanerRun run) {
        if (directory == null) {
            return;
        }
        Path partial = directory.resolve(AuditFolderEndpoint.tempName(AuditRecord.fileName(run)));
        try {
            Files.deleteIfExists(partial);
        } catch (IOException | RuntimeException e) {
            LOG.debug("Partial audit record {} left behind: {}", partial, e.toString());
        }
    }

    public void written(Exchange exchange, @ExchangeProperty(CleanerRun.PROPERTY) CleanerRun run) {
        if (bucket != null) {
            String address = "s3://" + bucket + "/" + keyPrefix + AuditRecord.fileName(run);
            run.auditObject(address);
            LOG.info("Audit record written to {}", address);
            return;
        }
        String produced = exchange.getMessage().getHeader(Exchange.FILE_NAME_PRODUCED, String.class);
        Path file = produced != null ? Path.of(produced).toAbsolutePath() : directory.resolve(AuditRecord.fileName(run));
        run.auditFile(file);
        LOG.info("Audit record written to {}", file);
    }

    public void failed(Exchange exchange, @ExchangeProperty(CleanerRun.PROPERTY) CleanerRun run) {
        removePartial(run);
        Exception e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        String message = "audit record could not be written: " + (e == null ? "unknown error" : e.getMessage());
        LOG.error("{} ({})", message, where());
        run.error(ai.datapilot.cleaner.store.CleanerError.auditWrite(where(), message));
    }
}
