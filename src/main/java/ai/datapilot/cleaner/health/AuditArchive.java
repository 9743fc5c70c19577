package ai.datapilot.cleaner.health;

import java.io.InputStream;
import java.util.List;

/**
 * Where past audit records are kept, as health reads them: a local folder or a prefix in a bucket.
 * Record names sort in time order, so the newest record is the greatest name.
 */
public interface AuditArchive {

    /** The folder or s3:// prefix, for messages. */
    String where();

    /** Checks that records can be written here; returns what was seen, throws what went wrong. */
    String probe() throws Exception;

    /** The names of the records, newest first. */
    List<String> newestFirst() throws Exception;

    /** A record, to be read from its start (health reads only its head). */
    InputStream open(String name) throws Exception;

    /** The full address of a record (path or s3:// URL). */
    String address(String name);
}
