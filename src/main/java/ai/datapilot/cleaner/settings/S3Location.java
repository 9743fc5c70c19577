package ai.datapilot.cleaner.settings;

import java.net.URI;
import java.util.Optional;

/**
 * Where the blobs are when they live in object storage: {@code BLOB_STORAGE_URL=s3://bucket[/base]}
 * plus the endpoint, region and addressing style. Credentials are never part of it: the AWS SDK's
 * default provider chain finds them (environment, profile, web identity, container, instance).
 *
 * @param base     the key prefix every path is relative to: "" or a folder ending in '/'
 * @param endpoint an S3-compatible server (MinIO, Ceph, R2, GCS interop); empty for AWS itself
 */
public record S3Location(String bucket, String base, Optional<URI> endpoint, String region, boolean pathStyle) {

    /** What logs and the audit record name: {@code s3://bucket} or {@code s3://bucket/base}. */
    public String describe() {
        return "s3://" + bucket + (base.isEmpty() ? "" : "/" + base.substring(0, base.length() - 1));
    }

    /** The full key of a path relative to the base. */
    public String key(String relative) {
        return base + relative;
    }
}
