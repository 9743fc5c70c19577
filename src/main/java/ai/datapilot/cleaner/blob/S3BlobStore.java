package ai.datapilot.cleaner.blob;

import ai.datapilot.cleaner.settings.S3Location;
import ai.datapilot.cleaner.store.ChunkPartlyFailedException;
import ai.datapilot.cleaner.store.CleanerError;
import ai.datapilot.cleaner.store.ItemScan;
import ai.datapilot.cleaner.store.Recheck;
import ai.datapilot.cleaner.store.ScanSink;
import ai.datapilot.cleaner.store.ScannedItem;
import ai.datapilot.cleaner.store.StoreKind;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Set;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.Delete;
import software.amazon.awssdk.services.s3.model.DeleteObjectsRequest;
import software.amazon.awssdk.services.s3.model.DeleteObjectsResponse;
import software.amazon.awssdk.services.s3.model.DeletedObject;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Error;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Blobs in an S3-compatible bucket. Each prefix is listed a page of 1000 keys at a time (never the
 * whole listing in memory), the prefixes at once; an object's age is its LastModified. Candidates
 * are looked at again with HEAD just before they go (same ETag and LastModified, else kept), then
 * deleted up to 1000 per DeleteObjects request; each key also carries its ETag, which AWS S3 and
 * Ceph check (a conditional delete) and other servers ignore. Only keys under the configured
 * prefixes are ever listed, so only those can be deleted; the audit prefix is outside all of them.
 */
public final class S3BlobStore implements BlobStore {

    private static final Logger LOG = LoggerFactory.getLogger(S3BlobStore.class);
    static final int PAGE = 1000;
    /** DeleteObjects takes at most 1000 keys. */
    public static final int DELETE_BATCH = 1000;
    /** HEAD requests in flight while a chunk is re-checked: each mostly waits on the network. */
    private static final int RECHECKERS = 32;

    private final Supplier<S3Client> client;
    private final S3Location location;
    private final List<String> prefixes;
    private final ExecutorService recheckers = Executors.newFixedThreadPool(RECHECKERS, r -> {
        Thread t = new Thread(r, "cleaner-s3-recheck");
        t.setDaemon(true);
        return t;
    });

    /** What the listing said of an object: its full key and what a re-check compares. */
    record ObjectRef(String key, String eTag, Instant lastModified, long size) {
    }

    public S3BlobStore(S3Client s3, S3Location location, List<String> prefixes) {
        this(() -> s3, location, prefixes);
    }

    /** @param client the client, asked for when the first request is made (it may still be starting) */
    public S3BlobStore(Supplier<S3Client> client, S3Location location, List<String> prefixes) {
        this.client = client;
        this.location = location;
        this.prefixes = List.copyOf(prefixes);
    }

    @Override
    public StoreKind kind() {
        return StoreKind.BLOB;
    }

    @Override
    public String describe() {
        return location.describe();
    }

    /** Prefixes are listed at once, one thread each: a listing mostly waits on the server. */
    @Override
    public ItemScan scan() {
        return PrefixScans.of(prefixes, this::scanPrefix, "cleaner-s3-list");
    }

    private void scanPrefix(String prefix, ScanSink sink) {
        String keyPrefix = location.key(prefix);
        String token = null;
        try {
            do {
                ListObjectsV2Request.Builder request = ListObjectsV2Request.builder()
                        .bucket(location.bucket()).prefix(keyPrefix).maxKeys(PAGE);
                if (token != null) {
                    request.continuationToken(token);
                }
                ListObjectsV2Response page = client.get().listObjectsV2(request.build());
                for (S3Object object : page.contents()) {
                    emit(keyPrefix, object, sink);
                }
                token = Boolean.TRUE.equals(page.isTruncated()) ? page.nextContinuationToken() : null;
            } while (token != null && !sink.stopRequested());
        } catch (RuntimeException e) {
            sink.failed(CleanerError.blobScan(prefix, null, "listing " + describe() + "/" + keyPrefix + " failed: " + message(e)));
        }
    }

