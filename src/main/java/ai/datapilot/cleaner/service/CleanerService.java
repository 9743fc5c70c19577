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
        LOG.info("Service up: schedule {}, {}; JMX {}; health and metrics on port {} (/observe/health, /observe/metrics)",
                settings.schedule(), settings.dryRun() ? "DRY RUN" : "DESTRUCTIVE", CleanerControl.OBJECT_NAME,
                settings.managementPort());
        return service;
    }

    public CleanerApplication application() {
        return app;
    }

    /** Blocks until SIGTERM; returns 0 once the service has stopped cleanly. */
    public int runUntilTerminated() throws InterruptedException {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stop("SIGTERM");
            // the main thread may be parked in await(): end the process with the documented code
            System.out.flush();
            System.err.flush();
            Runtime.getRuntime().halt(0);
        }, "cleaner-sigterm"));
        stopped.await();
        return 0;
    }

    /** Pauses the schedule, stops a running run after its delete in flight, then shuts down. */
    public void stop(String reason) {
        if (stopped.getCount() == 0) {
            return;
        }
        LOG.warn("{}: a running run stops after its delete in flight and writes its audit; no new run starts", reason);
        if (reloader != null) {
            reloader.stop();
        }
        // first the run: stopping the Quartz route would wait for the run it started to finish
        app.runTracker().requestStop(reason);
        try {
            if (!app.runTracker().awaitIdle(Duration.ofSeconds(60))) {
                LOG.error("The running run did not stop within 60 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        control.unregister();
        app.close();
        LOG.info("Service stopped");
        stopped.countDown();
    }
}
