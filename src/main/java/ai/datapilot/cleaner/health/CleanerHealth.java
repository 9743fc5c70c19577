package ai.datapilot.cleaner.health;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
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
    /** How far ahead of this host's clock a completedAt may be (clocks of hosts differ a little). */
    private static final Duration FUTURE_SLACK = Duration.ofMinutes(5);

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

    /**
     * Whether the cleaner is doing its work, from the audit records. The newest record decides,
     * unless it is a run turned away because another run held the lease (status
     * {@code lease_unavailable}, no errors): such runs are passed over, and the newest run before
     * them decides. That run is healthy when it did its work: status {@code completed}, a
     * readable {@code completedAt} within the maximum age (and not in the future), no more errors
     * than allowed and no {@code cleanup_failed} (the run as a whole failed). A refused,
     * interrupted or unfinished run, an unreadable record, or no run that did its work within the
     * maximum age, is not healthy, and the detail says why.
     */
    public Check lastRun() {
        List<String> names;
        try {
            names = audits.newestFirst();
        } catch (Exception e) {
            return new Check(false, "audit records in " + audits.where() + " cannot be listed: " + message(e));
        }
        if (names.isEmpty()) {
            return new Check(false, "no audit file in " + audits.where() + ": the cleaner has not run");
        }
        Instant now = clock.instant();
        String turnedAway = null;
        for (String name : names) {
            String before = turnedAway == null ? "" : turnedAway + " found the lease held by another run; before it, ";
            JsonNode record;
            try (InputStream in = audits.open(name)) {
                record = head(in);
            } catch (Exception e) {
                return new Check(false, before + "audit " + name + " is unreadable: " + message(e));
            }
            if (!turnedAwayByTheLease(record)) {
                Check verdict = judge(name, record, now);
                return turnedAway == null ? verdict : new Check(verdict.up(), before + verdict.detail());
            }
            if (turnedAway == null) {
                turnedAway = name;
            }
            Instant started;
            try {
                started = time(record, "startedAt");
            } catch (IllegalArgumentException e) {
                return new Check(false, before + name + " " + e.getMessage());
            }
            if (started.isBefore(now.minus(maxAge))) {
                return new Check(false, "no run did its work in the last " + maxAge.toHours() + " h: " + turnedAway
                        + " and the runs before it back to " + name + " found the lease held by another run");
            }
        }
        return new Check(false, "no run did its work: every audit record, the newest " + turnedAway
                + ", found the lease held by another run");
    }

    /** Another run held the lease, and nothing else went wrong: the run rightly did nothing. */
    private static boolean turnedAwayByTheLease(JsonNode record) {
        JsonNode errors = record.get("errors");
        return "lease_unavailable".equals(record.path("status").asText(null)) && errors != null && errors.isArray() && errors.isEmpty();
    }

    private Check judge(String name, JsonNode record, Instant now) {
        Instant completed;
        try {
            completed = time(record, "completedAt");
        } catch (IllegalArgumentException e) {
            return new Check(false, name + " " + e.getMessage());
        }
        if (completed.isAfter(now.plus(FUTURE_SLACK))) {
            return new Check(false, name + " has a completedAt in the future (" + completed + "); the record or a clock is wrong");
        }
        JsonNode errors = record.get("errors");
        if (errors == null || !errors.isArray()) {
            return new Check(false, name + " has no errors list");
        }
        if (errors.size() > maxErrors) {
            return new Check(false, name + " has " + errors.size() + " errors, more than " + maxErrors);
        }
        for (JsonNode error : errors) {
            if ("cleanup_failed".equals(error.path("type").asText(null))) {
                return new Check(false, name + ": the run failed: " + shorten(error.path("message").asText("")));
            }
        }
        String status = record.path("status").isTextual() ? record.get("status").asText() : null;
        if (!"completed".equals(status)) {
            return new Check(false, name + " " + didNotWork(status, record));
        }
        Duration age = Duration.between(completed, now);
        if (age.compareTo(maxAge) > 0) {
            return new Check(false, "last run completed " + age.toHours() + " h ago (" + name + "), more than " + maxAge.toHours() + " h");
        }
        return new Check(true, name + " completed " + completed + " with " + errors.size() + " error(s)");
    }

    private static String didNotWork(String status, JsonNode record) {
        if (status == null) {
            return "has no status: whether the run did its work is unknown";
        }
        return switch (status) {
            case "refused" -> "was refused: its settings were invalid (status refused)";
            case "interrupted" -> "stopped before its work was done (status interrupted: "
                    + shorten(record.path("interruptedBy").asText("no reason given")) + ")";
            case "lease_unavailable" -> "could not take the lease, with errors (status lease_unavailable: "
                    + shorten(record.path("leaseUnavailable").asText("no reason given")) + ")";
            case "running" -> "never completed (status running)";
            default -> "ended with status \"" + shorten(status) + "\", not completed";
        };
    }

    /** A time field of a record; the exception's message says what is wrong with it. */
    private static Instant time(JsonNode record, String field) {
        JsonNode value = record.get(field);
        if (value == null || value.isNull()) {
            throw new IllegalArgumentException("has no " + field);
        }
        if (!value.isTextual()) {
            throw new IllegalArgumentException("has a malformed " + field + " (" + shorten(value.toString()) + ", not a time)");
        }
        try {
            return Instant.parse(value.asText());
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("has a malformed " + field + " \"" + shorten(value.asText()) + "\" (not an ISO-8601 UTC time)");
        }
    }

    /**
     * The top-level fields of a record, read up to its items list, which is never read: a record
     * may list hundreds of thousands of items.
     */
    public static JsonNode head(InputStream in) throws IOException {
        try (JsonParser p = JSON.getFactory().createParser(in)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("not a JSON object");
            }
            ObjectNode head = JSON.createObjectNode();
            JsonToken token;
            while ((token = p.nextToken()) == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                if (field.equals("items")) {
                    return head;
                }
                head.set(field, JSON.readTree(p));
            }
            if (token != JsonToken.END_OBJECT) {
                throw new IOException("the record ends early");
            }
            return head;
        }
    }

    private static String shorten(String text) {
        return text.length() <= 80 ? text : text.substring(0, 80) + "...";
    }

    private static String message(Exception e) {
        return e.getMessage() == null ? e.toString() : shorten(e.getMessage());
    }

    public Optional<JsonNode> lastRunRecord() {
        try {
            List<String> names = audits.newestFirst();
            if (names.isEmpty()) {
                return Optional.empty();
            }
            JsonNode n;
            try (InputStream in = audits.open(names.get(0))) {
                n = head(in);
            }
            Map<String, Object> summary = new LinkedHashMap<>();
            for (String f : new String[] {"runId", "status", "dryRun", "startedAt", "completedAt", "deletedBlobs", "deletedKeys",
                    "deferredBlobs", "deferredKeys", "skippedCount"}) {
                summary.put(f, n.get(f));
            }
            summary.put("errors", n.path("errors").size());
            summary.put("auditFile", audits.address(names.get(0)));
            return Optional.of(JSON.valueToTree(summary));
        } catch (Exception e) {
            return Optional.empty();
        }
    }

    /** {@code {status, timestamp, checks: {redis, storage, lastRun}, lastCleanerRun}} and its exit code. */
    public record Report(String status, int exitCode, JsonNode json) {
    }

    public Report report() {
        Check redisCheck = safely(this::redis);
        Check storageCheck = safely(this::storage);
        Check lastRunCheck = safely(this::lastRun);
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

    /** A check that throws is a failed check, never a report that is not printed. */
    private static Check safely(java.util.function.Supplier<Check> check) {
        try {
            return check.get();
        } catch (RuntimeException e) {
            return new Check(false, "the check itself failed: " + message(e));
        }
    }

    private static Map<String, Object> check(Check c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("status", c.up() ? "ok" : "failed");
        m.put("detail", c.detail());
        return m;
    }
}