    private void emit(String keyPrefix, S3Object object, ScanSink sink) {
        String key = object.key();
        String id = key.substring(location.base().length());
        if (!key.startsWith(keyPrefix)) {
            // a server that ignores the prefix must not lead the cleaner outside it
            sink.skipped(id, "listed outside its prefix " + keyPrefix + "; never deleted");
            return;
        }
        Instant modified = object.lastModified();
        if (modified == null) {
            sink.skipped(id, "the store gave no LastModified; its age cannot be established");
            return;
        }
        if (sink.interested(modified)) {
            ObjectRef ref = new ObjectRef(key, object.eTag(), modified, object.size() == null ? -1 : object.size());
            sink.scanned(new ScannedItem(StoreKind.BLOB, id, modified, ref.eTag(), ref));
        } else {
            sink.passed();
        }
    }

    @Override
    public Recheck recheck(ScannedItem candidate, Instant cutoff) {
        return head((ObjectRef) candidate.ref(), cutoff);
    }

    @Override
    public Recheck deleteIfUnchanged(ScannedItem candidate, Instant cutoff) throws ChunkPartlyFailedException {
        return deleteAllIfUnchanged(List.of(candidate), cutoff).get(0);
    }

    /** One request per chunk: the chunk's re-checks run together, then one DeleteObjects. */
    @Override
    public boolean deletesInChunks() {
        return true;
    }

    @Override
    public List<Recheck> recheckAll(List<ScannedItem> candidates, Instant cutoff) throws ChunkPartlyFailedException {
        return headAll(candidates, cutoff);
    }

    @Override
    public List<Recheck> deleteAllIfUnchanged(List<ScannedItem> candidates, Instant cutoff) throws ChunkPartlyFailedException {
        List<Recheck> answers = headAll(candidates, cutoff);
        List<ObjectIdentifier> toDelete = new ArrayList<>();
        Map<String, Integer> positions = new HashMap<>();
        for (int i = 0; i < candidates.size(); i++) {
            if (answers.get(i).state() == Recheck.State.EXPIRED) {
                ObjectRef ref = (ObjectRef) candidates.get(i).ref();
                ObjectIdentifier.Builder id = ObjectIdentifier.builder().key(ref.key());
                if (ref.eTag() != null) {
                    id.eTag(ref.eTag());
                }
                toDelete.add(id.build());
                positions.put(ref.key(), i);
            }
        }
        Exception firstFailure = null;
        for (int from = 0; from < toDelete.size(); from += DELETE_BATCH) {
            List<ObjectIdentifier> batch = toDelete.subList(from, Math.min(toDelete.size(), from + DELETE_BATCH));
            Exception failure;
            try {
                failure = deleteBatch(batch, positions, answers);
            } catch (SdkException wholeRequest) {
                if (batch.size() == 1) {
                    throw wholeRequest;
                }
                // some servers fail the whole request for one object they cannot delete: then one
                // by one, so that object's failure is its own
                LOG.warn("DeleteObjects of {} keys failed ({}); deleting them one by one", batch.size(), message(wholeRequest));
                failure = null;
                for (ObjectIdentifier one : batch) {
                    Exception f;
                    try {
                        f = deleteBatch(List.of(one), positions, answers);
                    } catch (SdkException e) {
                        answers.set(positions.get(one.key()), null);
                        f = e;
                    }
                    failure = failure == null ? f : failure;
                }
            }
            firstFailure = firstFailure == null ? failure : firstFailure;
        }
        if (firstFailure != null) {
            throw new ChunkPartlyFailedException(answers, firstFailure);
        }
        return answers;
    }

