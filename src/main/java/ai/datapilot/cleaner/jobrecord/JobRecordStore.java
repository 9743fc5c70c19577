package ai.datapilot.cleaner.jobrecord;

import ai.datapilot.cleaner.store.CandidateStore;

/** The store of {@code job:*} records. One Redis today; Redis Cluster later, with the same rules. */
public interface JobRecordStore extends CandidateStore {

    /** The key pattern a scan matches. */
    String PATTERN = "job:*";
}
