package ai.datapilot.cleaner.service;

import ai.datapilot.cleaner.app.CleanerApplication;
import ai.datapilot.cleaner.audit.RunTracker;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.ServiceStatus;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Picks up edits of the routes folder in the running service. Camel's own route reloading
 * (RouteWatcherReloadStrategy) applies each changed file on its own, at once, also under a running
 * cleanup, and has no rollback: a broken file leaves its routes removed. Here an edit is applied as
 * a whole, only between runs (the trigger routes are stopped first, so no run starts during the
 * swap), rolled back to the last routes that worked when it fails to load or start, and a paused
 * schedule stays paused. A bad edit costs a log line, never the nightly cleanup.
 */
public final class RoutesReloader {

    private static final Logger LOG = LoggerFactory.getLogger(RoutesReloader.class);

    private final CamelContext context;
    private final Path directory;
    private final RunTracker tracker;
    private final ScheduleControls schedule;
    private final ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "cleaner-routes-reload");
        t.setDaemon(true);
        return t;
    });
    private Map<String, String> applied;
    private Map<String, String> rejected;
    /** What the last poll read: an edit is applied once it has stayed the same for a whole poll. */
    private Map<String, String> seen;

    /** Routes whose id starts with this start runs (Quartz, run-once): stopped first in a reload. */
    static final String TRIGGER_PREFIX = "trigger-";

    /** A run started while the edit was about to be applied: it is applied after that run. */
    private static final class RunInProgress extends Exception {
        RunInProgress() {
            super("a run is in progress", null, false, false);
        }
    }

    public RoutesReloader(CamelContext context, Path directory, RunTracker tracker, ScheduleControls schedule) throws IOException {
        this.context = context;
        this.schedule = schedule;
        this.directory = directory;
        this.tracker = tracker;
        this.applied = read();
    }

    public void start(Duration every) {
        poller.scheduleWithFixedDelay(this::check, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
        LOG.info("Watching {} for route edits", directory);
    }

    public void stop() {
        poller.shutdownNow();
    }

    private Map<String, String> read() throws IOException {
        Map<String, String> files = new TreeMap<>();
        try (DirectoryStream<Path> yaml = Files.newDirectoryStream(directory, "*.yaml")) {
            for (Path p : yaml) {
                files.put(p.getFileName().toString(), Files.readString(p));
            }
        }
        return files;
    }

    synchronized void check() {
        try {
            Map<String, String> now = read();
            if (now.equals(applied) || now.equals(rejected)) {
                seen = now;
                return;
            }
            // a file being saved can be caught half-written: wait until the folder is quiet
            if (!now.equals(seen)) {
                seen = now;
                return;
            }
            // never swap routes under a running cleanup: checked again on the next poll
            if (tracker.isRunning()) {
                return;
            }
            apply(now);
        } catch (Exception e) {
            LOG.error("Route reload check failed: {}", e.toString());
        }
    }

    private void apply(Map<String, String> edited) throws Exception {
        boolean suspended = isScheduleSuspended();
        try {
            replaceRoutes(edited);
            applied = edited;
            rejected = null;
            LOG.info("Routes reloaded from {}: {}", directory, routeIds());
        } catch (RunInProgress e) {
            LOG.info("A run started: the edit of the routes in {} is applied after it", directory);
            for (Route route : triggers()) {
                context.getRouteController().startRoute(route.getRouteId());
            }
        } catch (Exception e) {
            rejected = edited;
            LOG.error("Rejected the edit of the routes in {}: {}. The previous routes keep running.", directory, rootCause(e));
            try {
                replaceRoutes(applied);
            } catch (Exception again) {
                LOG.error("Could not restore the previous routes: {}", rootCause(again));
            }
        }
        if (suspended && !isScheduleSuspended() && context.getRoute(CleanerApplication.SCHEDULE_ROUTE) != null) {
            schedule.keepSuspended(context);
            LOG.info("The schedule stays paused after the reload");
        }
    }

    private boolean isScheduleSuspended() {
        return context.getRouteController().getRouteStatus(CleanerApplication.SCHEDULE_ROUTE) == ServiceStatus.Suspended;
    }

    private List<Route> triggers() {
        return context.getRoutes().stream().filter(r -> r.getRouteId().startsWith(TRIGGER_PREFIX)).toList();
    }

    private void replaceRoutes(Map<String, String> files) throws Exception {
        List<Resource> resources = new ArrayList<>();
        for (Map.Entry<String, String> f : files.entrySet()) {
            resources.add(ResourceHelper.fromString("file:" + directory.resolve(f.getKey()), f.getValue()));
        }
        List<RoutesBuilder> builders = new ArrayList<>();
        for (Resource r : resources) {
            // parse first: a syntax error must not cost the running routes
            builders.addAll(PluginHelper.getRoutesLoader(context).findRoutesBuilders(r));
        }
        // the triggers first: once they are stopped no run can start; one that has a run in flight
        // does not stop within the wait, and the edit waits for the next poll
        for (Route trigger : triggers()) {
            if (!context.getRouteController().stopRoute(trigger.getRouteId(), 2, TimeUnit.SECONDS, true)) {
                if (tracker.isRunning() || !tracker.hasAbandonedRun()) {
                    throw new RunInProgress();
                }
                // what is in flight is a run already ended while its step hung: it must not block the fix
                LOG.warn("Route {} still has the exchange of a run ended while a step hung: stopped by force", trigger.getRouteId());
                context.getRouteController().stopRoute(trigger.getRouteId(), 1, TimeUnit.SECONDS);
            }
        }
        if (tracker.isRunning()) {
            throw new RunInProgress();
        }
        for (Route route : new ArrayList<>(context.getRoutes())) {
            // no run is in progress: what may still be in flight is a run ended while its step hung
            context.getRouteController().stopRoute(route.getRouteId(), 2, TimeUnit.SECONDS);
            context.removeRoute(route.getRouteId());
        }
        for (RoutesBuilder b : builders) {
            context.addRoutes(b);
        }
        if (context.getRoutes().isEmpty()) {
            throw new IllegalArgumentException("the folder holds no routes");
        }
        requireServiceRoutes();
    }

    /** The routes the service itself calls (run-now, the run, the audit), each on its own endpoint. */
    static final Map<String, String> REQUIRED = Map.of(
            "trigger-run-once", "direct://run-once",
            "cleanup-run", "direct://cleanup-run",
            "write-audit", "direct://write-audit");

    private void requireServiceRoutes() {
        List<String> missing = new ArrayList<>();
        REQUIRED.forEach((id, uri) -> {
            Route route = context.getRoute(id);
            if (route == null || !uri.equals(route.getEndpoint().getEndpointUri())) {
                missing.add("route " + id + " from " + uri.replace("://", ":"));
            }
        });
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("the service needs " + String.join(", ", missing.stream().sorted().toList())
                    + " (route ids and endpoints are what run-now, the schedule and the audit call)");
        }
    }

    private List<String> routeIds() {
        return context.getRoutes().stream().map(Route::getRouteId).sorted().toList();
    }

    private static String rootCause(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t == e ? e.toString() : e.getMessage() + " (" + t + ")";
    }
}
