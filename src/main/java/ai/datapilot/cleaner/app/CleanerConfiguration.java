package ai.datapilot.cleaner.app;

import ai.datapilot.cleaner.audit.AuditFile;
import ai.datapilot.cleaner.audit.RunEndGuard;
import ai.datapilot.cleaner.audit.FailedStep;
import ai.datapilot.cleaner.audit.RunStart;
import ai.datapilot.cleaner.audit.RunTracker;
import ai.datapilot.cleaner.audit.StandaloneAuditWriter;
import ai.datapilot.cleaner.audit.StructuredSummary;
import ai.datapilot.cleaner.blob.BlobStore;
import ai.datapilot.cleaner.blob.S3BlobStore;
import ai.datapilot.cleaner.store.StoreKind;
import ai.datapilot.cleaner.deletion.CandidateDeleter;
import ai.datapilot.cleaner.deletion.DeleteFailure;
import ai.datapilot.cleaner.deletion.DeleteGate;
import ai.datapilot.cleaner.deletion.DeleteOutcomes;
import ai.datapilot.cleaner.deletion.EmptyFolderSweep;
import ai.datapilot.cleaner.jobrecord.JobRecordStore;
import ai.datapilot.cleaner.jobrecord.RedisConnections;
import ai.datapilot.cleaner.jobrecord.RedisJobRecordStore;
import ai.datapilot.cleaner.health.CleanerHealth;
import ai.datapilot.cleaner.health.CleanerHealthChecks;
import ai.datapilot.cleaner.metrics.HealthGauge;
import ai.datapilot.cleaner.metrics.LastRuns;
import ai.datapilot.cleaner.metrics.RunMetrics;
import ai.datapilot.cleaner.health.AuditArchive;
import ai.datapilot.cleaner.metrics.HelpTexts;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import ai.datapilot.cleaner.lease.RedisRunLease;
import ai.datapilot.cleaner.lease.RunLease;
import ai.datapilot.cleaner.progress.ProgressReporter;
import ai.datapilot.cleaner.selection.DeleteCap;
import ai.datapilot.cleaner.selection.ExpiryFilter;
import ai.datapilot.cleaner.selection.ScanAggregation;
import ai.datapilot.cleaner.settings.CleanerSettings;
import java.io.PrintStream;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.apache.camel.health.HealthCheckRegistry;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The registry of the cleaner: every bean the YAML routes name, in one screen. Built from
 * validated settings only. Beans are made once here and handed out, so each has one instance.
 */
public final class CleanerConfiguration implements CamelConfiguration, AutoCloseable {

    private final CleanerSettings settings;
    private final PrintStream out;
    private final Clock clock;
    /** Items per delete request when deletes are not paced. */
    static final int DELETE_CHUNK = 200;

    private final boolean healthChecks;
    private final CompletableFuture<RedisConnectionFactory> redisStarting;
    private RedisConnectionFactory redisConnections;
    private StringRedisTemplate redisTemplate;
    private final BlobStorage blobStorage;
    private final BlobStore blobStore;
    private JobRecordStore jobRecordStore;
    private final DeleteGate deleteGate;
    private RunLease runLease;
    private RunEndGuard runEndGuard;
    private final RunTracker runTracker = new RunTracker();
    private final RunMetrics runMetrics = new RunMetrics();
    private final ProgressReporter progress;
    private final StructuredSummary structuredSummary;
    private CleanerHealth health;

    public CleanerConfiguration(CleanerSettings settings, PrintStream out, Clock clock) {
        this(settings, out, clock, false);
    }

    /** @param healthChecks register the Camel health checks (the service; run-once has no use for them) */
    public CleanerConfiguration(CleanerSettings settings, PrintStream out, Clock clock, boolean healthChecks) {
        this.healthChecks = healthChecks;
        this.settings = settings;
        this.out = out;
        this.clock = clock;
        // Spring Data Redis and Jedis take a good part of a second to load: let them load while
        // camel-main starts, and wait for them only when the first bean that needs Redis is bound
        this.redisStarting = CompletableFuture.supplyAsync(
                () -> RedisConnections.connectionFactory(settings.redisUrl(), settings.redisTimeout()));
        this.blobStorage = new BlobStorage(settings);
        this.blobStore = blobStorage.store();
        this.deleteGate = new DeleteGate(settings.dryRun());
        this.progress = new ProgressReporter(settings.progressInterval(), settings.deletesPerSecond());
        runTracker.watch(progress);
        this.structuredSummary = new StructuredSummary(out);
    }

    private synchronized void redisReady() {
        if (redisConnections == null) {
            redisConnections = redisStarting.join();
            redisTemplate = RedisConnections.template(redisConnections);
            RedisJobRecordStore records = new RedisJobRecordStore(redisTemplate, settings.redisUrl().masked());
            runLease = new RunLease(blobStorage.localLock(),
                    new RedisRunLease(redisTemplate, settings.leaseKey(), settings.leaseTtl()));
            // job records are deleted only while this run holds the lease, tested with each delete
            records.guardDeletesWith(runLease);
            records.watchFields(settings.rules().watchedFields());
            if (blobStore instanceof S3BlobStore bucket) {
                bucket.guardDeletesWith(runLease); // no local lock for a bucket: the lease alone
            }
            jobRecordStore = records;
            health = new CleanerHealth(redisTemplate, settings.redisUrl().masked(), blobStorage.auditArchive(),
                    settings.healthMaxAge(), settings.healthMaxErrors(), clock);
        }
    }

