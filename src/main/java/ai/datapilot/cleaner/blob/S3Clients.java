package ai.datapilot.cleaner.blob;

import ai.datapilot.cleaner.settings.S3Location;
import java.time.Duration;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

/**
 * Builds the one S3 client of the process, used by the blob store and by camel-aws2-s3 for the
 * audit object. Credentials come from the SDK's default chain (environment, system properties,
 * web identity token, profile, container and instance roles): never from the cleaner's settings.
 */
public final class S3Clients {

    private S3Clients() {
    }

    public static S3Client client(S3Location location, Duration timeout) {
        S3ClientBuilder builder = S3Client.builder()
                .region(Region.of(location.region()))
                .credentialsProvider(DefaultCredentialsProvider.builder().build())
                .forcePathStyle(location.pathStyle())
                .httpClientBuilder(ApacheHttpClient.builder()
                        .maxConnections(64)
                        .connectionTimeout(timeout)
                        .socketTimeout(timeout.multipliedBy(6)))
                .overrideConfiguration(o -> o.apiCallAttemptTimeout(timeout.multipliedBy(6)).apiCallTimeout(timeout.multipliedBy(20)));
        location.endpoint().ifPresent(uri -> builder.endpointOverride(uri)
                // S3-compatible servers vary in the newer checksum headers: send them only where required
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED));
        return builder.build();
    }
}
