package ai.datapilot.cleaner.blob;

import static ai.datapilot.cleaner.testing.CleanerRuns.env;
import static ai.datapilot.cleaner.testing.CleanerRuns.run;
import static ai.datapilot.cleaner.testing.RedisForTests.job;
import static ai.datapilot.cleaner.testing.StorageTree.old;
import static ai.datapilot.cleaner.testing.StorageTree.recent;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.datapilot.cleaner.cli.HealthCommand;
import ai.datapilot.cleaner.settings.S3Location;
import ai.datapilot.cleaner.store.Recheck;
import ai.datapilot.cleaner.store.ScannedItem;
import ai.datapilot.cleaner.testing.CleanerRuns.Result;
import ai.datapilot.cleaner.testing.ExpiredItems;
import ai.datapilot.cleaner.testing.RecordingS3;
import ai.datapilot.cleaner.testing.RecordingS3.Window;
import ai.datapilot.cleaner.testing.RedisForTests;
import ai.datapilot.cleaner.testing.S3ForTests;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Blobs in a real S3-compatible server (s3proxy on loopback) and job records in a real private
 * Redis, cleaned by the real routes exactly as {@code run-once} does: paginated listing, batch
 * deletes, the cap across both stores, dry run, re-check before delete, prefix safety, the audit
 * object, and wrong credentials.
 */
class ObjectStorageRunTest {

    @RegisterExtension
    static RedisForTests redis = new RedisForTests();

    @RegisterExtension
    static S3ForTests s3 = new S3ForTests();

    @TempDir
    Path tmp;

    private Map<String, String> s3Env(String base, String... overrides) {
        Map<String, String> env = new HashMap<>(env(tmp, redis.url()));
        env.remove("LOCAL_STORAGE_ROOT");
        env.putAll(s3.settings(base));
        for (int i = 0; i < overrides.length; i += 2) {
            env.put(overrides[i], overrides[i + 1]);
        }
        return env;
    }

    /** Puts many objects at once: s3proxy answers each PUT in a few milliseconds. */
    private void putAll(Map<String, Instant> objects) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> puts = new ArrayList<>();
            for (Map.Entry<String, Instant> o : objects.entrySet()) {
                puts.add(pool.submit(() -> {
                    s3.put(o.getKey(), "data of " + o.getKey(), o.getValue());
                    return null;
                }));
            }
            for (Future<?> put : puts) {
                put.get();
            }
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void aRunListsManyPagesAndDeletesTheExpiredObjectsInBatches() throws Exception {
        Map<String, Instant> objects = new HashMap<>();
        for (int i = 0; i < 1100; i++) {
            objects.put("uploads/job_old_" + i + "/input.csv", old());
            objects.put("results/job_old_" + i + ".json", old());
        }
        for (int i = 0; i < 50; i++) {
            objects.put("uploads/job_new_" + i + "/input.csv", recent());
        }
        putAll(objects);

        Result result = run(s3Env("", "CLEANER_DRY_RUN", "false", "CLEANER_MAX_DELETE_BATCH", "100000"), s3);

        assertThat(result.exitCode()).as(result.stdout()).isZero();
        assertThat(result.audit().get("totalBlobsScanned").asInt()).isEqualTo(2250);
        assertThat(result.audit().get("deletedBlobs").asInt()).isEqualTo(2200);
        assertThat(s3.keys("uploads/")).hasSize(50).allMatch(k -> k.startsWith("uploads/job_new_"));
        assertThat(s3.keys("results/")).isEmpty();
        // the audit object sits under the audit prefix and names the store
        assertThat(result.summary().get("auditFile").asText()).startsWith("s3://" + S3ForTests.BUCKET + "/maintenance/cleaner_runs/cleaner_");
        assertThat(s3.keys("maintenance/cleaner_runs/")).hasSize(1);
        assertThat(result.audit().get("stores").get("blob").asText()).isEqualTo("s3://" + S3ForTests.BUCKET);
        assertThat(result.itemIds("deleted")).contains("uploads/job_old_7/input.csv", "results/job_old_7.json");
    }

