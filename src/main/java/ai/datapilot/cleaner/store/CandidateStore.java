package ai.datapilot.cleaner.store;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A store the cleaner scans and deletes from. Implementations: the local blob store and the Redis
 * job-record store today; object storage and Redis Cluster plug in here.
 */
public interface CandidateStore {

    StoreKind kind();

    /** Where this store is, for logs and the audit (never with a password). */
    String describe();

    /** Opens a scan of everything this store may clean. */
    ItemScan scan();

    /** Looks at a candidate again without changing it (what dry run does instead of deleting). */
    Recheck recheck(ScannedItem candidate, Instant cutoff) throws Exception;

    /**
     * Deletes the candidate if, looked at again right now, it is unchanged since the scan and still
     * expired; atomically where the store allows. Returns what the re-check found.
     */
    Recheck deleteIfUnchanged(ScannedItem candidate, Instant cutoff) throws Exception;

    /**
     * True when the store re-checks and deletes a chunk of candidates in one request (one Redis:
     * one Lua call; a cluster: one pipeline; object storage: one DeleteObjects). A request that
     * fails as a whole fails every item; items that fail on their own are reported with
     * {@link ChunkPartlyFailedException}. Otherwise the chunk is worked item by item, and one item's
     * failure is that item's alone.
     */
    default boolean deletesInChunks() {
        return false;
    }

    /** {@link #recheck} for a chunk; one answer per item, in order. */
    default List<Recheck> recheckAll(List<ScannedItem> candidates, Instant cutoff) throws Exception {
        List<Recheck> answers = new ArrayList<>(candidates.size());
        for (ScannedItem c : candidates) {
            answers.add(recheck(c, cutoff));
        }
        return answers;
    }

    /** {@link #deleteIfUnchanged} for a chunk; one answer per item, in order. */
    default List<Recheck> deleteAllIfUnchanged(List<ScannedItem> candidates, Instant cutoff) throws Exception {
        List<Recheck> answers = new ArrayList<>(candidates.size());
        for (ScannedItem c : candidates) {
            answers.add(deleteIfUnchanged(c, cutoff));
        }
        return answers;
    }
}
