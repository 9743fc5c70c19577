package ai.datapilot.cleaner.service;

import ai.datapilot.cleaner.app.CleanerApplication;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import ai.datapilot.cleaner.settings.CleanerSettings;

/**
 * {@code daemon}: the long-running service. Quartz fires the same run route as run-once on
 * CLEANER_CRON_SCHEDULE (UTC, never overlapping itself); JMX, /observe/health and /observe/metrics
 * are on. SIGTERM pauses the schedule, lets a running run finish its delete in flight and write its
 * audit, then exits 0.
 */
public final class CleanerService {

    private static final Logger LOG = LoggerFactory.getLogger(CleanerService.class);

    private final CleanerApplication app;
    private final CleanerControl control;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private RoutesReloader reloader;
    private boolean stopping;

    private CleanerService(CleanerApplication app) {
        this.app = app;
        this.control = new CleanerControl(app);
    }

    public static CleanerService start(CleanerSettings settings, PrintStream out, Clock clock) throws Exception {
        ScheduleControls schedule = new ScheduleControls();
        CleanerApplication app = CleanerApplication.start(settings, out, clock, CleanerApplication.Mode.SERVICE,
                Map.of("scheduleControls", schedule));
        CleanerService service = new CleanerService(app);
        service.control.register();
        if (settings.routesReload()) {
            if (app.routes().directory().isPresent()) {
                service.reloader = new RoutesReloader(app.context(), app.routes().directory().get(), app.runTracker(), schedule);
                service.reloader.start(Duration.ofSeconds(2));
            } else {
                LOG.warn("CLEANER_ROUTES_RELOAD is on, but the routes come from the jar: there is no folder to watch");
            }
        }
        settings.pushgateway().ifPresent(url -> LOG.warn("CLEANER_PUSHGATEWAY_URL ({}) is for run-once: the service pushes nothing, "
                + "Prometheus scrapes it on /observe/metrics", url));
        LOG.info("Service up: schedule {}, {}; JMX {}; health and metrics on port {} (/observe/health, /observe/metrics)",
                settings.schedule(), settings.dryRun() ? "DRY RUN" : "DESTRUCTIVE", CleanerControl.OBJECT_NAME,
                settings.managementPort());
        return service;
    }

    public CleanerApplication application() {
        return app;
    }

    /**
     * Blocks until SIGTERM (or SIGINT); returns 0 once the service has stopped cleanly. The signal
     * is handled here, not by a shutdown hook: a JVM ended by a signal exits 143 whatever its hooks
     * did, and the documented code of a clean stop is 0.
     */
    public int runUntilTerminated() throws InterruptedException {
        for (String name : new String[] {"TERM", "INT"}) {
            sun.misc.Signal.handle(new sun.misc.Signal(name),
                    signal -> new Thread(() -> stop("SIG" + name), "cleaner-sig" + name.toLowerCase()).start());
        }
        stopped.await();
        return 0;
    }

    /**
     * Stops a running run after its delete in flight, then shuts the context down with camel-main's
     * graceful shutdown: consumers first (no new run starts), then it waits for the run in flight
     * to write its audit, up to camel.main.shutdown-timeout.
     */
    public void stop(String reason) {
        synchronized (this) {
            if (stopping) {
                return;
            }
            stopping = true;
        }
        LOG.warn("{}: a running run stops after its delete in flight and writes its audit; no new run starts", reason);
        if (reloader != null) {
            reloader.stop();
        }
        app.runTracker().requestStop(reason);
        control.unregister();
        app.close();
        if (app.runTracker().isRunning()) {
            LOG.error("The running run did not end within camel.main.shutdown-timeout ({} s)",
                    app.context().getShutdownStrategy().getTimeout());
        }
        LOG.info("Service stopped");
        stopped.countDown();
    }
}