    @Test
    void dryRunDeletesNothingAndTheCapIsSharedWithRedis() throws Exception {
        Instant base = Instant.now().minus(Duration.ofDays(10));
        Map<String, Instant> objects = new HashMap<>();
        for (int i = 0; i < 30; i++) {
            // objects at even hours, keys at odd hours: the 40 oldest are 20 of each
            objects.put(String.format("uploads/job_%02d/in.csv", i), base.plus(Duration.ofHours(2L * i)));
            redis.setJob(String.format("job:k%02d", i), job("k" + i, base.plus(Duration.ofHours(2L * i + 1)).toString()));
        }
        putAll(objects);

        Result dry = run(s3Env("", "CLEANER_MAX_DELETE_BATCH", "40"), s3);

        assertThat(dry.exitCode()).as(dry.stdout()).isZero();
        assertThat(dry.itemIds("would_delete")).hasSize(40);
        assertThat(s3.keys("uploads/")).hasSize(30);
        assertThat(redis.client().keys("job:*")).hasSize(30);

        Result real = run(s3Env("", "CLEANER_MAX_DELETE_BATCH", "40", "CLEANER_DRY_RUN", "false"), s3);

        assertThat(real.exitCode()).as(real.stdout()).isZero();
        assertThat(real.audit().get("deletedBlobs").asInt()).isEqualTo(20);
        assertThat(real.audit().get("deletedKeys").asInt()).isEqualTo(20);
        assertThat(real.audit().get("deferredBlobs").asInt() + real.audit().get("deferredKeys").asInt()).isEqualTo(20);
        assertThat(s3.keys("uploads/")).hasSize(10).allMatch(k -> k.compareTo("uploads/job_20/") > 0);
        assertThat(redis.client().keys("job:*")).hasSize(10);
    }

    @Test
    void onlyKeysUnderTheBaseAndPrefixesAreTouched() throws Exception {
        Map<String, Instant> objects = new HashMap<>();
        for (String key : List.of("tenant-a/uploads/job_1/in.csv", "tenant-a/results/job_1.json",
                // look-alikes and neighbours of the cleaned prefixes, all expired
                "tenant-a/uploads-archive/job_1/in.csv", "tenant-a/uploadsX", "tenant-a/maintenance/cleaner_runs/cleaner_old.json",
                "tenant-a/other/x.bin", "tenant-b/uploads/job_1/in.csv", "uploads/job_1/in.csv", "tenant-abc/uploads/job_1/in.csv")) {
            objects.put(key, old());
        }
        putAll(objects);

        Result result = run(s3Env("tenant-a", "CLEANER_DRY_RUN", "false"), s3);

        assertThat(result.exitCode()).as(result.stdout()).isZero();
        assertThat(result.itemIds("deleted")).containsExactlyInAnyOrder("uploads/job_1/in.csv", "results/job_1.json");
        assertThat(s3.keys("")).contains("tenant-a/uploads-archive/job_1/in.csv", "tenant-a/uploadsX",
                "tenant-a/maintenance/cleaner_runs/cleaner_old.json", "tenant-a/other/x.bin", "tenant-b/uploads/job_1/in.csv",
                "uploads/job_1/in.csv", "tenant-abc/uploads/job_1/in.csv").doesNotContain("tenant-a/uploads/job_1/in.csv", "tenant-a/results/job_1.json");
        assertThat(result.summary().get("auditFile").asText()).startsWith("s3://" + S3ForTests.BUCKET + "/tenant-a/maintenance/cleaner_runs/");
        assertThat(result.audit().get("stores").get("blob").asText()).isEqualTo("s3://" + S3ForTests.BUCKET + "/tenant-a");
    }

