package ai.datapilot.cleaner.cli;

import ai.datapilot.cleaner.app.BlobStorage;
import ai.datapilot.cleaner.app.CleanerApplication;
import ai.datapilot.cleaner.audit.CleanerRun;
import ai.datapilot.cleaner.audit.StandaloneAuditWriter;
import ai.datapilot.cleaner.audit.StructuredSummary;
import ai.datapilot.cleaner.health.AuditArchive;
import ai.datapilot.cleaner.metrics.MetricsPush;
import ai.datapilot.cleaner.settings.CleanerSettings;
import ai.datapilot.cleaner.settings.Refusal;
import ai.datapilot.cleaner.settings.SettingsFallback;
import ai.datapilot.cleaner.settings.SettingsParser;
import ai.datapilot.cleaner.settings.SettingsRefusedException;
import ai.datapilot.cleaner.store.CleanerError;
import java.io.PrintStream;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code run-once}: exactly one cleanup, then exit with 0 (clean), 1 (errors) or 2 (settings refused). */
public final class RunOnce {

    private static final Logger LOG = LoggerFactory.getLogger(RunOnce.class);

    private RunOnce() {
    }

    public static int execute(Map<String, String> env, PrintStream out, Clock clock) {
        return execute(env, out, clock, false);
    }

    /** @param list {@code --list}: the run's items in human form on {@code out}, before the summary line */
    public static int execute(Map<String, String> env, PrintStream out, Clock clock, boolean list) {
        CleanerSettings settings;
        try {
            settings = SettingsParser.parse(env);
        } catch (SettingsRefusedException refused) {
            return refuse(refused, out, clock);
        }
        Logging.apply(settings.logLevel(), settings.logFormat());
        CleanerRun run;
        try (CleanerApplication app = CleanerApplication.start(settings, out, clock)) {
            if (list) {
                app.printBeforeSummary(done -> RunListing.print(out, done));
            }
            sun.misc.SignalHandler before = sun.misc.Signal.handle(SIGTERM, stopOnSigterm(app));
            try {
                run = app.runOnce();
                if (run != null && settings.pushgateway().isPresent()) {
                    pushMetrics(settings, run, app.auditArchive(), OptionalInt.of(app.health().report().exitCode()));
                }
            } finally {
                sun.misc.Signal.handle(SIGTERM, before);
            }
        } catch (Exception e) {
            LOG.error("The cleaner could not run: {}", e.toString(), e);
            run = new CleanerRun(clock.instant(), settings.ttlHours(), settings.dryRun(), settings.maxDeleteBatch(), null, null);
            run.error(CleanerError.cleanup("could not run: " + e));
            run.complete(clock.instant());
            try (BlobStorage blobs = new BlobStorage(settings)) {
                blobs.writeStandaloneAudit(run);
            } catch (RuntimeException auditFailure) {
                LOG.error("Audit record not written to {}: {}", settings.auditLocation(), auditFailure.toString());
            }
            StructuredSummary.print(out, run);
            if (settings.pushgateway().isPresent()) {
                try (BlobStorage blobs = new BlobStorage(settings)) {
                    pushMetrics(settings, run, blobs.auditArchive(), OptionalInt.empty());
                } catch (RuntimeException noArchive) {
                    pushMetrics(settings, run, null, OptionalInt.empty());
                }
            }
        }
        return run.exitCode();
    }

    private static final sun.misc.Signal SIGTERM = new sun.misc.Signal("TERM");

    /**
     * With CLEANER_PUSHGATEWAY_URL, after the summary line: the run's series to the Pushgateway. A
     * failed push is a WARN and leaves the exit code alone (see docs/operations.md, "Pushgateway").
     */
    private static void pushMetrics(CleanerSettings settings, CleanerRun run, AuditArchive archive, OptionalInt health) {
        settings.pushgateway().ifPresent(target -> MetricsPush.push(target, run, archive, health));
    }

    /**
     * SIGTERM (Kubernetes, systemd, the platform's timeout) stops the run cleanly: no new deletes,
     * the one in flight finishes, the audit and summary are written, and the process exits with
     * the run's code (4 when it was cut short). Handled as a signal, not in a shutdown hook, so
     * the run ends on its own thread and the context shuts down the usual way.
     */
    private static sun.misc.SignalHandler stopOnSigterm(CleanerApplication app) {
        return signal -> {
            LOG.warn("SIGTERM: stopping after the delete in flight; the audit will be written");
            app.runTracker().requestStop("SIGTERM");
        };
    }

    private static int refuse(SettingsRefusedException refused, PrintStream out, Clock clock) {
        Logging.apply("INFO", refused.fallback().logFormat());
        for (Refusal r : refused.refusals()) {
            LOG.error("CONFIG_REFUSED {}", r.message());
        }
        LOG.error("Nothing was scanned or deleted: fix the setting(s) above and run again");
        SettingsFallback fallback = refused.fallback();
        List<CleanerError> errors = refused.refusals().stream()
                .map(r -> CleanerError.config(r.variable(), r.message()))
                .toList();
        CleanerRun run = CleanerRun.refused(clock.instant(), fallback.ttlHours(), fallback.dryRun(), fallback.maxDeleteBatch(), errors);
        fallback.auditDirectory().ifPresent(dir -> StandaloneAuditWriter.write(run, dir));
        StructuredSummary.print(out, run);
        return run.exitCode();
    }
}
