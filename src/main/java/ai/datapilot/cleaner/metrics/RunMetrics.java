package ai.datapilot.cleaner.metrics;

import ai.datapilot.cleaner.audit.CleanerRun;
import ai.datapilot.cleaner.audit.ItemOutcome;
import ai.datapilot.cleaner.store.CleanerError;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToDoubleFunction;
import org.apache.camel.ExchangeProperty;

/**
 * What runs did, as Prometheus series: scraped from the service's {@code /observe/metrics}, or
 * pushed by {@code run-once} to a Pushgateway. Every series is registered with its HELP text when
 * the registry is bound, before any run: counters at 0, the last run and the last success as read
 * from the newest audit records ({@link LastRuns}), so alerts work right after a restart.
 * Until {@link #bindTo} is called (run-once without a Pushgateway) nothing is recorded.
 */
public final class RunMetrics {

    static final List<String> STORES = List.of("blob", "redis");
    static final List<String> OUTCOMES = List.of(ItemOutcome.DELETED, ItemOutcome.WOULD_DELETE, ItemOutcome.FAILED,
            ItemOutcome.SKIPPED, "not_attempted");
    static final List<String> STATUSES = List.of("completed", "interrupted", "failed", "lease_unavailable", "refused");
    static final List<String> ERROR_TYPES = List.of("blob_scan_failed", "blob_deletion_failed", "redis_scan_failed",
            "redis_deletion_failed", "cleanup_failed", "config_invalid", "lease_failed", "audit_write_failed");
    static final List<String> DRY_RUN = List.of("true", "false");
    static final List<String> CONTROL_ACTIONS = List.of("suspend", "resume", "run_now");
    /** Run durations worth telling apart: a few seconds (nothing to do) up to the 10-minute default budget and past it. */
    static final Duration[] DURATION_BUCKETS = {Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(15),
        Duration.ofSeconds(30), Duration.ofMinutes(1), Duration.ofMinutes(2), Duration.ofMinutes(5), Duration.ofMinutes(10),
        Duration.ofMinutes(20), Duration.ofHours(1)};

    /** The counters and their HELP text. */
    static final Map<String, String> COUNTERS = Map.of(
            "cleaner_items_total", "Items chosen for deletion, by store and outcome (would_delete: dry run)",
            "cleaner_scanned_total", "Items scanned, by store",
            "cleaner_deferred_total", "Expired items left for the next run (beyond the cap, or after a stop), by store",
            "cleaner_skipped_total", "Items kept at the scan or the re-check, by reason",
            "cleaner_errors_total", "Errors of runs, by audit error type",
            "cleaner_runs_total", "Runs, by status and whether they were dry runs",
            "cleaner_control_actions_total", "Operator controls of the service's schedule: suspend, resume, run_now");

    private MeterRegistry registry;
    private final Map<String, Counter> counters = new LinkedHashMap<>();
    private final Map<String, Timer> durations = new LinkedHashMap<>();
    private final AtomicLong lastDurationMillis = new AtomicLong(-1);
    private final AtomicLong lastSuccessEpochSeconds = new AtomicLong();
    private final AtomicLong lastCompletedEpochSeconds = new AtomicLong();
    private final AtomicLong lastExitCode = new AtomicLong(-1);
    private final AtomicLong lastErrors = new AtomicLong();
    private final AtomicLong lastDryRun = new AtomicLong(-1);

    /** The facts of one run that the series show: every read of the run object is in {@link #of}. */
    record Facts(String status, boolean dryRun, int exitCode, Instant startedAt, Instant completedAt, List<String> errorTypes,
            List<String[]> itemStoreOutcome, Map<String, Long> scanned, Map<String, Long> deferred, List<String> skipReasons) {

        static Facts of(CleanerRun run) {
            List<String[]> items = new ArrayList<>();
            for (ItemOutcome item : run.items()) {
                String outcome = item.reason() != null && item.reason().startsWith("not attempted") ? "not_attempted" : item.outcome();
                items.add(new String[] {item.store(), outcome});
            }
            List<String> skipReasons = new ArrayList<>();
            for (String skipped : run.skipped()) {
                skipReasons.add(SkipReasons.category(skipped));
            }
            return new Facts(run.status(), run.dryRun(), run.exitCode(), run.startedAt(), run.completedAt(),
                    run.errors().stream().map(CleanerError::type).toList(), items,
                    Map.of("blob", run.blobsScanned(), "redis", run.keysScanned()),
                    Map.of("blob", run.deferredBlobs(), "redis", run.deferredKeys()), skipReasons);
        }

        /** A run without errors that was not turned away by the lease: it did its work (interrupted ones too, up to their stop). */
        boolean success() {
            return errorTypes.isEmpty() && exitCode != CleanerRun.EXIT_LEASE_HELD && completedAt != null;
        }
    }

