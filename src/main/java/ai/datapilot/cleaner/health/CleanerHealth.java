package ai.datapilot.cleaner.health;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.StreamSupport;
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
    private final Path root;
    private final Path auditDirectory;
    private final Duration maxAge;
    private final int maxErrors;
    private final Clock clock;

    public CleanerHealth(StringRedisTemplate redis, String redisWhere, Path root, Path auditDirectory, Duration maxAge,
            int maxErrors, Clock clock) {
        this.redis = redis;
        this.redisWhere = redisWhere;
        this.root = root;
        this.auditDirectory = auditDirectory;
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

    /** The root exists and a probe file can be written and removed in the audit folder. */
    public Check storage() {
        if (!Files.isDirectory(root)) {
            return new Check(false, "storage root " + root + " is not a folder");
        }
        try {
            Files.createDirectories(auditDirectory);
            Path probe = Files.createTempFile(auditDirectory, ".health-probe-", ".tmp");
            Files.delete(probe);
            return new Check(true, "storage root " + root + " present; audit folder " + auditDirectory + " writable");
        } catch (IOException | RuntimeException e) {
            return new Check(false, "audit folder " + auditDirectory + " not writable: " + e);
        }
    }

    /** The newest audit file: present, recent, completed, and with few errors. */
    public Check lastRun() {
        Optional<Path> newest = newestAudit();
        if (newest.isEmpty()) {
            return new Check(false, "no audit file in " + auditDirectory + ": the cleaner has not run");
        }
        JsonNode audit;
        try {
            audit = JSON.readTree(newest.get().toFile());
        } catch (IOException e) {
            return new Check(false, "newest audit " + newest.get().getFileName() + " unreadable: " + e.getMessage());
        }
        String name = newest.get().getFileName().toString();
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
        return newestAudit().flatMap(p -> {
            try {
                JsonNode n = JSON.readTree(p.toFile());
                Map<String, Object> summary = new LinkedHashMap<>();
                for (String f : new String[] {"runId", "status", "dryRun", "startedAt", "completedAt", "deletedBlobs", "deletedKeys",
                        "deferredBlobs", "deferredKeys", "skippedCount"}) {
                    summary.put(f, n.get(f));
                }
                summary.put("errors", n.path("errors").size());
                summary.put("auditFile", p.toString());
                return Optional.of(JSON.valueToTree(summary));
            } catch (IOException e) {
                return Optional.empty();
            }
        });
    }

    /** File names sort in time order, so the newest audit is the greatest name. */
    private Optional<Path> newestAudit() {
        if (!Files.isDirectory(auditDirectory)) {
            return Optional.empty();
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(auditDirectory, "cleaner_*.json")) {
            return StreamSupport.stream(files.spliterator(), false).max(Comparator.comparing(p -> p.getFileName().toString()));
        } catch (IOException e) {
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
