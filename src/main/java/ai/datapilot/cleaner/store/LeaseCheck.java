package ai.datapilot.cleaner.store;

/**
 * The lease a store's deletes are made under: a store that can test it in the same atomic step
 * as a delete does, so a run that has lost its lease deletes nothing more, even before its next
 * renewal notices.
 */
public interface LeaseCheck {

    /** The lease key. */
    String key();

    /** The token this run holds the lease with, or null when it holds none (a delete is then refused). */
    String heldToken();

    /** A delete found the lease no longer this run's: the run must stop and report it. */
    void lost(String why);

    /**
     * For a store that cannot test the lease in the same step as a delete (object storage): null
     * when Redis confirmed, a moment ago, that this run still holds the lease; else why not.
     */
    String unconfirmed();
}
