package ai.datapilot.cleaner.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintStream;
import java.util.function.Consumer;
import net.logstash.logback.marker.Markers;
import org.apache.camel.ExchangeProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Prints the run's one {@code STRUCTURED_SUMMARY} line on standard output (logs go to stderr), the
 * same in both log formats, and logs the run's end: with CLEANER_LOG_FORMAT=json that log line
 * carries the same summary as its {@code summary} field.
 */
public final class StructuredSummary {

    private static final Logger LOG = LoggerFactory.getLogger(StructuredSummary.class);
    private static final String PREFIX = "STRUCTURED_SUMMARY: ";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final PrintStream out;
    private volatile Consumer<CleanerRun> before = run -> { };

    public StructuredSummary(PrintStream out) {
        this.out = out;
    }

    /**
     * Output of the command to print before the summary line ({@code run-once --list}), so that the
     * summary stays the last line of stdout. Whatever it throws, the summary line is printed.
     */
    public void printBefore(Consumer<CleanerRun> output) {
        this.before = output;
    }

    public void print(@ExchangeProperty(CleanerRun.PROPERTY) CleanerRun run) {
        if (!run.isSummaryPrinted()) {
            try {
                before.accept(run);
            } catch (RuntimeException e) {
                LOG.warn("Output before the summary line not complete: {}", e.toString());
            }
        }
        print(out, run);
    }

    public static void print(PrintStream out, CleanerRun run) {
        run.summaryPrinted();
        String line = AuditRecord.summaryLine(run);
        out.println(line);
        out.flush();
        logEnd(run, line);
    }

    private static void logEnd(CleanerRun run, String line) {
        String message = "Run {} ended: {}, exit code {}, {} error(s)";
        try {
            LOG.info(Markers.append("summary", JSON.readTree(line.substring(PREFIX.length()))), message,
                    run.runId(), run.status(), run.exitCode(), run.errors().size());
        } catch (JsonProcessingException | RuntimeException e) {
            // the summary line is already out: the log line goes without its copy
            LOG.info(message, run.runId(), run.status(), run.exitCode(), run.errors().size());
        }
    }

    /** Prints the line unless the run's route already did (a step before it failed). */
    public void printIfMissing(CleanerRun run) {
        if (!run.isSummaryPrinted()) {
            print(run);
        }
    }
}
