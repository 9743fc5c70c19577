package ai.datapilot.cleaner.store;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * An entry of the audit's {@code errors} array. The types are those of the original job
 * ({@code blob_scan_failed}, {@code blob_deletion_failed}, {@code redis_scan_failed},
 * {@code redis_deletion_failed}, {@code cleanup_failed}) plus {@code config_invalid},
 * {@code audit_write_failed} and {@code lease_failed}. Exactly one of path/key/prefix/variable names what failed.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CleanerError(String type, String message, String path, String key, String prefix, String variable) {

    public static CleanerError blobScan(String prefix, String path, String message) {
        return new CleanerError("blob_scan_failed", message, path, null, path == null ? prefix : null, null);
    }

    public static CleanerError blobDeletion(String path, String message) {
        return new CleanerError("blob_deletion_failed", message, path, null, null, null);
    }

    public static CleanerError redisScan(String message) {
        return new CleanerError("redis_scan_failed", message, null, "job:*", null, null);
    }

    public static CleanerError redisDeletion(String key, String message) {
        return new CleanerError("redis_deletion_failed", message, null, key, null, null);
    }

    public static CleanerError config(String variable, String message) {
        return new CleanerError("config_invalid", message, null, null, null, variable);
    }

    public static CleanerError cleanup(String message) {
        return new CleanerError("cleanup_failed", message, null, null, null, null);
    }

    public static CleanerError auditWrite(String path, String message) {
        return new CleanerError("audit_write_failed", message, path, null, null, null);
    }

    /** The lease could not be taken or kept for a reason other than another run holding it. */
    public static CleanerError lease(String path, String key, String message) {
        return new CleanerError("lease_failed", message, path, key, null, null);
    }
}
