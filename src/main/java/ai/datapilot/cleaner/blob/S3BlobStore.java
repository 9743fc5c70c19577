package ai.datapilot.cleaner.blob;

import ai.datapilot.cleaner.audit.RunLogContext;
import ai.datapilot.cleaner.settings.S3Location;
import ai.datapilot.cleaner.store.ChunkPartlyFailedException;
import ai.datapilot.cleaner.store.CleanerError;
import ai.datapilot.cleaner.store.ItemScan;
import ai.datapilot.cleaner.store.LeaseCheck;
import ai.datapilot.cleaner.store.Recheck;
import ai.datapilot.cleaner.store.ScanSink;
import ai.datapilot.cleaner.store.ScannedItem;
import ai.datapilot.cleaner.store.StoreKind;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;
import javax.xml.stream.XMLStreamException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.DeleteObjectRequest;
import software.amazon.awssdk.services.s3.model.EncodingType;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Blobs in an S3-compatible bucket. Each prefix is listed a page of 1000 keys at a time (never the
 * whole listing in memory), the prefixes at once, keys URL-encoded on the wire so that any key (a
 * control character included) survives the XML; an object's age is its LastModified. A candidate is
 * deleted on its own: a HEAD (same ETag, size and LastModified as listed, still expired, else kept)
 * and right after it, on the same thread, a DeleteObject of exactly what the HEAD saw: in a versioned
 * bucket the version the HEAD returned (a re-upload is a new version and stays), elsewhere with the
 * HEAD's ETag (If-Match) and LastModified (x-amz-if-match-last-modified-time) as conditions where the
 * server takes them. So an object's window between its check and its delete is one round trip, not
 * the time to check a thousand others. Only keys under the configured prefixes are ever listed, so
 * only those can be deleted; the audit prefix is outside all of them.
 */
public final class S3BlobStore implements BlobStore {

    private static final Logger LOG = LoggerFactory.getLogger(S3BlobStore.class);
    static final int PAGE = 1000;
    /** Candidates handed over at once when deletes are not paced (each is still deleted on its own). */
    public static final int DELETE_BATCH = 1000;
    /** Objects checked and deleted at once: each request mostly waits on the network. */
    static final int WORKERS = 32;

    /** Conditions a delete carries, dropped one by one when the server answers NotImplemented. */
    private static final int ETAG_AND_LAST_MODIFIED = 0;
    private static final int ETAG_ONLY = 1;
    private static final int NO_CONDITION = 2;

    private final Supplier<S3Client> client;
    private final S3Location location;
    private final List<String> prefixes;
    private final List<Integer> pageSizes;
    private volatile LeaseCheck lease;
    private final AtomicInteger conditions = new AtomicInteger(ETAG_AND_LAST_MODIFIED);
    private final ExecutorService workers = Executors.newFixedThreadPool(WORKERS, r -> {
        Thread t = new Thread(r, "cleaner-s3-delete");
        t.setDaemon(true);
        return t;
    });

    /** What the listing said of an object: its full key and what a re-check compares. */
    record ObjectRef(String key, String eTag, Instant lastModified, long size) {
    }

    /** What a HEAD found, and what a delete of exactly that object then names. */
    private record Checked(Recheck answer, String eTag, Instant lastModified, String versionId) {
    }

    public S3BlobStore(S3Client s3, S3Location location, List<String> prefixes) {
        this(() -> s3, location, prefixes);
    }

    /** @param client the client, asked for when the first request is made (it may still be starting) */
    public S3BlobStore(Supplier<S3Client> client, S3Location location, List<String> prefixes) {
        this(client, location, prefixes, PAGE);
    }

