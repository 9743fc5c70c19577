package ai.datapilot.cleaner.blob;

import static org.assertj.core.api.Assertions.assertThat;

import ai.datapilot.cleaner.settings.S3Location;
import ai.datapilot.cleaner.store.Recheck;
import ai.datapilot.cleaner.store.ScannedItem;
import ai.datapilot.cleaner.testing.ExpiredItems;
import ai.datapilot.cleaner.testing.RecordingS3;
import ai.datapilot.cleaner.testing.RecordingS3.Window;
import ai.datapilot.cleaner.testing.S3ForTests;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ObjectVersion;

/**
 * A versioned bucket (s3proxy's in-memory store, the one of its stores that keeps versions): the
 * cleaner deletes the version its HEAD checked, so an upload between that HEAD and the delete, a new
 * version, stays the current object. Objects here cannot be aged, so the cutoff is moved ahead.
 */
class ObjectStorageVersionedBucketTest {

    @RegisterExtension
    static S3ForTests s3 = S3ForTests.versioned();

    private static final String BUCKET = S3ForTests.BUCKET;

    @Test
    void theVersionTheHeadSawIsDeletedAndAnUploadInBetweenStaysCurrent() throws Exception {
        for (String key : List.of("uploads/job_1/a.csv", "uploads/job_2/b.csv", "results/job_1.json")) {
            s3.client().putObject(b -> b.bucket(BUCKET).key(key), RequestBody.fromString("data of " + key));
        }
        S3Location location = new S3Location(BUCKET, "", Optional.of(URI.create(s3.endpoint())), "us-east-1", true);
        Instant cutoff = Instant.now().plus(Duration.ofHours(1));
        try (S3Client client = S3Clients.client(location, Duration.ofSeconds(5))) {
            RecordingS3 recorder = RecordingS3.around(client);
            S3BlobStore store = new S3BlobStore(recorder.client(), location, List.of("uploads/", "results/"));
            List<ScannedItem> found = ExpiredItems.of(store, cutoff);
            assertThat(found).hasSize(3);
            AtomicBoolean uploaded = new AtomicBoolean();
            recorder.afterHead(key -> {
                if (key.equals("uploads/job_2/b.csv") && uploaded.compareAndSet(false, true)) {
                    s3.client().putObject(b -> b.bucket(BUCKET).key(key), RequestBody.fromString("data of " + key));
                }
            });

            List<Recheck> answers = store.deleteAllIfUnchanged(found, cutoff);

            assertThat(uploaded).isTrue();
            assertThat(answers).extracting(Recheck::state).containsOnly(Recheck.State.EXPIRED);
            assertThat(s3.keys("")).as("the upload made after the HEAD is still the current object").containsExactly("uploads/job_2/b.csv");
            assertThat(s3.client().listObjectVersionsPaginator(b -> b.bucket(BUCKET)).deleteMarkers().stream().toList())
                    .as("no delete marker hides anything").isEmpty();
            // every delete named the version its own HEAD returned, and nothing else
            for (HeadObjectResponse head : recorder.headAnswers()) {
                assertThat(head.versionId()).isNotBlank().isNotEqualTo("null");
            }
            List<Window> windows = recorder.windows();
            assertThat(windows).hasSize(3).allMatch(w -> w.versionId() != null && w.ifMatch() == null && !w.ifLastModified());
            Map<String, String> checked = new HashMap<>();
            windows.forEach(w -> checked.put(w.key(), w.versionId()));
            List<ObjectVersion> versions = s3.client().listObjectVersionsPaginator(b -> b.bucket(BUCKET)).versions().stream().toList();
            assertThat(versions).as("the checked versions are gone; the upload made after the HEAD is the one version left")
                    .singleElement().satisfies(v -> {
                        assertThat(v.key()).isEqualTo("uploads/job_2/b.csv");
                        assertThat(v.versionId()).isNotEqualTo(checked.get("uploads/job_2/b.csv"));
                        assertThat(v.isLatest()).isTrue();
                    });
            assertThat(s3.read("uploads/job_2/b.csv")).isEqualTo("data of uploads/job_2/b.csv");
            store.close();
        }
    }
}
