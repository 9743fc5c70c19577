package ai.datapilot.cleaner.rules;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The operator's selection rules, validated: ordered retention rules (first match wins, then
 * {@code JOB_TTL_HOURS}) and keep rules (exclusions). Read from {@code CLEANER_RULES_FILE}.
 */
public record CleanerRules(List<RetentionRule> retention, List<KeepRule> keep, double defaultTtlHours, Optional<String> source) {

    /** The name the audit gives the JOB_TTL_HOURS rule. */
    public static final String DEFAULT = "default";

    public static CleanerRules defaultOnly(double ttlHours) {
        return new CleanerRules(List.of(), List.of(), ttlHours, Optional.empty());
    }

    public RunRules bind(Instant startedAt) {
        return new RunRules(this, startedAt);
    }

    /** The job-record fields keep rules look at: the scan reads them with each record, capped. */
    public List<String> watchedFields() {
        Set<String> fields = new LinkedHashSet<>();
        for (KeepRule rule : keep) {
            if (rule.field() != null) {
                fields.add(rule.field());
            }
        }
        return new ArrayList<>(fields);
    }

    public boolean isDefaultOnly() {
        return retention.isEmpty() && keep.isEmpty();
    }
}
