package ai.datapilot.cleaner.audit;

import ai.datapilot.cleaner.store.ScannedItem;
import ai.datapilot.cleaner.store.SkipReason;

/**
 * One entry of the audit's {@code items}: an item the run chose for deletion, or kept by a rule,
 * and what became of it.
 *
 * @param kind   what became of it
 * @param reason why it was not deleted, or a note such as "already gone"
 * @param why    for a skip, its kind (the metric's label); null otherwise
 * @param rule   the rule that decided: the retention rule of a deleted item, the keep rule of a kept one
 */
public record ItemOutcome(Outcome kind, String reason, SkipReason why, String rule, ScannedItem item) {

    public static final String DELETED = Outcome.DELETED.auditName();
    public static final String WOULD_DELETE = Outcome.WOULD_DELETE.auditName();
    public static final String FAILED = Outcome.FAILED.auditName();
    public static final String SKIPPED = Outcome.SKIPPED.auditName();
    public static final String KEPT = Outcome.KEPT.auditName();

    public static ItemOutcome of(ScannedItem item, Outcome outcome, String reason) {
        return new ItemOutcome(outcome, reason, outcome == Outcome.SKIPPED ? SkipReason.CHANGED_AFTER_SCAN : null, item.rule(), item);
    }

    public static ItemOutcome of(ScannedItem item, String outcome, String reason) {
        return of(item, Outcome.of(outcome), reason);
    }

    public static ItemOutcome skipped(ScannedItem item, SkipReason why, String reason) {
        return new ItemOutcome(Outcome.SKIPPED, reason, why, item.rule(), item);
    }

    public static ItemOutcome kept(ScannedItem item, String rule, String reason) {
        return new ItemOutcome(Outcome.KEPT, reason, null, rule, item);
    }

    /** The audit's {@code outcome}: deleted, would_delete, failed, skipped or kept. */
    public String outcome() {
        return kind.auditName();
    }

    public String store() {
        return item.store().auditName();
    }

    public String id() {
        return item.id();
    }

    public String timestamp() {
        return item.age().toString();
    }

    /** Counts towards deletedBlobs/deletedKeys (in dry run: what would be deleted). */
    public boolean removes() {
        return kind.removes();
    }
}