    /**
     * One DeleteObjects request. Sets each key's answer: deleted (left as it was), gone, rewritten,
     * or null when the server refused it or did not answer for it; returns the first such failure.
     */
    private Exception deleteBatch(List<ObjectIdentifier> batch, Map<String, Integer> positions, List<Recheck> answers) {
        DeleteObjectsResponse response = client.get().deleteObjects(DeleteObjectsRequest.builder()
                .bucket(location.bucket())
                .delete(Delete.builder().objects(batch).quiet(false).build())
                .build());
        Set<String> unanswered = new HashSet<>();
        batch.forEach(o -> unanswered.add(o.key()));
        for (DeletedObject deleted : response.deleted()) {
            unanswered.remove(deleted.key());
        }
        Exception failure = null;
        for (S3Error error : response.errors()) {
            Integer i = positions.get(error.key());
            if (i == null || !unanswered.remove(error.key())) {
                continue;
            }
            switch (String.valueOf(error.code())) {
                case "NoSuchKey" -> answers.set(i, Recheck.gone("already gone"));
                case "PreconditionFailed" -> answers.set(i, Recheck.changed("rewritten after the scan (ETag no longer matches)"));
                default -> {
                    answers.set(i, null);
                    failure = failure != null ? failure
                            : new IllegalStateException("DeleteObjects refused " + error.key() + ": " + error.code() + " " + error.message());
                }
            }
        }
        // not reported as deleted nor as an error: unknown, so retried (the retry's HEAD tells)
        for (String key : unanswered) {
            answers.set(positions.get(key), null);
            failure = failure != null ? failure : new IllegalStateException("DeleteObjects gave no answer for " + key);
        }
        return failure;
    }

    private List<Recheck> headAll(List<ScannedItem> candidates, Instant cutoff) throws ChunkPartlyFailedException {
        if (candidates.size() == 1) {
            return new ArrayList<>(List.of(recheck(candidates.get(0), cutoff)));
        }
        List<Future<Recheck>> checks = new ArrayList<>(candidates.size());
        for (ScannedItem c : candidates) {
            checks.add(recheckers.submit(() -> head((ObjectRef) c.ref(), cutoff)));
        }
        List<Recheck> answers = new ArrayList<>(candidates.size());
        Exception firstFailure = null;
        for (Future<Recheck> check : checks) {
            try {
                answers.add(check.get());
            } catch (ExecutionException e) {
                answers.add(null);
                firstFailure = firstFailure == null ? (Exception) e.getCause() : firstFailure;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("re-check interrupted", e);
            }
        }
        if (firstFailure != null) {
            throw new ChunkPartlyFailedException(answers, firstFailure);
        }
        return answers;
    }

    /** HEAD: gone, rewritten (ETag or LastModified moved), or still the object the scan saw. */
    private Recheck head(ObjectRef ref, Instant cutoff) {
        HeadObjectResponse now;
        try {
            now = client.get().headObject(b -> b.bucket(location.bucket()).key(ref.key()));
        } catch (NoSuchKeyException e) {
            return Recheck.gone("already gone");
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return Recheck.gone("already gone");
            }
            throw e;
        }
        if (ref.eTag() != null && !ref.eTag().equals(now.eTag())) {
            return Recheck.changed("rewritten after the scan (ETag changed)");
        }
        if (ref.size() >= 0 && now.contentLength() != null && now.contentLength() != ref.size()) {
            return Recheck.changed("rewritten after the scan (size changed)");
        }
        // a listing gives milliseconds, a HEAD's HTTP date whole seconds
        if (now.lastModified() == null
                || !now.lastModified().truncatedTo(ChronoUnit.SECONDS).equals(ref.lastModified().truncatedTo(ChronoUnit.SECONDS))) {
            return Recheck.changed("modified after the scan (LastModified " + now.lastModified() + ")");
        }
        if (!now.lastModified().isBefore(cutoff)) {
            return Recheck.changed("no longer expired");
        }
        return Recheck.EXPIRED;
    }

    /** Object storage has no folders to remove: a "folder" is gone with its last object. */
    @Override
    public int removeEmptiedFolders(Collection<ScannedItem> deleted) {
        return 0;
    }

    static String message(Throwable e) {
        if (e instanceof AwsServiceException aws && aws.awsErrorDetails() != null) {
            String text = aws.awsErrorDetails().errorCode() + " (HTTP " + aws.statusCode() + "): " + aws.awsErrorDetails().errorMessage();
            if (aws.statusCode() == 403) {
                text += "; check the credentials the AWS provider chain finds (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY,"
                        + " AWS_PROFILE, web identity) and that their policy allows s3:ListBucket on the prefixes";
            }
            return text;
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    public void close() {
        recheckers.shutdownNow();
    }
}
