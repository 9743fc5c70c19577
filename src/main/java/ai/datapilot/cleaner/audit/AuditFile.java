package ai.datapilot.cleaner.audit;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Prepares the audit file for the camel-file step that writes it, and takes note of where it went
 * or why it could not be written. The file endpoint writes to a temp name and renames, and refuses
 * to overwrite, so a reader never sees half a record and no run erases another's.
 */
public final class AuditFile {

    private static final Logger LOG = LoggerFactory.getLogger(AuditFile.class);
    private static final String STAGING = "cleanerAuditStaging";

    private final Path directory;
    private final Clock clock;

    public AuditFile(Path directory, Clock clock) {
        this.directory = directory;
        this.clock = clock;
    }

    /**
     * Streams the record to a staging file that the camel-file step then copies into place, so a
     * record of hundreds of thousands of items is never one string in memory.
     */
    public void prepare(Exchange exchange, @ExchangeProperty(CleanerRun.PROPERTY) CleanerRun run) throws IOException {
        run.complete(clock.instant());
        exchange.getMessage().setHeader(Exchange.FILE_NAME, AuditRecord.fileName(run));
        Path staging = Files.createTempFile("datapilot-cleaner-audit-", ".json");
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(staging))) {
            AuditRecord.write(run, out);
        }
        exchange.setProperty(STAGING, staging);
        exchange.getMessage().setBody(staging.toFile());
    }

    private static void removeStaging(Exchange exchange) {
        Path staging = exchange.getProperty(STAGING, Path.class);
        if (staging != null) {
            try {
                Files.deleteIfExists(staging);
            } catch (IOException e) {
                LOG.debug("Staging file {} left behind: {}", staging, e.toString());
            }
        }
    }

    public void written(Exchange exchange, @ExchangeProperty(CleanerRun.PROPERTY) CleanerRun run) {
        removeStaging(exchange);
        String produced = exchange.getMessage().getHeader(Exchange.FILE_NAME_PRODUCED, String.class);
        Path file = produced != null ? Path.of(produced).toAbsolutePath() : directory.resolve(AuditRecord.fileName(run));
        run.auditFile(file);
        LOG.info("Audit record written to {}", file);
    }

    public void failed(Exchange exchange, @ExchangeProperty(CleanerRun.PROPERTY) CleanerRun run) {
        removeStaging(exchange);
        Exception e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        String message = "audit record could not be written: " + (e == null ? "unknown error" : e.getMessage());
        LOG.error("{} (folder {})", message, directory);
        run.error(ai.datapilot.cleaner.store.CleanerError.auditWrite(directory.toString(), message));
    }
}
