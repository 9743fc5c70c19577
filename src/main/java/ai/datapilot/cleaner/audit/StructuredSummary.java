package ai.datapilot.cleaner.audit;

import java.io.PrintStream;
import org.apache.camel.ExchangeProperty;

/** Prints the run's one {@code STRUCTURED_SUMMARY} line on standard output (logs go to stderr). */
public final class StructuredSummary {

    private final PrintStream out;

    public StructuredSummary(PrintStream out) {
        this.out = out;
    }

    public void print(@ExchangeProperty(CleanerRun.PROPERTY) CleanerRun run) {
        print(out, run);
    }

    public static void print(PrintStream out, CleanerRun run) {
        run.summaryPrinted();
        out.println(AuditRecord.summaryLine(run));
        out.flush();
    }

    /** Prints the line unless the run's route already did (a step before it failed). */
    public void printIfMissing(CleanerRun run) {
        if (!run.isSummaryPrinted()) {
            print(out, run);
        }
    }
}
