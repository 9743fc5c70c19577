package ai.datapilot.cleaner.audit;

import ai.datapilot.cleaner.rules.CleanerRules;
import ai.datapilot.cleaner.rules.RunRules;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/**
 * What a run is, fixed when it opens and never changed: its id, start, rules and their cutoffs,
 * deadline, dry run and stores. Every step reads these from here; what the run did goes into the
 * tally ({@link CleanerRun}).
 *
 * @param rules null only for a run refused before its settings were known
 */
public record RunContext(String runId, Instant startedAt, boolean dryRun, Double ttlHours, RunRules rules, Instant deadline,
        Duration maxRuntime, Integer maxDeleteBatch, String blobStore, String jobRecordStore) {

    public static RunContext open(Instant startedAt, CleanerRules rules, boolean dryRun, Integer maxDeleteBatch, String blobStore,
            String jobRecordStore, Duration maxRuntime) {
        return new RunContext(UUID.randomUUID().toString(), startedAt, dryRun, rules == null ? null : rules.defaultTtlHours(),
                rules == null ? null : rules.bind(startedAt), maxRuntime == null ? null : startedAt.plus(maxRuntime), maxRuntime,
                maxDeleteBatch, blobStore, jobRecordStore);
    }

    /** The JOB_TTL_HOURS cutoff (the default rule's); null when there is no TTL. */
    public Instant cutoff() {
        return rules == null ? null : rules.defaultCutoff();
    }

    public int cap() {
        return maxDeleteBatch == null ? 0 : maxDeleteBatch;
    }
}
