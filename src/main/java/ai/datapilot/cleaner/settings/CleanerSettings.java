package ai.datapilot.cleaner.settings;

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
 */
public record CleanerSettings(
        Path storageRoot,
        RedisUrl redisUrl,
        double ttlHours,
        double minTtlHours,
        boolean dryRun,
        String logLevel,
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
        int healthMaxErrors) {

    public Duration ttl() {
        return Duration.ofMillis(Math.round(ttlHours * 3_600_000d));
    }

    public Path auditDirectory() {
        return storageRoot.resolve(auditPath).normalize();
    }

    /**
     * The values the YAML routes read as {@code {{cleaner.*}}} placeholders. They come from the
     * validated settings, never straight from the environment, so a route cannot see a bad value.
     */
    public Map<String, String> routeProperties() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("cleaner.auditDirectory", auditDirectory().toString());
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
