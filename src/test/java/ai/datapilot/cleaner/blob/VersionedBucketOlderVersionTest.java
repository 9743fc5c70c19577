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
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A versioned bucket where an expired key was overwritten once (two versions, both older than the
 * cutoff). The cleaner deletes the version its HEAD saw, permanently; the older version then becomes
 * the current object again: the key is still there, with older content, and the run says
 * "deleted". (Objects in s3proxy's versioned store cannot be aged: the cutoff is moved ahead.)
 */
class VersionedBucketOlderVersionTest {

    @RegisterExtension
    static S3ForTests s3 = S3ForTests.versioned();

    private static final String BUCKET = S3ForTests.BUCKET;

    @Test
    @Disabled("open: deleting the checked version by id resurrects the previous version; closing it needs a decision"
            + " (delete the older, still-expired versions too, or a delete marker conditioned on the checked version)")
    void anExpiredKeyWithAnOlderVersionIsGoneAfterItsDeleteNotRevertedToThatVersion() throws Exception {
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
            // today: the listing shows the key again, holding "first upload"
            assertThat(s3.keys("uploads/")).as("a key the run reports as deleted is no longer a current object").isEmpty();
            store.close();
        }
    }
}