    /**
     * Puts the run id on the log lines of every route step, binds the S3 client the audit step's
     * camel-aws2-s3 endpoint names (object storage only), and registers the cleaner's health
     * checks (JMX, /observe/health).
     */
    @Override
    public void configure(CamelContext context) {
        context.getCamelContextExtension().addInterceptStrategy(new ai.datapilot.cleaner.audit.RunIdOnLogs());
        // names the route step that threw in a failed run's error (also in reloaded routes)
        context.getCamelContextExtension().addInterceptStrategy(new FailedStep(runTracker));
        if (blobStorage.inBucket()) {
            // bound lazily: the client may still be starting; the audit step asks for it at the end
            context.getRegistry().bind("s3Client", S3Client.class, (java.util.function.Supplier<Object>) blobStorage::s3Client);
        }
        if (!healthChecks) {
            return;
        }
        redisReady();
        HealthCheckRegistry registry = HealthCheckRegistry.get(context);
        if (registry != null) {
            registry.register(CleanerHealthChecks.redis(health));
            registry.register(CleanerHealthChecks.storage(health));
            registry.register(CleanerHealthChecks.lastRun(health));
        }
    }

    /**
     * The service's metrics registry, which Camel's metrics go to too: the cleaner's series exist
     * from the start, the last run and the last success read from the newest audit records.
     */
    PrometheusMeterRegistry serviceMetrics() {
        PrometheusMeterRegistry meters = HelpTexts.registry();
        runMetrics.bindTo(meters, LastRuns.read(blobStorage.auditArchive()));
        HealthGauge.register(meters, health());
        return meters;
    }

    public AuditArchive auditArchive() {
        return blobStorage.auditArchive();
    }

    public CleanerHealth health() {
        redisReady();
        return health;
    }

    @BindToRegistry
    public RunMetrics runMetrics() {
        return runMetrics;
    }

    /** The template camel-spring-redis autowires, for operators adding spring-redis steps to the routes. */
    @BindToRegistry
    public StringRedisTemplate redisTemplate() {
        redisReady();
        return redisTemplate;
    }

    @BindToRegistry
    public BlobStore blobStore() {
        return blobStore;
    }

    @BindToRegistry
    public JobRecordStore jobRecordStore() {
        redisReady();
        return jobRecordStore;
    }

    @BindToRegistry
    public RunStart runStart() {
        return new RunStart(settings, blobStore.describe(), settings.redisUrl().masked(), clock, runTracker, runEndGuard());
    }

    /** Ends in Java a run its routes did not end (an edited step throwing where nothing catches, or hanging). */
    public synchronized RunEndGuard runEndGuard() {
        if (runEndGuard == null) {
            RunLease lease = runLease();
            runEndGuard = new RunEndGuard(runTracker, lease::release, auditFallback(), structuredSummary(), runMetrics::record);
        }
        return runEndGuard;
    }

    @BindToRegistry
    public RunTracker runTracker() {
        return runTracker;
    }

    @BindToRegistry
    public RunLease runLease() {
        redisReady();
        return runLease;
    }

    @BindToRegistry
    public ExpiryFilter expiryFilter() {
        return new ExpiryFilter();
    }

    @BindToRegistry
    public ScanAggregation scanAggregation() {
        return new ScanAggregation();
    }

    @BindToRegistry
    public DeleteCap deleteCap() {
        // paced deletes go one by one so the throttle counts items; unpaced ones go in chunks, as
        // large as one DeleteObjects takes for a bucket
        if (settings.deletesPerSecond() != 0) {
            return new DeleteCap(1);
        }
        int blobChunk = settings.blobsInObjectStorage() ? S3BlobStore.DELETE_BATCH : DELETE_CHUNK;
        return new DeleteCap(store -> store == StoreKind.BLOB ? blobChunk : DELETE_CHUNK);
    }

    @BindToRegistry
    public CandidateDeleter candidateDeleter() {
        JobRecordStore records = jobRecordStore(); // sets up the lease too
        return new CandidateDeleter(blobStore, records, deleteGate, runLease::holdsFor);
    }

    @BindToRegistry
    public DeleteFailure deleteFailure() {
        return new DeleteFailure();
    }

    @BindToRegistry
    public DeleteOutcomes deleteOutcomes() {
        return new DeleteOutcomes();
    }

    @BindToRegistry
    public EmptyFolderSweep emptyFolderSweep() {
        return new EmptyFolderSweep(blobStore);
    }

    @BindToRegistry
    public AuditFile auditFile() {
        return blobStorage.auditFile(clock);
    }

    /** The audit step's endpoint ({@code to: auditFolder}): the folder is a path, never URI text. */
    @BindToRegistry
    public Endpoint auditFolder() {
        return blobStorage.auditFolderEndpoint();
    }

    /** The last resort of a run whose audit route broke: the record, written without the routes. */
    @BindToRegistry
    public StandaloneAuditWriter auditFallback() {
        return blobStorage.standaloneAuditWriter();
    }

    @BindToRegistry
    public StructuredSummary structuredSummary() {
        return structuredSummary;
    }

    @Override
    public synchronized void close() {
        progress.close();
        if (runEndGuard != null) {
            runEndGuard.close();
        }
        if (runLease != null) {
            runLease.close();
        }
        // a factory still starting is closed when it is done
        redisStarting.thenAccept(RedisConnections::close);
        blobStorage.close();
    }
}