    @Test
    void anObjectRewrittenOrRemovedAfterTheScanIsNotDeleted() throws Exception {
        putAll(Map.of("uploads/job_1/a.csv", old(), "uploads/job_1/b.csv", old(), "uploads/job_1/c.csv", old(),
                "results/job_1.json", old()));
        S3Location location = new S3Location(S3ForTests.BUCKET, "", Optional.of(URI.create(s3.endpoint())), "us-east-1", true);
        try (S3Client client = S3Clients.client(location, Duration.ofSeconds(5))) {
            S3BlobStore store = new S3BlobStore(client, location, List.of("uploads/", "results/"));
            List<ScannedItem> found = ExpiredItems.of(store);
            assertThat(found).hasSize(4);
            // the application writes a.csv again (new content) and removes b.csv after the scan
            s3.put("uploads/job_1/a.csv", "new content", old());
            s3.client().deleteObject(b -> b.bucket(S3ForTests.BUCKET).key("uploads/job_1/b.csv"));
            Instant cutoff = Instant.now().minus(Duration.ofHours(24));

            List<Recheck> dry = store.recheckAll(found, cutoff);
            List<Recheck> real = store.deleteAllIfUnchanged(found, cutoff);

            assertThat(dry).extracting(Recheck::state).isEqualTo(real.stream().map(Recheck::state).toList());
            for (int i = 0; i < found.size(); i++) {
                String id = found.get(i).id();
                Recheck.State expected = id.endsWith("a.csv") ? Recheck.State.CHANGED
                        : id.endsWith("b.csv") ? Recheck.State.GONE : Recheck.State.EXPIRED;
                assertThat(real.get(i).state()).as(id).isEqualTo(expected);
            }
            assertThat(s3.keys("")).containsExactly("uploads/job_1/a.csv");
            assertThat(s3.read("uploads/job_1/a.csv")).isEqualTo("new content");
            store.close();
        }
    }