    /**
     * Registers every series in {@code registry}, the last-run gauges set from {@code restored}
     * (the newest audit records). Called once, when the registry exists.
     */
    public synchronized void bindTo(MeterRegistry registry, LastRuns restored) {
        if (this.registry != null) {
            return;
        }
        this.registry = registry;
        restored.lastSuccess().ifPresent(t -> lastSuccessEpochSeconds.set(t.getEpochSecond()));
        restored.lastRun().ifPresent(last -> {
            lastExitCode.set(last.exitCode());
            lastErrors.set(last.errors());
            lastDryRun.set(last.dryRun() ? 1 : 0);
            last.completedAt().ifPresent(t -> lastCompletedEpochSeconds.set(t.getEpochSecond()));
            last.durationMillis().ifPresent(lastDurationMillis::set);
        });
        gauge("cleaner_last_success_timestamp_seconds", lastSuccessEpochSeconds, AtomicLong::get,
                "When the last run without errors completed (epoch seconds; 0 = none in the audit records); alert when older than 48 h");
        gauge("cleaner_last_run_timestamp_seconds", lastCompletedEpochSeconds, AtomicLong::get,
                "When the last run completed, whatever its outcome (epoch seconds; 0 = none in the audit records)");
        gauge("cleaner_last_run_exit_code", lastExitCode, AtomicLong::get,
                "Exit code of the last run as run-once gives it: 0 ok, 1 errors, 2 settings refused, 4 stopped early, 75 lease held; -1 = no run in the audit records");
        gauge("cleaner_last_run_errors", lastErrors, AtomicLong::get, "Number of errors of the last run (its audit's errors)");
        gauge("cleaner_last_run_dry_run", lastDryRun, AtomicLong::get, "1 when the last run was a dry run (deleted nothing), 0 when it deleted; -1 = no run");
        gauge("cleaner_last_run_duration_seconds", lastDurationMillis, v -> v.get() < 0 ? Double.NaN : v.get() / 1000d,
                "Duration of the last run in seconds (NaN = unknown)");
        for (String store : STORES) {
            for (String outcome : OUTCOMES) {
                counter("cleaner_items_total", "store", store, "outcome", outcome);
            }
            counter("cleaner_scanned_total", "store", store);
            counter("cleaner_deferred_total", "store", store);
        }
        for (String reason : SkipReasons.CATEGORIES) {
            counter("cleaner_skipped_total", "reason", reason);
        }
        for (String type : ERROR_TYPES) {
            counter("cleaner_errors_total", "type", type);
        }
        for (String action : CONTROL_ACTIONS) {
            counter("cleaner_control_actions_total", "action", action);
        }
        for (String dry : DRY_RUN) {
            for (String status : STATUSES) {
                counter("cleaner_runs_total", "status", status, "dry_run", dry);
            }
            durations.put(dry, Timer.builder("cleaner_run_duration")
                    .description("Duration of runs, from the start to the audit record")
                    .tag("dry_run", dry)
                    .serviceLevelObjectives(DURATION_BUCKETS)
                    .register(registry));
        }
    }

    /** The bound registry, or null before {@link #bindTo}. */
    synchronized MeterRegistry registry() {
        return registry;
    }

    private void gauge(String name, AtomicLong value, ToDoubleFunction<AtomicLong> read, String help) {
        Gauge.builder(name, value, read).description(help).register(registry);
    }

    private void counter(String name, String... tags) {
        count(name, 0, tags);
    }

    /** A label value not in the lists above (a new error type, say) still counts: it gets its series at its first use. */
    private void count(String name, double amount, String... tags) {
        counters.computeIfAbsent(key(name, tags), k -> Counter.builder(name).description(COUNTERS.get(name)).tags(tags).register(registry))
                .increment(amount);
    }

    private static String key(String name, String... tags) {
        return name + "\u0000" + String.join("\u0000", tags);
    }

    /** An operator's control of the service: {@code suspend}, {@code resume} or {@code run_now}. */
    public synchronized void control(String action) {
        if (registry != null) {
            count("cleaner_control_actions_total", 1, "action", action);
        }
    }

    /** The route's {@code record-metrics} step, after the audit record and the summary line. */
    public void record(@ExchangeProperty(CleanerRun.PROPERTY) CleanerRun run) {
        if (run != null) {
            record(Facts.of(run));
        }
    }

    synchronized void record(Facts run) {
        if (registry == null) {
            return;
        }
        for (String[] item : run.itemStoreOutcome()) {
            count("cleaner_items_total", 1, "store", item[0], "outcome", item[1]);
        }
        for (String store : STORES) {
            count("cleaner_scanned_total", run.scanned().get(store), "store", store);
            count("cleaner_deferred_total", run.deferred().get(store), "store", store);
        }
        for (String reason : run.skipReasons()) {
            count("cleaner_skipped_total", 1, "reason", reason);
        }
        for (String type : run.errorTypes()) {
            count("cleaner_errors_total", 1, "type", type);
        }
        String dry = Boolean.toString(run.dryRun());
        count("cleaner_runs_total", 1, "status", run.status(), "dry_run", dry);
        if (run.completedAt() != null) {
            Duration took = Duration.between(run.startedAt(), run.completedAt());
            durations.get(dry).record(took);
            lastDurationMillis.set(took.toMillis());
            lastCompletedEpochSeconds.set(run.completedAt().getEpochSecond());
            if (run.success()) {
                lastSuccessEpochSeconds.set(run.completedAt().getEpochSecond());
            }
        }
        lastExitCode.set(run.exitCode());
        lastErrors.set(run.errorTypes().size());
        lastDryRun.set(run.dryRun() ? 1 : 0);
    }
}
