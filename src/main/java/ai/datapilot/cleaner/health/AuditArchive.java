package ai.datapilot.cleaner.health;

import java.util.Optional;

/**
 * Where past audit records are kept, as health reads them: a local folder or a prefix in a bucket.
 * Record names sort in time order, so the newest record is the greatest name.
 */
public interface AuditArchive {

    /** The folder or s3:// prefix, for messages. */
    String where();

    /** Checks that records can be written here; returns what was seen, throws what went wrong. */
    String probe() throws Exception;

    /** The name of the newest record, if any. */
    Optional<String> newest() throws Exception;

    /** A record's bytes. */
    byte[] read(String name) throws Exception;

    /** The full address of a record (path or s3:// URL). */
    String address(String name);
}
