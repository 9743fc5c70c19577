package ai.datapilot.cleaner.store;

import java.time.Instant;

/**
 * The retention rule an item falls under, fixed at the start of the run.
 *
 * @param rule   the rule's name as the audit shows it ({@code default} for JOB_TTL_HOURS)
 * @param cutoff items older than this are expired under the rule
 */
public record Retention(String rule, Instant cutoff) {
}
