package ai.datapilot.cleaner.progress;

import ai.datapilot.cleaner.audit.CleanerRun;
import ai.datapilot.cleaner.audit.RunLogContext;
import ai.datapilot.cleaner.audit.RunProgress;
import ai.datapilot.cleaner.audit.RunWatcher;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import net.logstash.logback.marker.Markers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Logs a progress line every CLEANER_PROGRESS_SECONDS while a run lasts (INFO, on stderr with the
 * other logs, carrying the run id): a long run is never silent. One timer thread, started with the
 * first run; each run's ticks start when it opens and stop when it ends, or at the latest once its
 * audit record is complete (a run whose close step never came).
 */
public final class ProgressReporter implements RunWatcher, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ProgressReporter.class);

    private final Duration interval;
    private final int deletesPerSecond;
    private final Map<CleanerRun, ScheduledFuture<?>> ticking = new ConcurrentHashMap<>();
    private ScheduledExecutorService timer;

    /** @param deletesPerSecond the run's pace (0: not paced), for the time left before the first rate is measured */
    public ProgressReporter(Duration interval, int deletesPerSecond) {
        this.interval = interval;
        this.deletesPerSecond = deletesPerSecond;
    }

    @Override
    public synchronized void opened(CleanerRun run) {
        if (interval.isZero() || timer != null && timer.isShutdown()) {
            return;
        }
        if (timer == null) {
            timer = Executors.newSingleThreadScheduledExecutor(task -> {
                Thread t = new Thread(task, "cleaner-progress");
                t.setDaemon(true); // never what keeps the JVM up
                return t;
            });
        }
        Rate rate = new Rate(run.startedAt());
        long millis = interval.toMillis();
        ticking.put(run, timer.scheduleAtFixedRate(() -> tick(run, rate), millis, millis, TimeUnit.MILLISECONDS));
    }

    @Override
    public void closed(CleanerRun run) {
        ScheduledFuture<?> ticks = ticking.remove(run);
        if (ticks != null) {
            ticks.cancel(false);
        }
    }

    private void tick(CleanerRun run, Rate rate) {
        if (run.completedAt() != null) {
            closed(run);
            return;
        }
        MDC.put(RunLogContext.KEY, run.runId());
        try {
            RunProgress now = run.progress();
            Report report = rate.next(now, Instant.now(), run.planDecidedAt(), deletesPerSecond);
            LOG.info(Markers.append("progress", report.fields(now)), "{}", report.line(now));
        } catch (RuntimeException e) {
            // a progress line is never worth a run: say so once a tick and go on
            LOG.warn("Progress line not written: {}", e.toString());
        } finally {
            MDC.remove(RunLogContext.KEY);
        }
    }

    @Override
    public synchronized void close() {
        ticking.values().forEach(f -> f.cancel(false));
        ticking.clear();
        if (timer != null) {
            timer.shutdownNow();
        }
    }

    /** The rate over the last interval (items scanned while scanning, items settled while deleting). */
    static final class Rate {
        private Instant at;
        private String phase = RunProgress.SCANNING;
        private long count;

        Rate(Instant start) {
            this.at = start;
        }

        Report next(RunProgress p, Instant now, Instant planDecidedAt, int pace) {
            String phase = RunProgress.SCANNING.equals(p.phase()) ? RunProgress.SCANNING : RunProgress.DELETING;
            long current = phase.equals(RunProgress.SCANNING) ? p.scanned() : p.settled();
            if (!phase.equals(this.phase)) {
                // the delete phase is measured from the plan on, not from the last scanning tick
                this.phase = phase;
                this.count = 0;
                this.at = planDecidedAt == null ? at : planDecidedAt;
            }
            double seconds = Math.max(0.001, Duration.between(at, now).toMillis() / 1000d);
            double perSecond = (current - count) / seconds;
            at = now;
            count = current;
            Duration left = null;
            if (RunProgress.DELETING.equals(p.phase())) {
                long remaining = Math.max(0, p.planned() - p.settled());
                // the throttle lets a second's worth through at once: in the long run the pace is the limit
                double by = perSecond > 0 && (pace == 0 || perSecond < pace) ? perSecond : pace;
                if (remaining == 0) {
                    left = Duration.ZERO;
                } else if (by > 0) {
                    left = Duration.ofMillis((long) Math.ceil(remaining / by * 1000));
                }
            }
            return new Report(perSecond, left, pace);
        }
    }

    /** One progress line: the run's counts with the rate and the time left. */
    record Report(double perSecond, Duration left, int pace) {

        String line(RunProgress p) {
            StringBuilder b = new StringBuilder("Progress: ").append(p.phase())
                    .append("; scanned ").append(p.blobsScanned()).append(" blob item(s), ")
                    .append(p.keysScanned()).append(" job record(s)");
            if (RunProgress.SCANNING.equals(p.phase())) {
                b.append("; ").append(p.expired()).append(" expired so far, ").append(p.kept()).append(" kept; ")
                        .append(rate()).append(" scanned/s");
                return b.toString();
            }
            b.append("; planned ").append(p.planned()).append(": ")
                    .append(p.removed()).append(p.dryRun() ? " would delete, " : " deleted, ")
                    .append(p.kept()).append(" kept, ")
                    .append(p.failed()).append(" failed, ")
                    .append(p.skipped()).append(" skipped; ")
                    .append(rate()).append(" done/s");
            if (pace > 0) {
                b.append(" (paced at ").append(pace).append("/s)");
            }
            if (RunProgress.DELETING.equals(p.phase())) {
                b.append("; ").append(left == null ? "time left unknown"
                        : left.isZero() || left.getSeconds() > 0 ? "about " + HumanUnits.span(left) + " left" : "under 1s left");
            }
            return b.toString();
        }

        private String rate() {
            return String.format(Locale.ROOT, "%.1f", perSecond);
        }

        /** The same numbers as fields, for CLEANER_LOG_FORMAT=json. */
        Map<String, Object> fields(RunProgress p) {
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("phase", p.phase());
            f.put("blobsScanned", p.blobsScanned());
            f.put("keysScanned", p.keysScanned());
            f.put("expired", p.expired());
            f.put("planned", p.planned());
            f.put(p.dryRun() ? "wouldDelete" : "deleted", p.removed());
            f.put("kept", p.kept());
            f.put("failed", p.failed());
            f.put("skipped", p.skipped());
            f.put("perSecond", Math.round(perSecond * 10) / 10d);
            f.put("secondsLeft", left == null ? null : left.toSeconds());
            return f;
        }
    }
}
