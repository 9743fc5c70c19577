package ai.datapilot.cleaner.app;

import ai.datapilot.cleaner.audit.AuditRecord;

import ai.datapilot.cleaner.audit.CleanerRun;
import ai.datapilot.cleaner.audit.RunTracker;
import ai.datapilot.cleaner.health.AuditArchive;
import ai.datapilot.cleaner.metrics.HelpTexts;
import ai.datapilot.cleaner.health.CleanerHealth;
import ai.datapilot.cleaner.settings.CleanerSettings;
import ai.datapilot.cleaner.store.CleanerError;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.main.Main;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cleaner as a camel-main application: the YAML routes, the beans of
 * {@link CleanerConfiguration}, and the route properties from the validated settings. Two modes:
 * one run and out, or the long-running service with its schedule, JMX, health and metrics.
 */
public final class CleanerApplication implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CleanerApplication.class);
    public static final String CONTEXT_NAME = "datapilot-cleaner";
    public static final String SCHEDULE_ROUTE = "trigger-schedule";

    public enum Mode { RUN_ONCE, SERVICE }

    private final Main main;
    private final CleanerConfiguration configuration;
    private final CleanerSettings settings;
    private final RoutesLocation routes;

    private CleanerApplication(Main main, CleanerConfiguration configuration, CleanerSettings settings, RoutesLocation routes) {
        this.main = main;
        this.configuration = configuration;
        this.settings = settings;
        this.routes = routes;
    }

    public RoutesLocation routes() {
        return routes;
    }

    public static CleanerApplication start(CleanerSettings settings, PrintStream out, Clock clock) throws Exception {
        return start(settings, out, clock, Mode.RUN_ONCE);
    }

    public static CleanerApplication start(CleanerSettings settings, PrintStream out, Clock clock, Mode mode) throws Exception {
        return start(settings, out, clock, mode, Map.of());
    }

    /** @param beans more beans for the registry (the service's own: route policies) */
    public static CleanerApplication start(CleanerSettings settings, PrintStream out, Clock clock, Mode mode,
            Map<String, Object> beans) throws Exception {
        RoutesLocation routes = RoutesLocation.choose(settings.routesDirectory(), Path.of(""));
        LOG.info("Routes loaded from {}", routes.description());
        CleanerConfiguration configuration = new CleanerConfiguration(settings, out, clock, mode == Mode.SERVICE);
        Main main = new Main();
        main.configure().addConfiguration(configuration);
        main.configure().withName(CONTEXT_NAME);
        main.configure().withRoutesIncludePattern(routes.includePattern());
        beans.forEach(main::bind);
        settings.routeProperties().forEach(main::addOverrideProperty);
        if (mode == Mode.SERVICE) {
            main.bind(HelpTexts.CAMEL_REGISTRY_NAME, configuration.serviceMetrics());
        }
        modeProperties(settings, routes, mode).forEach(main::addOverrideProperty);
        try {
            main.start();
        } catch (Exception | Error e) {
            configuration.close();
            try {
                main.stop();
            } catch (Exception ignored) {
                // the start failure is what the operator needs to see
            }
            throw e;
        }
        CamelContext context = main.getCamelContext();
        LOG.info("Camel {} context '{}' started with routes {}", context.getVersion(), context.getName(),
                context.getRoutes().stream().map(org.apache.camel.Route::getRouteId).sorted().toList());
        return new CleanerApplication(main, configuration, settings, routes);
    }

    /**
     * run-once opens no port and starts no scheduler (a second copy must not fail on a busy port);
     * the service turns on JMX, the management HTTP server and metrics.
     */
    static Map<String, String> modeProperties(CleanerSettings settings, RoutesLocation routes, Mode mode) {
        Map<String, String> p = new LinkedHashMap<>();
        // no collector is configured by default; see README to turn tracing on
        p.put("camel.opentelemetry2.enabled", "false");
        if (!settings.blobsInObjectStorage()) {
            // Camel caches a stream body in memory before a step reads it (stream caching, on by
            // default, not spooled): the audit record, tens of MB for a large plan, would be held
            // whole. camel-file reads it once, as it is made. (A bucket's PUT keeps Camel's
            // default: a cached body is one the AWS SDK can read again for a retry.)
            p.put("camel.main.streamCachingDenyClasses", AuditRecord.STREAM_CLASS);
        }
        if (mode == Mode.RUN_ONCE) {
            p.put("camel.main.routeFilterExcludePattern", SCHEDULE_ROUTE);
            p.put("camel.main.jmxEnabled", "false");
            p.put("camel.management.enabled", "false");
            p.put("camel.metrics.enabled", "false");
            return p;
        }
        p.put("camel.main.jmxEnabled", "true");
        p.put("camel.component.quartz.propertiesFile", "cleaner-quartz.properties");
        p.put("camel.management.enabled", "true");
        p.put("camel.management.port", Integer.toString(settings.managementPort()));
        p.put("camel.management.healthCheckEnabled", "true");
        p.put("camel.management.healthPath", "/observe/health");
        p.put("camel.management.metricsEnabled", "true");
        p.put("camel.metrics.enabled", "true");
        p.put("camel.metrics.path", "/observe/metrics");
        // the JVM and process series (heap, GC, threads, CPU, start time, open files), off in Camel by default
        p.put("camel.metrics.binders", "jvm-memory,jvm-gc,jvm-thread,class-loader,jvm-info,processor,uptime,file-descriptor");
        p.put("camel.health.exposure-level", "full");
        return p;
    }

    public CamelContext context() {
        return main.getCamelContext();
    }

    public CleanerSettings settings() {
        return settings;
    }

    /** Asks the run in progress (or the next one) to stop after its delete in flight. */
    public RunTracker runTracker() {
        return configuration.runTracker();
    }

    public CleanerHealth health() {
        return configuration.health();
    }

    /** The audit records written so far (a folder or a bucket prefix). */
    public AuditArchive auditArchive() {
        return configuration.auditArchive();
    }

    /** Output printed after each run, just before its summary line (run-once --list). */
    public void printBeforeSummary(java.util.function.Consumer<CleanerRun> output) {
        configuration.structuredSummary().printBefore(output);
    }

    /** Runs one cleanup through the routes and returns its record. */
    public CleanerRun runOnce() {
        ProducerTemplate template = context().createProducerTemplate();
        try {
            Exchange done = template.request("direct:run-once", exchange -> { });
            CleanerRun run = done.getProperty(CleanerRun.PROPERTY, CleanerRun.class);
            if (done.getException() != null) {
                // the run route ends its run whatever its steps throw; this is a failure around it
                LOG.error("Run failed unexpectedly", done.getException());
                if (run == null) {
                    throw new IllegalStateException("run failed before it started", done.getException());
                }
                if (run.auditLocation() == null) {
                    run.error(CleanerError.cleanup(String.valueOf(done.getException())));
                    configuration.auditFallback().writeIfMissing(run);
                }
            }
            // the summary line is what cron logs and the platform read: it is printed whatever failed
            if (run != null) {
                configuration.structuredSummary().printIfMissing(run);
            }
            return run;
        } finally {
            try {
                template.stop();
            } catch (Exception ignored) {
                // nothing to release that matters
            }
        }
    }

    @Override
    public void close() {
        try {
            main.stop();
            // camel-main's graceful shutdown gave up on a run whose step hangs: it ends here, with its audit
            configuration.runEndGuard().endHungRun("the service stopped while a route step of the run still hung"
                    + " (longer than camel.main.shutdown-timeout)");
        } finally {
            configuration.close();
        }
    }
}
