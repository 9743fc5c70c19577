package ai.datapilot.cleaner.service;

import ai.datapilot.cleaner.app.CleanerApplication;
import ai.datapilot.cleaner.audit.AuditRecord;
import ai.datapilot.cleaner.audit.CleanerRun;
import java.lang.management.ManagementFactory;
import java.util.Optional;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.apache.camel.Route;
import org.apache.camel.ServiceStatus;
import org.apache.camel.spi.RouteController;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The JMX face of the service; see {@link CleanerControlMBean}. */
public final class CleanerControl implements CleanerControlMBean {

    public static final String OBJECT_NAME = "ai.datapilot.cleaner:type=CleanerControl,context=" + CleanerApplication.CONTEXT_NAME;

    private static final Logger LOG = LoggerFactory.getLogger(CleanerControl.class);

    private final CleanerApplication app;
    private ObjectName name;

    public CleanerControl(CleanerApplication app) {
        this.app = app;
    }

    public void register() throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        name = new ObjectName(OBJECT_NAME);
        if (server.isRegistered(name)) {
            server.unregisterMBean(name);
        }
        server.registerMBean(this, name);
    }

    public void unregister() {
        try {
            if (name != null) {
                ManagementFactory.getPlatformMBeanServer().unregisterMBean(name);
            }
        } catch (Exception ignored) {
            // already gone
        }
    }

    @Override
    public String runNow() {
        if (app.runTracker().isRunning()) {
            LOG.warn("Run now refused: a run is in progress");
            return "not started: a run is in progress";
        }
        app.runTracker().clearStop();
        LOG.warn("Run now: a run starts at once ({})", app.settings().dryRun() ? "DRY RUN" : "DESTRUCTIVE");
        ScheduleControls.count(app.context(), "run_now");
        app.context().createFluentProducerTemplate().to("direct:run-once").asyncSend();
        return "started";
    }

    @Override
    public String stopRun() {
        if (!app.runTracker().isRunning()) {
            return "no run in progress";
        }
        app.runTracker().requestStop("stopped over JMX");
        app.runTracker().clearStop();
        return "stopping after the delete in flight";
    }

    private RouteController routes() {
        return app.context().getRouteController();
    }

    @Override
    public void suspendSchedule() throws Exception {
        routes().suspendRoute(CleanerApplication.SCHEDULE_ROUTE);
    }

    @Override
    public void resumeSchedule() throws Exception {
        routes().resumeRoute(CleanerApplication.SCHEDULE_ROUTE);
    }

    @Override
    public boolean isScheduleSuspended() {
        Route route = app.context().getRoute(CleanerApplication.SCHEDULE_ROUTE);
        return route == null || routes().getRouteStatus(CleanerApplication.SCHEDULE_ROUTE) != ServiceStatus.Started;
    }

    @Override
    public String getSchedule() {
        return app.settings().schedule().toString();
    }

    @Override
    public boolean isDryRun() {
        return app.settings().dryRun();
    }

    @Override
    public boolean isRunning() {
        return app.runTracker().isRunning();
    }

    private Optional<CleanerRun> last() {
        return app.runTracker().lastRun();
    }

    @Override
    public String getLastRunId() {
        return last().map(CleanerRun::runId).orElse(null);
    }

    @Override
    public String getLastRunStatus() {
        return last().map(CleanerRun::status).orElse("none");
    }

    @Override
    public int getLastRunExitCode() {
        return last().map(CleanerRun::exitCode).orElse(-1);
    }

    @Override
    public String getLastRunStartedAt() {
        return last().map(r -> r.startedAt().toString()).orElse(null);
    }

    @Override
    public String getLastRunCompletedAt() {
        return last().map(r -> r.completedAt() == null ? null : r.completedAt().toString()).orElse(null);
    }

    @Override
    public long getLastRunDeleted() {
        return last().map(r -> (long) r.deletedBlobs() + r.deletedKeys()).orElse(0L);
    }

    @Override
    public long getLastRunDeferred() {
        return last().map(r -> r.deferredBlobs() + r.deferredKeys()).orElse(0L);
    }

    @Override
    public int getLastRunErrors() {
        return last().map(r -> r.errors().size()).orElse(0);
    }

    @Override
    public String getLastAuditFile() {
        return last().map(CleanerRun::auditLocation).orElse(null);
    }

    @Override
    public String getLastRunSummary() {
        return last().map(AuditRecord::summaryLine).orElse(null);
    }
}
