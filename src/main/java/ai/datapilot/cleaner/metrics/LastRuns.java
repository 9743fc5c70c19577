package ai.datapilot.cleaner.metrics;

import ai.datapilot.cleaner.health.AuditArchive;
import ai.datapilot.cleaner.health.CleanerHealth;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last run and the last success as the newest audit records tell them: the values the series
 * start with, so a restart does not reset "last success" to nothing and hide a stalled cleaner.
 *
 * @param lastSuccess when the newest run without errors (completed, or interrupted with its work audited) completed
 * @param lastRun     the newest record
 */
public record LastRuns(Optional<Instant> lastSuccess, Optional<LastRun> lastRun) {

    private static final Logger LOG = LoggerFactory.getLogger(LastRuns.class);

    /** How many records back a success is looked for: a start must not read a whole bucket. */
    static final int LOOK_BACK = 50;

    /** The newest record: its exit code as run-once gave it, its error count, and the rest the gauges show. */
    public record LastRun(int exitCode, int errors, boolean dryRun, Optional<Instant> completedAt, Optional<Long> durationMillis) {
    }

    public static LastRuns none() {
        return new LastRuns(Optional.empty(), Optional.empty());
    }

    /** Never throws: records that cannot be listed or read leave the values unknown, with a warning. */
    public static LastRuns read(AuditArchive archive) {
        List<String> names;
        try {
            names = archive.newestFirst();
        } catch (Exception e) {
            LOG.warn("Audit records in {} cannot be listed: the last-run series start unknown ({})", archive.where(), e.toString());
            return none();
        }
        Optional<LastRun> last = Optional.empty();
        for (String name : names.subList(0, Math.min(LOOK_BACK, names.size()))) {
            JsonNode record;
            try (InputStream in = archive.open(name)) {
                record = CleanerHealth.head(in);
            } catch (Exception e) {
                LOG.warn("Audit record {} is unreadable; passed over for the last-run series ({})", archive.address(name), e.toString());
                continue;
            }
            if (last.isEmpty()) {
                last = Optional.of(lastRun(record));
            }
            Optional<Instant> completed = time(record, "completedAt");
            if (isSuccess(record) && completed.isPresent()) {
                return new LastRuns(completed, last);
            }
        }
        return new LastRuns(Optional.empty(), last);
    }

    private static LastRun lastRun(JsonNode record) {
        Optional<Instant> started = time(record, "startedAt");
        Optional<Instant> completed = time(record, "completedAt");
        Optional<Long> took = started.isPresent() && completed.isPresent()
                ? Optional.of(Duration.between(started.get(), completed.get()).toMillis()) : Optional.empty();
        return new LastRun(exitCode(record), record.path("errors").size(), record.path("dryRun").asBoolean(true), completed, took);
    }

    /** The exit code run-once gave for this record (the order of the README's exit codes: 2, 1, 75, 4). */
    static int exitCode(JsonNode record) {
        String status = record.path("status").asText("");
        if (status.equals("refused")) {
            return 2;
        }
        if (record.path("errors").size() > 0 || status.equals("running")) {
            return 1; // a record left "running" is a run that died before its end
        }
        return switch (status) {
            case "lease_unavailable" -> 75;
            case "interrupted" -> 4;
            case "completed" -> 0;
            default -> -1;
        };
    }

    private static boolean isSuccess(JsonNode record) {
        String status = record.path("status").asText("");
        return record.path("errors").isArray() && record.path("errors").isEmpty()
                && (status.equals("completed") || status.equals("interrupted"));
    }

    private static Optional<Instant> time(JsonNode record, String field) {
        try {
            return Optional.of(Instant.parse(record.path(field).asText("")));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }
}
