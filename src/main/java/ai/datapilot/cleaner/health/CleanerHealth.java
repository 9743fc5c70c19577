package ai.datapilot.cleaner.health;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * The three checks of the cleaner, shared by the {@code health} command and the service's Camel
 * health checks. Redis or storage down: unhealthy. No recent, complete, mostly clean run: degraded
 * (the operations document's alert rules).
 */
public final class CleanerHealth {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One check: up or not, and what was seen. */
    public record Check(boolean up, String detail) {
    }

    private final StringRedisTemplate redis;
    private final String redisWhere;
    private final AuditArchive audits;
    private final Duration maxAge;
    private final int maxErrors;
    private final Clock clock;

    public CleanerHealth(StringRedisTemplate redis, String redisWhere, AuditArchive audits, Duration maxAge,
            int maxErrors, Clock clock) {
        this.redis = redis;
        this.redisWhere = redisWhere;
        this.audits = audits;
        this.maxAge = maxAge;
        this.maxErrors = maxErrors;
        this.clock = clock;
    }

    /** A real PING. */
    public Check redis() {
        try {
            String pong = redis.execute((RedisCallback<String>) c -> c.ping());
            return new Check("PONG".equalsIgnoreCase(pong), "PING " + redisWhere + ": " + pong);
        } catch (RuntimeException e) {
            return new Check(false, "PING " + redisWhere + " failed: " + e.getMessage());
        }
    }

    /** The blob store is there and audit records can be written (see each archive's probe). */
    public Check storage() {
        try {
            return new Check(true, audits.probe());
        } catch (Exception e) {
            return new Check(false, e.getMessage() == null ? e.toString() : e.getMessage());
        }
    }

    /** The newest audit record: present, recent, completed, and with few errors. */
    public Check lastRun() {
        Optional<String> newest;
        try {
            newest = audits.newest();
        } catch (Exception e) {
            return new Check(false, "audit records in " + audits.where() + " cannot be listed: " + e.getMessage());
        }
        if (newest.isEmpty()) {
            return new Check(false, "no audit file in " + audits.where() + ": the cleaner has not run");
        }
        String name = newest.get();
        JsonNode audit;
        try {
            audit = JSON.readTree(audits.read(name));
        } catch (Exception e) {
            return new Check(false, "newest audit " + name + " unreadable: " + e.getMessage());
        }
        if (!audit.hasNonNull("completedAt")) {
            return new Check(false, name + " has no completedAt");
        }
        Instant completed = Instant.parse(audit.get("completedAt").asText());
        Duration age = Duration.between(completed, clock.instant());
        if (age.compareTo(maxAge) > 0) {
            return new Check(false, "last run completed " + age.toHours() + " h ago (" + name + "), more than " + maxAge.toHours() + " h");
        }
        int errors = audit.path("errors").size();
        if (errors > maxErrors) {
            return new Check(false, name + " has " + errors + " errors, more than " + maxErrors);
        }
        return new Check(true, name + " completed " + completed + " with " + errors + " error(s)");
    }

    public Optional<JsonNode> lastRunRecord() {
        try {
            Optional<String> newest = audits.newest();
            if (newest.isEmpty()) {
                return Optional.empty();
            }
            JsonNode n = JSON.readTree(audits.read(newest.get()));
            Map<String, Object> summary = new LinkedHashMap<>();
            for (String f : new String[] {"runId", "status", "dryRun", "startedAt", "completedAt", "deletedBlobs", "deletedKeys",
                    "deferredBlobs", "deferredKeys", "skippedCount"}) {
                summary.put(f, n.get(f));
            }
            summary.put("errors", n.path("errors").size());
            summary.put("auditFile", audits.address(newest.get()));
            return Optional.of(JSON.valueToTree(summary));
        } catch (Exception e) {
            return Optional.empty();
        }
    }

    /** {@code {status, timestamp, checks: {redis, storage, lastRun}, lastCleanerRun}} and its exit code. */
    public record Report(String status, int exitCode, JsonNode json) {
    }

    public Report report() {
        Check redisCheck = redis();
        Check storageCheck = storage();
        Check lastRunCheck = lastRun();
        String status = !redisCheck.up() || !storageCheck.up() ? "unhealthy" : !lastRunCheck.up() ? "degraded" : "healthy";
        int code = switch (status) {
            case "healthy" -> 0;
            case "degraded" -> 1;
            default -> 2;
        };
        Map<String, Object> checks = new LinkedHashMap<>();
        checks.put("redis", check(redisCheck));
        checks.put("storage", check(storageCheck));
        checks.put("lastRun", check(lastRunCheck));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", status);
        body.put("timestamp", clock.instant().toString());
        body.put("checks", checks);
        body.put("lastCleanerRun", lastRunRecord().orElse(null));
        return new Report(status, code, JSON.valueToTree(body));
    }

    private static Map<String, Object> check(Check c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("status", c.up() ? "ok" : "failed");
        m.put("detail", c.detail());
        return m;
    }
}
