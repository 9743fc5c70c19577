package ai.datapilot.cleaner.store;

import java.util.Collections;
import java.util.List;

/**
 * A chunk request in which some items were worked and others failed on their own (a key whose
 * slot moved, an object the store refused to delete). The answers hold one entry per item, in
 * order, null where the item failed: those alone are retried, the others are done.
 */
public final class ChunkPartlyFailedException extends Exception {

    private final transient List<Recheck> answers;

    public ChunkPartlyFailedException(List<Recheck> answers, Exception firstFailure) {
        super(failures(answers) + " of " + answers.size() + " items failed: " + firstFailure.getMessage(), firstFailure);
        this.answers = Collections.unmodifiableList(answers);
    }

    private static long failures(List<Recheck> answers) {
        return answers.stream().filter(a -> a == null).count();
    }

    public List<Recheck> answers() {
        return answers;
    }
}
