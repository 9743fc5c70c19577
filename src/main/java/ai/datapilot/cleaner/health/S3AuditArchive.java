package ai.datapilot.cleaner.health;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Audit records as objects under the audit prefix of a bucket. The probe is one listing of that
 * prefix: it needs no right beyond the cleaner's policy (HeadBucket would need an unconditioned
 * s3:ListBucket) and leaves nothing behind (the policy lets the cleaner write there, not delete).
 */
public final class S3AuditArchive implements AuditArchive {

    private final S3Client s3;
    private final String bucket;
    private final String keyPrefix;

    public S3AuditArchive(S3Client s3, String bucket, String keyPrefix) {
        this.s3 = s3;
        this.bucket = bucket;
        this.keyPrefix = keyPrefix;
    }

    @Override
    public String where() {
        return "s3://" + bucket + "/" + keyPrefix;
    }

    @Override
    public String probe() {
        s3.listObjectsV2(b -> b.bucket(bucket).prefix(keyPrefix).maxKeys(1));
        return "bucket " + bucket + " reachable; audit prefix " + where() + " listable";
    }

    /** Names sort in time order; a listing comes in key order, so the newest is on the last page. */
    @Override
    public List<String> newestFirst() {
        List<String> names = new ArrayList<>();
        String token = null;
        do {
            ListObjectsV2Request.Builder request = ListObjectsV2Request.builder().bucket(bucket).prefix(keyPrefix + "cleaner_").maxKeys(1000);
            if (token != null) {
                request.continuationToken(token);
            }
            ListObjectsV2Response page = s3.listObjectsV2(request.build());
            for (S3Object o : page.contents()) {
                String name = o.key().substring(keyPrefix.length());
                if (!name.contains("/") && name.endsWith(".json")) {
                    names.add(name);
                }
            }
            token = Boolean.TRUE.equals(page.isTruncated()) ? page.nextContinuationToken() : null;
        } while (token != null);
        names.sort(Comparator.reverseOrder());
        return names;
    }

    @Override
    public InputStream open(String name) {
        return s3.getObject(b -> b.bucket(bucket).key(keyPrefix + name));
    }

    @Override
    public String address(String name) {
        return where() + name;
    }
}
