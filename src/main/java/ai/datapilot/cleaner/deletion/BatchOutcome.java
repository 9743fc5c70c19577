package ai.datapilot.cleaner.deletion;

import ai.datapilot.cleaner.audit.ItemOutcome;
import java.util.AbstractList;
import java.util.List;

/**
 * What became of one batch, as a route step after {@code delete-candidate} sees it (e.g. the
 * {@code direct:deleted-batch} route of routes/examples/notify-deleted.camel.yaml): a list of the
 * items' outcomes with the batch's facts, {@code ${body.store}}, {@code ${body.rule}},
 * {@code ${body.deleted}} (items deleted, or that would be in dry run), {@code ${body.deletedBytes}}
 * and {@code ${body.dryRun}}.
 */
public final class BatchOutcome extends AbstractList<ItemOutcome> {

    private final List<ItemOutcome> outcomes;
    private final boolean dryRun;

    BatchOutcome(List<ItemOutcome> outcomes, boolean dryRun) {
        this.outcomes = List.copyOf(outcomes);
        this.dryRun = dryRun;
    }

    @Override
    public ItemOutcome get(int index) {
        return outcomes.get(index);
    }

    @Override
    public int size() {
        return outcomes.size();
    }

    public String getStore() {
        return outcomes.isEmpty() ? null : outcomes.get(0).store();
    }

    public String getRule() {
        return outcomes.isEmpty() ? null : outcomes.get(0).rule();
    }

    public boolean isDryRun() {
        return dryRun;
    }

    public long getDeleted() {
        return outcomes.stream().filter(ItemOutcome::removes).count();
    }

    public long getDeletedBytes() {
        return outcomes.stream().filter(ItemOutcome::removes).mapToLong(o -> o.item().knownSize()).sum();
    }

    /** The ids deleted (would be, in dry run). */
    public List<String> getDeletedIds() {
        return outcomes.stream().filter(ItemOutcome::removes).map(ItemOutcome::id).toList();
    }
}
