package ai.datapilot.cleaner.store;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The items the plan handed to the deletes, each of which may be passed on once. A route step in
 * the delete split can put anything in a batch (items of another batch, items it altered, text):
 * the delete takes only items planned and not yet passed, of the batch's store and retention rule,
 * and deletes them by the copy of their handle made when the plan was decided (a Redis key is a
 * byte array a step could rewrite in place).
 */
public final class PlannedItems {

    private final Map<ScannedItem, ScannedItem> pristine = new IdentityHashMap<>();
    /** Copies taken whose delete has not finished: only these may come back for a retry. */
    private final Map<ScannedItem, Boolean> inFlight = new IdentityHashMap<>();

    public PlannedItems(List<ScannedItem> plan) {
        for (ScannedItem item : plan) {
            pristine.put(item, item.privateCopy());
        }
    }

    public static PlannedItems none() {
        return new PlannedItems(List.of());
    }

    /**
     * Takes an element of a batch: its own planned copy when it is an item of the plan not passed
     * before, of {@code like}'s store and retention rule (any, when {@code like} is null); else null.
     */
    public synchronized ScannedItem take(Object element, ScannedItem like) {
        if (!(element instanceof ScannedItem item) || !pristine.containsKey(item)) {
            return null;
        }
        ScannedItem planned = pristine.get(item);
        if (like != null && (planned.store() != like.store() || !java.util.Objects.equals(planned.retention(), like.retention()))) {
            return null;
        }
        // the copy made with the plan, which no one else ever held: it is now the deleter's alone
        pristine.remove(item);
        inFlight.put(planned, Boolean.TRUE);
        return planned;
    }

    /** Whether {@code item} is a copy {@link #take} gave out whose delete has not finished. */
    public synchronized boolean inFlight(Object item) {
        return item instanceof ScannedItem && inFlight.containsKey(item);
    }

    /** The delete of a taken copy finished (deleted, kept, gone): it is never retried. */
    public synchronized void finished(ScannedItem taken) {
        inFlight.remove(taken);
    }

    /** Planned items never taken: no step passed them on, and the run stopped before none of them. */
    public synchronized List<ScannedItem> takeRest() {
        List<ScannedItem> rest = new ArrayList<>(pristine.values());
        pristine.clear();
        rest.sort(ScannedItem.OLDEST_FIRST);
        return rest;
    }
}