    @Test
    void wrongCredentialsFailTheBlobPartClearlyWhileRedisIsStillCleaned() throws Exception {
        putAll(Map.of("uploads/job_1/a.csv", old()));
        redis.setJob("job:job_1", job("job_1", old()));
        S3ForTests.useCredentials("not-the-key", "not-the-secret");

        Result result = run(s3Env("", "CLEANER_DRY_RUN", "false"), s3);

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.errorTypes()).contains("blob_scan_failed", "audit_write_failed");
        assertThat(result.summary().get("errors").toString()).contains("InvalidAccessKeyId").doesNotContain("not-the-secret");
        assertThat(redis.exists("job:job_1")).isFalse();
        assertThat(result.summary().get("deletedKeys").asInt()).isEqualTo(1);
        S3ForTests.useCredentials(S3ForTests.ACCESS_KEY, S3ForTests.SECRET_KEY);
        assertThat(s3.exists("uploads/job_1/a.csv")).isTrue();
    }

    @Test
    void healthReadsTheNewestAuditObjectFromTheBucket() throws Exception {
        Map<String, String> env = s3Env("");
        assertThat(health(env).path("checks").path("lastRun").path("status").asText()).isEqualTo("failed");

        Result result = run(env, s3);
        assertThat(result.exitCode()).isZero();

        JsonNode report = health(env);
        assertThat(report.path("status").asText()).as(report.toString()).isEqualTo("healthy");
        assertThat(report.path("checks").path("storage").path("detail").asText()).contains("bucket " + S3ForTests.BUCKET);
        assertThat(report.path("lastCleanerRun").path("runId").asText()).isEqualTo(result.summary().get("runId").asText());
    }

    private static JsonNode health(Map<String, String> env) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            HealthCommand.execute(env, out, Clock.systemUTC());
        }
        return new ObjectMapper().readTree(bytes.toString(StandardCharsets.UTF_8));
    }

    @Test
    void anObjectTheServerRefusesToDeleteIsReportedAloneAndTheNextRunFinishes() throws Exception {
        putAll(Map.of("uploads/job_stuck/data.csv", old().minusSeconds(5), "uploads/job_fine/data.csv", old(),
                "results/job_fine.json", old()));
        assumeTrue(chattr("+i", s3.file("uploads/job_stuck/data.csv")), "chattr +i is not available on this file system");
        Result run;
        try {
            run = run(s3Env("", "CLEANER_DRY_RUN", "false", "CLEANER_DELETE_RETRIES", "1"), s3);
        } finally {
            chattr("-i", s3.file("uploads/job_stuck/data.csv"));
        }

        assertThat(run.exitCode()).as(run.stdout()).isEqualTo(1);
        assertThat(run.itemIds("failed")).containsExactly("uploads/job_stuck/data.csv");
        assertThat(run.itemIds("deleted")).containsExactlyInAnyOrder("uploads/job_fine/data.csv", "results/job_fine.json");
        assertThat(run.errorTypes()).containsExactly("blob_deletion_failed");
        assertThat(s3.keys("")).contains("uploads/job_stuck/data.csv").doesNotContain("uploads/job_fine/data.csv");

        Result next = run(s3Env("", "CLEANER_DRY_RUN", "false"), s3);
        assertThat(next.exitCode()).as(next.stdout()).isZero();
        assertThat(next.itemIds("deleted")).containsExactly("uploads/job_stuck/data.csv");
    }

    @Test
    void pacedDeletesGoOneObjectAtATime() throws Exception {
        putAll(Map.of("uploads/job_1/a.csv", old(), "uploads/job_2/b.csv", old(), "results/job_1.json", old()));

        Result run = run(s3Env("", "CLEANER_DRY_RUN", "false", "CLEANER_DELETES_PER_SECOND", "50"), s3);

        assertThat(run.exitCode()).as(run.stdout()).isZero();
        assertThat(run.itemIds("deleted")).hasSize(3);
        assertThat(s3.keys("uploads/")).isEmpty();
    }

    @Test
    void healthIsUnhealthyWhenTheBucketRefusesTheCredentials() throws Exception {
        S3ForTests.useCredentials("not-the-key", "not-the-secret");

        JsonNode report = health(s3Env(""));

        assertThat(report.path("status").asText()).isEqualTo("unhealthy");
        assertThat(report.path("checks").path("storage").path("detail").asText()).contains("403");
    }

    private static boolean chattr(String flag, Path path) {
        try {
            Process p = new ProcessBuilder("chattr", flag, path.toString()).redirectErrorStream(true).start();
            return p.waitFor() == 0;
        } catch (java.io.IOException | InterruptedException e) {
            return false;
        }
    }

    @Test
    void oddKeysAreDeletedAsThemselvesAndTheirLookAlikesSurvive() throws Exception {
        List<String> odd = List.of("uploads/job a/in put.csv", "uploads/job_1/a+b&c<d>e'f\"g.csv", "uploads/job_%41/x.csv",
                "results/job_ü_€.json", "uploads/job_1/semi;colon=eq?.csv");
        Map<String, Instant> objects = new HashMap<>();
        odd.forEach(k -> objects.put(k, old()));
        // the same names with one character changed, and recent: they must survive
        objects.put("uploads/job a/in_put.csv", recent());
        objects.put("uploads/job_1/a b&c<d>e'f\"g.csv", recent());
        objects.put("uploads/job_A/x.csv", recent());
        objects.put("results/job_u_€.json", recent());
        putAll(objects);

        Result result = run(s3Env("", "CLEANER_DRY_RUN", "false"), s3);

        assertThat(result.exitCode()).as(result.stdout()).isZero();
        assertThat(result.itemIds("deleted")).containsExactlyInAnyOrderElementsOf(odd);
        assertThat(s3.keys("")).containsExactlyInAnyOrder("uploads/job a/in_put.csv", "uploads/job_1/a b&c<d>e'f\"g.csv",
                "uploads/job_A/x.csv", "results/job_u_€.json", s3.keys("maintenance/").get(0));
    }

    private S3Location location() {
        return new S3Location(S3ForTests.BUCKET, "", Optional.of(URI.create(s3.endpoint())), "us-east-1", true);
    }

    @Test
    void anObjectUploadedAgainWithTheSameBytesBetweenItsHeadAndItsDeleteIsKept() throws Exception {
        putAll(Map.of("uploads/job_1/a.csv", old(), "uploads/job_2/b.csv", old(), "results/job_1.json", old()));
        S3Location location = location();
        try (S3Client client = S3Clients.client(location, Duration.ofSeconds(5))) {
            RecordingS3 recorder = RecordingS3.around(client);
            S3BlobStore store = new S3BlobStore(recorder.client(), location, List.of("uploads/", "results/"));
            List<ScannedItem> found = ExpiredItems.of(store);
            assertThat(found).hasSize(3);
            String eTag = s3.client().headObject(b -> b.bucket(S3ForTests.BUCKET).key("uploads/job_2/b.csv")).eTag();
            // the seam: the application uploads b.csv again, the very same bytes, once the cleaner's
            // HEAD of it has been answered and before the cleaner sees that answer
            AtomicBoolean uploaded = new AtomicBoolean();
            recorder.afterHead(key -> {
                if (key.equals("uploads/job_2/b.csv") && uploaded.compareAndSet(false, true)) {
                    s3.client().putObject(b -> b.bucket(S3ForTests.BUCKET).key(key), RequestBody.fromString("data of " + key));
                }
            });

            List<Recheck> answers = store.deleteAllIfUnchanged(found, Instant.now().minus(Duration.ofHours(24)));

            assertThat(uploaded).isTrue();
            assertThat(s3.keys("")).as("the upload made after the HEAD survives").containsExactly("uploads/job_2/b.csv");
            assertThat(s3.client().headObject(b -> b.bucket(S3ForTests.BUCKET).key("uploads/job_2/b.csv")).eTag())
                    .as("an upload of the same bytes keeps the ETag").isEqualTo(eTag);
            for (int i = 0; i < found.size(); i++) {
                boolean reUploaded = found.get(i).id().equals("uploads/job_2/b.csv");
                assertThat(answers.get(i).state()).as(found.get(i).id()).isEqualTo(reUploaded ? Recheck.State.CHANGED : Recheck.State.EXPIRED);
            }
            store.close();
        }
    }

    /**
     * 1,000 expired objects in one chunk, as an unpaced run hands them over: each object's delete
     * goes right after its own HEAD, on the same thread, not after the HEADs of the others. Prints
     * the window per object (from the HEAD being sent to the delete being answered).
     */
    @Test
    void eachObjectIsDeletedRightAfterItsOwnHeadNotAfterTheHeadsOfAThousandOthers() throws Exception {
        Map<String, Instant> objects = new HashMap<>();
        for (int i = 0; i < 1000; i++) {
            objects.put(String.format("uploads/job_%04d/in.csv", i), old());
        }
        putAll(objects);
        S3Location location = location();
        try (S3Client client = S3Clients.client(location, Duration.ofSeconds(5))) {
            RecordingS3 recorder = RecordingS3.around(client);
            S3BlobStore store = new S3BlobStore(recorder.client(), location, List.of("uploads/"));
            List<ScannedItem> found = ExpiredItems.of(store);
            assertThat(found).hasSize(1000);

            long started = System.nanoTime();
            List<Recheck> answers = store.deleteAllIfUnchanged(found, Instant.now().minus(Duration.ofHours(24)));
            long tookMillis = (System.nanoTime() - started) / 1_000_000;

            assertThat(answers).extracting(Recheck::state).containsOnly(Recheck.State.EXPIRED);
            assertThat(s3.keys("uploads/")).isEmpty();
            List<Window> windows = recorder.windows();
            assertThat(windows).hasSize(1000);
            double[] millis = windows.stream().mapToDouble(Window::millis).sorted().toArray();
            double[] afterAnswer = windows.stream().mapToDouble(w -> (w.deleteAnswered() - w.headAnswered()) / 1e6).sorted().toArray();
            long[] between = windows.stream().mapToLong(Window::headsBetween).sorted().toArray();
            System.out.printf("HEAD sent -> delete answered over %d objects: median %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms;"
                    + " HEAD answered -> delete answered: median %.1f ms, max %.1f ms; HEADs of other objects sent in between:"
                    + " median %d, max %d; %d objects re-checked and deleted in %d ms%n",
                    millis.length, millis[millis.length / 2], millis[millis.length * 9 / 10], millis[millis.length * 99 / 100],
                    millis[millis.length - 1], afterAnswer[afterAnswer.length / 2], afterAnswer[afterAnswer.length - 1],
                    between[between.length / 2], between[between.length - 1], millis.length, tookMillis);
            assertThat(windows).allMatch(Window::sameThreadRightAfterItsHead, "deleted by the thread of its HEAD, next");
            assertThat(windows).allMatch(w -> w.ifMatch() != null && w.ifLastModified(), "conditioned on the ETag and LastModified the HEAD saw");
            // before, every object waited for the HEADs of all the others (median 500 in between)
            assertThat(between[between.length / 2]).isLessThanOrEqualTo(S3BlobStore.WORKERS);
            store.close();
        }
    }

    @Test
    void aServerThatRefusesTheLastModifiedConditionGetsTheETagConditionAloneAfterAFreshHead() throws Exception {
        putAll(Map.of("uploads/job_1/a.csv", old(), "uploads/job_2/b.csv", old(), "results/job_1.json", old()));
        S3Location location = location();
        try (S3Client client = S3Clients.client(location, Duration.ofSeconds(5))) {
            RecordingS3 recorder = RecordingS3.around(client);
            // as AWS answers for a general purpose bucket (the condition is for directory buckets)
            AtomicInteger refused = new AtomicInteger();
            recorder.failDeletes(request -> {
                if (request.ifMatchLastModifiedTime() == null) {
                    return null;
                }
                refused.incrementAndGet();
                return S3Exception.builder().statusCode(501).message("A header you provided implies functionality that is not implemented")
                        .awsErrorDetails(AwsErrorDetails.builder().errorCode("NotImplemented")
                                .errorMessage("A header you provided implies functionality that is not implemented").build())
                        .build();
            });
            S3BlobStore store = new S3BlobStore(recorder.client(), location, List.of("uploads/", "results/"));
            List<ScannedItem> found = ExpiredItems.of(store);

            List<Recheck> answers = store.deleteAllIfUnchanged(found, Instant.now().minus(Duration.ofHours(24)));

            assertThat(answers).extracting(Recheck::state).containsOnly(Recheck.State.EXPIRED);
            assertThat(s3.keys("")).isEmpty();
            assertThat(refused.get()).isBetween(1, 3);
            // each refused delete was checked again before it went without the condition
            assertThat(recorder.headCount()).isEqualTo(3L + refused.get());
            assertThat(recorder.windows()).hasSize(3).allMatch(w -> w.ifMatch() != null && !w.ifLastModified())
                    .allMatch(Window::sameThreadRightAfterItsHead);
            store.close();
        }
    }

    @Test
    void keysWithControlCharactersAreListedAgedAndDeletedAsThemselvesAndTheirSiblingsStillList() throws Exception {
        List<String> expired = List.of("uploads/job_\u0001/in.csv", "uploads/job_nl/a\nb.csv", "uploads/job_cr/a\rb.csv",
                "uploads/job_tab/a\tb.csv", "uploads/job_esc/\u001b[2Jx.csv", "uploads/job_x/a+b c%41%2F.csv", "uploads/job_plain/in.csv",
                "results/job_\u007f.json");
        Map<String, Instant> objects = new HashMap<>();
        expired.forEach(k -> objects.put(k, old()));
        // recent siblings and look-alikes (a CR where the expired one has LF, and the other way round)
        List<String> recent = List.of("uploads/job_\u0001/new.csv", "uploads/job_nl/a\rb.csv", "uploads/job_cr/a\nb.csv",
                "uploads/job_nl/a b.csv", "uploads/job_x/a b c%41%2F.csv", "uploads/job_plain/new.csv");
        recent.forEach(k -> objects.put(k, recent()));
        putAll(objects);

        Result result = run(s3Env("", "CLEANER_DRY_RUN", "false"), s3);

        assertThat(result.exitCode()).as(result.stdout()).isZero();
        assertThat(result.itemIds("deleted")).containsExactlyInAnyOrderElementsOf(expired);
        assertThat(result.audit().get("totalBlobsScanned").asInt()).isEqualTo(expired.size() + recent.size());
        List<String> left = new ArrayList<>(s3.keys("uploads/"));
        left.addAll(s3.keys("results/"));
        assertThat(left).containsExactlyInAnyOrderElementsOf(recent);
    }

    @Test
    void aPageThatEndsOnAKeyWithAControlCharacterIsAskedAgainSmallerAndTheListingGoesOn() throws Exception {
        // s3proxy writes a page's last key raw as its continuation token: a page ending on one of
        // these cannot be parsed, whatever the encoding asked for
        List<String> keys = List.of("uploads/a", "uploads/b\u0001c", "uploads/d\u0002e", "uploads/f", "uploads/g\u0003h", "uploads/i");
        Map<String, Instant> objects = new HashMap<>();
        keys.forEach(k -> objects.put(k, old()));
        putAll(objects);
        S3Location location = location();
        try (S3Client client = S3Clients.client(location, Duration.ofSeconds(5))) {
            for (int page = 1; page <= 3; page++) {
                S3BlobStore store = new S3BlobStore(() -> client, location, List.of("uploads/"), page);
                assertThat(ExpiredItems.of(store)).as("pages of %d", page).extracting(ScannedItem::id).containsExactlyElementsOf(keys);
                store.close();
            }
        }
    }
}
