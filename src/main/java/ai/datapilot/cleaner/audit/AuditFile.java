package ai.datapilot.cleaner.audit;

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

    private final Path directory;
    private final Clock clock;

    public AuditFile(Path directory, Clock clock) {
        this.directory = directory;
        this.clock = clock;
    }

    public void prepare(Exchange exchange, @ExchangeProperty(CleanerRun.PROPERTY) CleanerRun run) {
        run.complete(clock.instant());
        exchange.getMessage().setHeader(Exchange.FILE_NAME, AuditRecord.fileName(run));
        exchange.getMessage().setBody(AuditRecord.toJson(run));
    }

    public void written(Exchange exchange, @ExchangeProperty(CleanerRun.PROPERTY) CleanerRun run) {
        String produced = exchange.getMessage().getHeader(Exchange.FILE_NAME_PRODUCED, String.class);
        Path file = produced != null ? Path.of(produced).toAbsolutePath() : directory.resolve(AuditRecord.fileName(run));
        run.auditFile(file);
        LOG.info("Audit record written to {}", file);
    }

    public void failed(Exchange exchange, @ExchangeProperty(CleanerRun.PROPERTY) CleanerRun run) {
        Exception e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        String message = "audit record could not be written: " + (e == null ? "unknown error" : e.getMessage());
        LOG.error("{} (folder {})", message, directory);
        run.error(ai.datapilot.cleaner.store.CleanerError.auditWrite(directory.toString(), message));
    }
}
