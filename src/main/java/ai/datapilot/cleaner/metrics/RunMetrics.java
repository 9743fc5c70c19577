package ai.datapilot.cleaner.metrics;

import ai.datapilot.cleaner.audit.CleanerRun;
import ai.datapilot.cleaner.audit.ItemOutcome;
import ai.datapilot.cleaner.store.CleanerError;
import ai.datapilot.cleaner.store.SkipReason;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.ExchangeProperty;

/**
 * Counts what runs did into the Prometheus registry of the service ({@code /observe/metrics}).
 * In run-once there is no registry and nothing is recorded: the audit file is the record there.
 */
public final class RunMetrics implements CamelContextAware {

    private CamelContext context;
    private MeterRegistry registry;
    private final AtomicLong lastDurationMillis = new AtomicLong();
    private final AtomicLong lastSuccessEpochSeconds = new AtomicLong();
    private final AtomicLong lastExitCode = new AtomicLong(-1);

    @Override
    public void setCamelContext(CamelContext camelContext) {
        this.context = camelContext;
    }

    @Override
    public CamelContext getCamelContext() {
        return context;
    }

    private synchronized MeterRegistry registry() {
        if (registry == null && context != null) {
            registry = context.getRegistry().findSingleByType(MeterRegistry.class);
            if (registry != null) {
                Gauge.builder("cleaner_last_run_duration_seconds", lastDurationMillis, v -> v.get() / 1000d)
                        .description("Duration of the last run").register(registry);
                Gauge.builder("cleaner_last_success_timestamp_seconds", lastSuccessEpochSeconds, AtomicLong::get)
                        .description("When the last run without errors completed (epoch seconds); alert when older than 48 h")
                        .register(registry);
                Gauge.builder("cleaner_last_run_exit_code", lastExitCode, AtomicLong::get)
                        .description("Exit code the last run would have had as run-once").register(registry);
            }
        }
        return registry;
    }

    public void record(@ExchangeProperty(CleanerRun.PROPERTY) CleanerRun run) {
        MeterRegistry r = registry();
        if (r == null) {
            return;
        }
        for (ItemOutcome item : run.items()) {
            String outcome = item.why() == SkipReason.NOT_ATTEMPTED ? "not_attempted" : item.outcome();
            r.counter("cleaner_items_total", "store", item.store(), "outcome", outcome).increment();
        }
        r.counter("cleaner_deferred_total", "store", "blob").increment(run.deferredBlobs());
        r.counter("cleaner_deferred_total", "store", "redis").increment(run.deferredKeys());
        r.counter("cleaner_scanned_total", "store", "blob").increment(run.blobsScanned());
        r.counter("cleaner_scanned_total", "store", "redis").increment(run.keysScanned());
        run.skipCounts().forEach((why, n) -> r.counter("cleaner_skipped_total", "reason", why.label()).increment(n));
        for (CleanerError error : run.errors()) {
            r.counter("cleaner_errors_total", "type", error.type()).increment();
        }
        r.counter("cleaner_runs_total", "status", run.status()).increment();
        if (run.completedAt() != null) {
            lastDurationMillis.set(Duration.between(run.startedAt(), run.completedAt()).toMillis());
            if (run.errors().isEmpty() && run.exitCode() != CleanerRun.EXIT_LEASE_HELD) {
                lastSuccessEpochSeconds.set(run.completedAt().getEpochSecond());
            }
        }
        lastExitCode.set(run.exitCode());
    }
}
