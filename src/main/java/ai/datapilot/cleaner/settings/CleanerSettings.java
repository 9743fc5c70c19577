package ai.datapilot.cleaner.settings;

import ai.datapilot.cleaner.rules.CleanerRules;
import ai.datapilot.cleaner.schedule.CronSchedule;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The validated settings of one cleaner process. Built only by {@link SettingsParser}: holding one
 * means every value was checked, and paths are absolute, normalised and inside the storage root.
 * Exactly one blob store is set: {@code storageRoot} (local disk) or {@code objectStorage}.
 * {@code deletesPerSecond} is the pace of this run: 0 (not paced) for a dry run unless
 * CLEANER_PACE_DRY_RUN asks for it. {@code progressInterval} zero: no progress lines.
 */
public record CleanerSettings(
        Path storageRoot,
        Optional<S3Location> objectStorage,
        RedisUrl redisUrl,
        double ttlHours,
        double minTtlHours,
        boolean dryRun,
        String logLevel,
        String logFormat,
        List<String> blobPrefixes,
        String auditPath,
        int maxDeleteBatch,
        int deletesPerSecond,
        int deleteRetries,
        long deleteRetryDelayMillis,
        Duration redisTimeout,
        Duration maxRuntime,
        String leaseKey,
        Duration leaseTtl,
        Optional<Path> routesDirectory,
        CronSchedule schedule,
        int managementPort,
        boolean routesReload,
        Duration healthMaxAge,
        int healthMaxErrors,
        Optional<PushgatewayUrl> pushgateway,
        CleanerRules rules,
        Duration progressInterval) {

    public Duration ttl() {
        return Duration.ofMillis(Math.round(ttlHours * 3_600_000d));
    }

    /** The local audit folder; for object storage, a folder nothing is written to (see routeProperties). */
    public Path auditDirectory() {
        if (storageRoot == null) {
            return Path.of(System.getProperty("java.io.tmpdir"));
        }
        return storageRoot.resolve(auditPath).normalize();
    }

    public boolean blobsInObjectStorage() {
        return objectStorage.isPresent();
    }

    /** The key prefix of audit records in the bucket. */
    public String auditKeyPrefix() {
        return objectStorage.map(s3 -> s3.key(auditPath)).orElseThrow();
    }

    /** Where the audit records go, for logs and health: a folder or an s3:// prefix. */
    public String auditLocation() {
        return objectStorage.map(s3 -> "s3://" + s3.bucket() + "/" + s3.key(auditPath)).orElse(auditDirectory().toString());
    }

    /**
     * The values the YAML routes read as {@code {{cleaner.*}}} placeholders. They come from the
     * validated settings, never straight from the environment, so a route cannot see a bad value.
     */
    public Map<String, String> routeProperties() {
        Map<String, String> p = new LinkedHashMap<>();
        // the audit folder is no property: a path in a placeholder or a URI is read as URI text
        // (see AuditFolderEndpoint); the route names the endpoint bound in the registry instead
        p.put("cleaner.auditInObjectStorage", Boolean.toString(blobsInObjectStorage()));
        p.put("cleaner.auditBucket", objectStorage.map(S3Location::bucket).orElse("unused"));
        // 0 means "not paced": the throttle step is disabled rather than given a huge rate, because
        // its TotalRequests mode holds one permit object per allowed request
        p.put("cleaner.deletesPerSecond", Integer.toString(Math.max(1, deletesPerSecond)));
        p.put("cleaner.deletePacingOff", Boolean.toString(deletesPerSecond == 0));
        p.put("cleaner.deleteRetries", Integer.toString(deleteRetries));
        p.put("cleaner.deleteRetryDelayMillis", Long.toString(deleteRetryDelayMillis));
        p.put("cleaner.quartzCron", schedule.quartz());
        return p;
    }
}
