package ai.datapilot.cleaner.audit;

import ai.datapilot.cleaner.settings.CleanerSettings;
import java.time.Clock;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Opens the run's record: its id, start time and cutoff are fixed here, once, for every later step. */
public final class RunStart {

    private static final Logger LOG = LoggerFactory.getLogger(RunStart.class);

    private final CleanerSettings settings;
    private final String blobStore;
    private final String jobRecordStore;
    private final Clock clock;
    private final RunTracker tracker;
    private final RunEndGuard guard;

    public RunStart(CleanerSettings settings, String blobStore, String jobRecordStore, Clock clock, RunTracker tracker) {
        this(settings, blobStore, jobRecordStore, clock, tracker, null);
    }

    /** @param guard ends the run in Java if its routes do not (null: the routes alone end it) */
    public RunStart(CleanerSettings settings, String blobStore, String jobRecordStore, Clock clock, RunTracker tracker,
            RunEndGuard guard) {
        this.tracker = tracker;
        this.guard = guard;
        this.settings = settings;
        this.blobStore = blobStore;
        this.jobRecordStore = jobRecordStore;
        this.clock = clock;
    }

    public void open(Exchange exchange) {
        CleanerRun run = new CleanerRun(RunContext.open(clock.instant(), settings.rules(), settings.dryRun(), settings.maxDeleteBatch(),
                blobStore, jobRecordStore, settings.maxRuntime()));
        exchange.setProperty(CleanerRun.PROPERTY, run);
        tracker.begin(run);
        if (guard != null) {
            guard.watch(exchange, run);
        }
        // this step's own line; every later step gets the run id from RunIdOnLogs
        String before = RunLogContext.set(run.runId());
        try {
            LOG.info("Run {} started: {}, ttl {}h, cutoff {}, cap {}, blobs {} {}, job records {}{}",
                    run.runId(), run.dryRun() ? "DRY RUN (nothing is deleted)" : "DESTRUCTIVE", settings.ttlHours(), run.cutoff(),
                    run.maxDeleteBatch(), blobStore, settings.blobPrefixes(), jobRecordStore,
                    settings.rules().isDefaultOnly() ? "" : ", " + settings.rules().retention().size() + " retention rule(s) and "
                            + settings.rules().keep().size() + " keep rule(s) from " + settings.rules().source().orElse("?"));
        } finally {
            RunLogContext.restore(before);
        }
    }
}
