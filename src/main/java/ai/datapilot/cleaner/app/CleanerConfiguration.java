package ai.datapilot.cleaner.app;

import ai.datapilot.cleaner.audit.AuditFile;
import ai.datapilot.cleaner.audit.RunStart;
import ai.datapilot.cleaner.audit.RunTracker;
import ai.datapilot.cleaner.audit.StructuredSummary;
import ai.datapilot.cleaner.blob.BlobStore;
import ai.datapilot.cleaner.blob.LocalBlobStore;
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
import ai.datapilot.cleaner.lease.LocalRunLock;
import ai.datapilot.cleaner.metrics.RunMetrics;
import ai.datapilot.cleaner.lease.RedisRunLease;
import ai.datapilot.cleaner.lease.RunLease;
import ai.datapilot.cleaner.selection.DeleteCap;
import ai.datapilot.cleaner.selection.ExpiryFilter;
import ai.datapilot.cleaner.selection.ScanAggregation;
import ai.datapilot.cleaner.settings.CleanerSettings;
import java.io.PrintStream;
import java.time.Clock;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.health.HealthCheckRegistry;
import org.springframework.data.redis.connection.jedis.JedisConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * The registry of the cleaner: every bean the YAML routes name, in one screen. Built from
 * validated settings only. Beans are made once here and handed out, so each has one instance.
 */
public final class CleanerConfiguration implements CamelConfiguration, AutoCloseable {

    private final CleanerSettings settings;
    private final PrintStream out;
    private final Clock clock;
    private final JedisConnectionFactory redisConnections;
    private final StringRedisTemplate redisTemplate;
    private final BlobStore blobStore;
    private final JobRecordStore jobRecordStore;
    private final DeleteGate deleteGate;
    private final RunLease runLease;
    private final RunTracker runTracker = new RunTracker();
    private final RunMetrics runMetrics = new RunMetrics();
    private final CleanerHealth health;

    public CleanerConfiguration(CleanerSettings settings, PrintStream out, Clock clock) {
        this.settings = settings;
        this.out = out;
        this.clock = clock;
        this.redisConnections = RedisConnections.connectionFactory(settings.redisUrl(), settings.redisTimeout());
        this.redisTemplate = RedisConnections.template(redisConnections);
        this.blobStore = new LocalBlobStore(settings.storageRoot(), settings.blobPrefixes());
        this.jobRecordStore = new RedisJobRecordStore(redisTemplate, settings.redisUrl().masked());
        this.deleteGate = new DeleteGate(settings.dryRun());
        this.runLease = new RunLease(new LocalRunLock(settings.storageRoot()),
                new RedisRunLease(redisTemplate, settings.leaseKey(), settings.leaseTtl()));
        this.health = new CleanerHealth(redisTemplate, settings.redisUrl().masked(), settings.storageRoot(),
                settings.auditDirectory(), settings.healthMaxAge(), settings.healthMaxErrors(), clock);
    }

    /** Registers the cleaner's health checks (JMX, /observe/health). */
    @Override
    public void configure(CamelContext context) {
        HealthCheckRegistry registry = HealthCheckRegistry.get(context);
        if (registry != null) {
            registry.register(CleanerHealthChecks.redis(health));
            registry.register(CleanerHealthChecks.storage(health));
            registry.register(CleanerHealthChecks.lastRun(health));
        }
    }

    public CleanerHealth health() {
        return health;
    }

    @BindToRegistry
    public RunMetrics runMetrics() {
        return runMetrics;
    }

    /** The template camel-spring-redis autowires, for operators adding spring-redis steps to the routes. */
    @BindToRegistry
    public StringRedisTemplate redisTemplate() {
        return redisTemplate;
    }

    @BindToRegistry
    public BlobStore blobStore() {
        return blobStore;
    }

    @BindToRegistry
    public JobRecordStore jobRecordStore() {
        return jobRecordStore;
    }

    @BindToRegistry
    public RunStart runStart() {
        return new RunStart(settings, blobStore.describe(), jobRecordStore.describe(), clock, runTracker);
    }

    @BindToRegistry
    public RunTracker runTracker() {
        return runTracker;
    }

    @BindToRegistry
    public RunLease runLease() {
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
        return new DeleteCap();
    }

    @BindToRegistry
    public CandidateDeleter candidateDeleter() {
        return new CandidateDeleter(blobStore, jobRecordStore, deleteGate);
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
        return new AuditFile(settings.auditDirectory(), clock);
    }

    @BindToRegistry
    public StructuredSummary structuredSummary() {
        return new StructuredSummary(out);
    }

    @Override
    public void close() {
        runLease.close();
        redisConnections.destroy();
    }
}
