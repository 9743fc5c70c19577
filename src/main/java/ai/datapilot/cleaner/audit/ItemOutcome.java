package ai.datapilot.cleaner.audit;

import ai.datapilot.cleaner.store.ScannedItem;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * One entry of the audit's {@code items}: an item chosen for deletion and what became of it.
 *
 * @param outcome {@code deleted}, {@code would_delete} (dry run), {@code failed} or {@code skipped}
 * @param reason  why it was not deleted, or a note such as "already gone"
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"store", "id", "timestamp", "outcome", "reason"})
public record ItemOutcome(String store, String id, String timestamp, String outcome, String reason,
        @JsonIgnore ScannedItem item) {

    public static final String DELETED = "deleted";
    public static final String WOULD_DELETE = "would_delete";
    public static final String FAILED = "failed";
    public static final String SKIPPED = "skipped";

    public static ItemOutcome of(ScannedItem item, String outcome, String reason) {
        return new ItemOutcome(item.store().auditName(), item.id(), item.age().toString(), outcome, reason, item);
    }

    /** Counts towards deletedBlobs/deletedKeys (in dry run: what would be deleted). */
    public boolean removes() {
        return DELETED.equals(outcome) || WOULD_DELETE.equals(outcome);
    }
}
