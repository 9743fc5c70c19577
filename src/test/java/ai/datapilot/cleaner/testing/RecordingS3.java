package ai.datapilot.cleaner.testing;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.DeleteObjectRequest;
import software.amazon.awssdk.services.s3.model.DeleteObjectsRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;

/**
 * A real S3 client with a recorder in front: every HEAD and delete goes to the server as it came,
 * and the recorder notes, per key, when its last HEAD was sent and answered and when its delete was
 * sent and answered, and how many HEADs of any key were sent in between. A test may also act right
 * after a key's HEAD is answered and before the caller sees it (the seam between a re-check and its
 * delete), or answer a delete itself (a fault a real server cannot be asked for).
 */
public final class RecordingS3 implements InvocationHandler {

    /** One object's re-check and delete, as the client saw them (System.nanoTime). */
    public record Window(String key, long headSent, long headAnswered, long deleteSent, long deleteAnswered, long headsBetween,
            String versionId, String ifMatch, boolean ifLastModified, boolean sameThreadRightAfterItsHead) {

        /** From the HEAD being sent to the delete being answered: the most the server's gap can be. */
        public double millis() {
            return (deleteAnswered - headSent) / 1e6;
        }
    }

    private record Head(long seq, long sent, long answered) {
    }

    private final S3Client real;
    private final S3Client proxy;
    private final AtomicLong heads = new AtomicLong();
    private final Map<String, Head> lastHead = new ConcurrentHashMap<>();
    private final Map<Thread, String> lastHeadOfThread = new ConcurrentHashMap<>();
    private final List<Window> windows = new CopyOnWriteArrayList<>();
    private final List<HeadObjectResponse> headAnswers = new CopyOnWriteArrayList<>();
    private volatile Consumer<String> afterHead = key -> { };
    private volatile Function<DeleteObjectRequest, RuntimeException> deleteFault = request -> null;

    private RecordingS3(S3Client real) {
        this.real = real;
        this.proxy = (S3Client) Proxy.newProxyInstance(S3Client.class.getClassLoader(), new Class<?>[] {S3Client.class}, this);
    }

    public static RecordingS3 around(S3Client real) {
        return new RecordingS3(real);
    }

    public S3Client client() {
        return proxy;
    }

    /** Runs after each HEAD is answered, before its caller sees the answer. */
    public void afterHead(Consumer<String> hook) {
        this.afterHead = hook;
    }

    /** A DeleteObject for which this answers an exception is not sent; null sends it. */
    public void failDeletes(Function<DeleteObjectRequest, RuntimeException> fault) {
        this.deleteFault = fault;
    }

    public List<Window> windows() {
        return new ArrayList<>(windows);
    }

    public List<HeadObjectResponse> headAnswers() {
        return new ArrayList<>(headAnswers);
    }

    public long headCount() {
        return heads.get();
    }

    @Override
    @SuppressWarnings("unchecked")
    public Object invoke(Object self, Method method, Object[] args) throws Throwable {
        switch (method.getName()) {
            case "headObject" -> {
                HeadObjectRequest request = args[0] instanceof Consumer<?> c
                        ? HeadObjectRequest.builder().applyMutation((Consumer<HeadObjectRequest.Builder>) c).build()
                        : (HeadObjectRequest) args[0];
                long seq = heads.incrementAndGet();
                long sent = System.nanoTime();
                HeadObjectResponse answer = real.headObject(request);
                lastHead.put(request.key(), new Head(seq, sent, System.nanoTime()));
                lastHeadOfThread.put(Thread.currentThread(), request.key());
                headAnswers.add(answer);
                afterHead.accept(request.key());
                return answer;
            }
            case "deleteObject" -> {
                DeleteObjectRequest request = args[0] instanceof Consumer<?> c
                        ? DeleteObjectRequest.builder().applyMutation((Consumer<DeleteObjectRequest.Builder>) c).build()
                        : (DeleteObjectRequest) args[0];
                long sent = System.nanoTime();
                long headsSoFar = heads.get();
                RuntimeException fault = deleteFault.apply(request);
                if (fault != null) {
                    throw fault;
                }
                Object answer = real.deleteObject(request);
                record(request.key(), sent, headsSoFar, request.versionId(), request.ifMatch(), request.ifMatchLastModifiedTime() != null);
                return answer;
            }
            case "deleteObjects" -> {
                DeleteObjectsRequest request = args[0] instanceof Consumer<?> c
                        ? DeleteObjectsRequest.builder().applyMutation((Consumer<DeleteObjectsRequest.Builder>) c).build()
                        : (DeleteObjectsRequest) args[0];
                long sent = System.nanoTime();
                long headsSoFar = heads.get();
                Object answer = real.deleteObjects(request);
                for (ObjectIdentifier o : request.delete().objects()) {
                    record(o.key(), sent, headsSoFar, o.versionId(), o.eTag(), o.lastModifiedTime() != null);
                }
                return answer;
            }
            default -> {
                try {
                    return method.invoke(real, args);
                } catch (InvocationTargetException e) {
                    throw e.getCause();
                }
            }
        }
    }

    private void record(String key, long sent, long headsSoFar, String versionId, String ifMatch, boolean ifLastModified) {
        long answered = System.nanoTime();
        Head head = lastHead.get(key);
        if (head != null) {
            windows.add(new Window(key, head.sent(), head.answered(), sent, answered, headsSoFar - head.seq(), versionId, ifMatch,
                    ifLastModified, key.equals(lastHeadOfThread.get(Thread.currentThread()))));
        }
    }
}
