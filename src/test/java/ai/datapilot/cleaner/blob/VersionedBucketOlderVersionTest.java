package ai.datapilot.cleaner.blob;

import static org.assertj.core.api.Assertions.assertThat;

import ai.datapilot.cleaner.settings.S3Location;
import ai.datapilot.cleaner.store.Recheck;
import ai.datapilot.cleaner.store.ScannedItem;
import ai.datapilot.cleaner.testing.ExpiredItems;
import ai.datapilot.cleaner.testing.S3ForTests;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A versioned bucket where an expired key was overwritten once (two versions, both older than the
 * cutoff). The cleaner deletes the version its HEAD saw, permanently (so an upload in between, a
 * newer version, would survive); the older version then becomes the current object again and, being
 * older still, is deleted by the next run: one version a run, as the README documents. (Objects in
 * s3proxy's versioned store cannot be aged: the cutoff is moved ahead.)
 */
class VersionedBucketOlderVersionTest {

    @RegisterExtension
    static S3ForTests s3 = S3ForTests.versioned();

    private static final String BUCKET = S3ForTests.BUCKET;

    @Test
    void eachRunDeletesTheCurrentVersionItCheckedAndTheNextRunTheOneBelowIt() throws Exception {
        String key = "uploads/job_1/data.csv";
        s3.client().putObject(b -> b.bucket(BUCKET).key(key), RequestBody.fromString("first upload"));
        s3.client().putObject(b -> b.bucket(BUCKET).key(key), RequestBody.fromString("second upload"));
        S3Location location = new S3Location(BUCKET, "", Optional.of(URI.create(s3.endpoint())), "us-east-1", true);
        Instant cutoff = Instant.now().plus(Duration.ofHours(1));
        try (S3Client client = S3Clients.client(location, Duration.ofSeconds(5))) {
            S3BlobStore store = new S3BlobStore(client, location, List.of("uploads/", "results/"));
            List<ScannedItem> found = ExpiredItems.of(store, cutoff);
            assertThat(found).extracting(ScannedItem::id).containsExactly(key);

            List<Recheck> answers = store.deleteAllIfUnchanged(found, cutoff);

            assertThat(answers).extracting(Recheck::state).containsExactly(Recheck.State.EXPIRED);
            assertThat(s3.read(key)).as("the version below the deleted one is current again").isEqualTo("first upload");

            List<ScannedItem> next = ExpiredItems.of(store, cutoff);
            assertThat(next).extracting(ScannedItem::id).containsExactly(key);
            assertThat(store.deleteAllIfUnchanged(next, cutoff)).extracting(Recheck::state).containsExactly(Recheck.State.EXPIRED);
            assertThat(s3.keys("uploads/")).as("no version left current after the second run").isEmpty();
            store.close();
        }
    }
}