    S3BlobStore(Supplier<S3Client> client, S3Location location, List<String> prefixes, int pageSize) {
        this.client = client;
        this.location = location;
        this.prefixes = List.copyOf(prefixes);
        this.pageSizes = pageSizes(pageSize);
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
                ListObjectsV2Response page = listPage(keyPrefix, token);
                for (S3Object object : page.contents()) {
                    emit(keyPrefix, object, sink);
                }
                token = Boolean.TRUE.equals(page.isTruncated()) ? page.nextContinuationToken() : null;
            } while (token != null && !sink.stopRequested());
        } catch (RuntimeException e) {
            sink.failed(CleanerError.blobScan(prefix, null, "listing " + describe() + "/" + printable(keyPrefix) + " failed: " + message(e)));
        }
    }

    /**
     * One page, keys URL-encoded (the SDK decodes Key, Prefix and StartAfter when the answer says
     * EncodingType url). Some servers (s3proxy's filesystem store, Ceph RGW) still write the page's
     * last key raw as the continuation token, so a truncated page ending on a key with a control
     * character cannot be parsed: it is asked again with fewer keys (then more), to end on another.
     */
    private ListObjectsV2Response listPage(String keyPrefix, String token) {
        SdkClientException firstFailure = null;
        for (int size : pageSizes) {
            ListObjectsV2Request.Builder request = ListObjectsV2Request.builder()
                    .bucket(location.bucket()).prefix(keyPrefix).maxKeys(size).encodingType(EncodingType.URL);
            if (token != null) {
                request.continuationToken(token);
            }
            try {
                return client.get().listObjectsV2(request.build());
            } catch (SdkClientException e) {
                if (!unparseable(e)) {
                    throw e;
                }
                firstFailure = firstFailure == null ? e : firstFailure;
                LOG.debug("A page of {} keys under {} could not be parsed; asking for another number", size, printable(keyPrefix));
            }
        }
        throw new IllegalStateException("no page of the listing after this point can be parsed (a key with a control character"
                + " that this server writes unescaped into its continuation token?)", firstFailure);
    }

    /** The page size, then fewer keys (n-1, then halving to 1), then more, up to the 1000 S3 allows. */
    private static List<Integer> pageSizes(int pageSize) {
        List<Integer> sizes = new ArrayList<>();
        sizes.add(pageSize);
        for (int s = pageSize - 1; s >= 1; s /= 2) {
            sizes.add(s);
        }
        for (int s = pageSize + 1; s <= PAGE; s++) {
            sizes.add(s);
        }
        return List.copyOf(sizes);
    }

    private static boolean unparseable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof XMLStreamException) {
                return true;
            }
        }
        return false;
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
        return head((ObjectRef) candidate.ref(), cutoff).answer();
    }

    @Override
    public Recheck deleteIfUnchanged(ScannedItem candidate, Instant cutoff) {
        return checkAndDelete((ObjectRef) candidate.ref(), cutoff);
    }

    /** A chunk is worked as one unit: its objects together, each failure reported on its own. */
    @Override
    public boolean deletesInChunks() {
        return true;
    }

    @Override
    public List<Recheck> recheckAll(List<ScannedItem> candidates, Instant cutoff) throws ChunkPartlyFailedException {
        return forEach(candidates, ref -> head(ref, cutoff).answer());
    }

    @Override
    public List<Recheck> deleteAllIfUnchanged(List<ScannedItem> candidates, Instant cutoff) throws ChunkPartlyFailedException {
        return forEach(candidates, ref -> checkAndDelete(ref, cutoff));
    }

    /** One answer per candidate, in order; null where that candidate's requests failed. */
    private List<Recheck> forEach(List<ScannedItem> candidates, Function<ObjectRef, Recheck> work) throws ChunkPartlyFailedException {
        if (candidates.size() == 1) {
            return new ArrayList<>(List.of(work.apply((ObjectRef) candidates.get(0).ref())));
        }
        List<Future<Recheck>> tasks = new ArrayList<>(candidates.size());
        for (ScannedItem c : candidates) {
            tasks.add(workers.submit(RunLogContext.carried(() -> work.apply((ObjectRef) c.ref()))));
        }
        List<Recheck> answers = new ArrayList<>(candidates.size());
        Exception firstFailure = null;
        for (Future<Recheck> task : tasks) {
            try {
                answers.add(task.get());
            } catch (ExecutionException e) {
                answers.add(null);
                firstFailure = firstFailure == null ? (Exception) e.getCause() : firstFailure;
            } catch (InterruptedException e) {
                tasks.forEach(t -> t.cancel(false));
                Thread.currentThread().interrupt();
                throw new IllegalStateException("delete of a chunk interrupted", e);
            }
        }
        if (firstFailure != null) {
            throw new ChunkPartlyFailedException(answers, firstFailure);
        }
        return answers;
    }

    /**
     * Deletes only while Redis confirms this run's lease (checked at most a moment before each
     * delete): a run whose lease was lost or taken stops deleting at once, not at its next renewal.
     */
    public void guardDeletesWith(LeaseCheck lease) {
        this.lease = lease;
    }

    /** HEAD, then at once a delete of exactly what the HEAD saw (see the class comment). */
    private Recheck checkAndDelete(ObjectRef ref, Instant cutoff) {
        while (true) {
            int level = conditions.get();
            Checked checked = head(ref, cutoff);
            if (checked.answer().state() != Recheck.State.EXPIRED) {
                return checked.answer();
            }
            LeaseCheck guard = lease;
            String unconfirmed = guard == null ? null : guard.unconfirmed();
            if (unconfirmed != null) {
                guard.lost(unconfirmed + ": objects were kept from then on");
                return Recheck.changed("not deleted: " + unconfirmed);
            }
            DeleteObjectRequest request = deleteRequest(ref, checked, level);
            try {
                client.get().deleteObject(request);
                return Recheck.EXPIRED;
            } catch (S3Exception e) {
                if (e.statusCode() == 412) {
                    return Recheck.changed("rewritten between its re-check and its delete (the server's conditional delete refused it)");
                }
                if (e.statusCode() == 404 && !"NoSuchBucket".equals(errorCode(e))) {
                    // a conditional delete of a key or version no longer there (AWS: NoSuchKey)
                    return Recheck.gone("already gone");
                }
                boolean conditional = request.ifMatch() != null || request.ifMatchLastModifiedTime() != null;
                if (conditional && notImplemented(e)) {
                    dropCondition(level, e);
                    continue; // checked again: the refused request took a round trip of its own
                }
                throw e;
            }
        }
    }

    private DeleteObjectRequest deleteRequest(ObjectRef ref, Checked checked, int level) {
        DeleteObjectRequest.Builder request = DeleteObjectRequest.builder().bucket(location.bucket()).key(ref.key());
        // "null" names the version written while versioning was off or suspended, which a re-upload
        // there replaces under the same id: it protects nothing, the conditions must
        if (checked.versionId() != null && !"null".equals(checked.versionId())) {
            // only the version checked; AWS refuses If-Match together with a versionId (501)
            return request.versionId(checked.versionId()).build();
        }
        if (level <= ETAG_ONLY && checked.eTag() != null) {
            request.ifMatch(checked.eTag());
        }
        if (level == ETAG_AND_LAST_MODIFIED && checked.lastModified() != null) {
            // an identical re-upload keeps the ETag; only its LastModified tells it apart
            request.ifMatchLastModifiedTime(checked.lastModified());
        }
        return request.build();
    }

    private static boolean notImplemented(S3Exception e) {
        return e.statusCode() == 501 || "NotImplemented".equals(errorCode(e));
    }

    private static String errorCode(S3Exception e) {
        return e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
    }

    private void dropCondition(int level, S3Exception e) {
        if (level < NO_CONDITION && conditions.compareAndSet(level, level + 1)) {
            if (level == ETAG_AND_LAST_MODIFIED) {
                LOG.warn("{} does not take a delete conditioned on LastModified ({}): deleting with If-Match (ETag) only. An object"
                        + " re-uploaded with the same bytes between its HEAD and its delete (one round trip) can be deleted;"
                        + " a versioned bucket closes that window", describe(), message(e));
            } else {
                LOG.warn("{} does not take a conditional delete ({}): deleting right after each HEAD without a condition. An"
                        + " object rewritten between its HEAD and its delete (one round trip) can be deleted; a versioned bucket"
                        + " closes that window", describe(), message(e));
            }
        }
    }

    /** HEAD: gone, rewritten (ETag, size or LastModified moved), no longer expired, or still the object the scan saw. */
    private Checked head(ObjectRef ref, Instant cutoff) {
        HeadObjectResponse now;
        try {
            now = client.get().headObject(HeadObjectRequest.builder().bucket(location.bucket()).key(ref.key()).build());
        } catch (NoSuchKeyException e) {
            return new Checked(Recheck.gone("already gone"), null, null, null);
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return new Checked(Recheck.gone("already gone"), null, null, null);
            }
            throw e;
        }
        return new Checked(compare(ref, now, cutoff), now.eTag(), now.lastModified(), now.versionId());
    }

    private static Recheck compare(ObjectRef ref, HeadObjectResponse now, Instant cutoff) {
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
                        + " AWS_PROFILE, web identity) and that their policy allows s3:ListBucket on the prefixes, s3:GetObject and"
                        + " s3:DeleteObject on their keys, and in a versioned bucket s3:DeleteObjectVersion";
            }
            return text;
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /** A key as a log line may show it: control characters as \\uXXXX, so a key cannot forge a line. */
    static String printable(String key) {
        StringBuilder out = new StringBuilder(key.length());
        key.chars().forEach(c -> {
            if (Character.isISOControl(c) || c == 0x2028 || c == 0x2029) {
                out.append(String.format("\\u%04x", c));
            } else {
                out.append((char) c);
            }
        });
        return out.toString();
    }

    public void close() {
        workers.shutdownNow();
    }
}
