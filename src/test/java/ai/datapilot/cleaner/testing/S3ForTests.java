package ai.datapilot.cleaner.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketVersioningStatus;
import software.amazon.awssdk.services.s3.model.EncodingType;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.paginators.ListObjectVersionsIterable;

/**
 * A real S3-compatible server for the tests: s3proxy (fetched by Maven into target/s3proxy) in its
 * own JVM on a free loopback port, keeping objects as files in a folder of its own. An object's
 * LastModified is its file's mtime there, which is how a test makes an object old. One server per
 * test class; the bucket is emptied before each test. Credentials reach the cleaner the way the AWS
 * chain finds them in a JVM: the aws.accessKeyId / aws.secretAccessKey system properties.
 */
public final class S3ForTests implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback {

    public static final String ACCESS_KEY = "cleaner-test-key";
    public static final String SECRET_KEY = "cleaner-test-secret";
    public static final String BUCKET = "datapilot-test";

    private final boolean versioned;
    private Process process;
    private Path dir;
    private int port;
    private S3Client client;

    /** A bucket kept as files, without versioning: a test ages an object through its file's mtime. */
    public S3ForTests() {
        this(false);
    }

    private S3ForTests(boolean versioned) {
        this.versioned = versioned;
    }

    /**
     * A bucket with versioning on. s3proxy keeps versions only in its in-memory store, so here an
     * object cannot be aged: a test moves the cutoff instead, and {@link #age} and {@link #file} fail.
     */
    public static S3ForTests versioned() {
        return new S3ForTests(true);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        String jar = System.getProperty("s3proxy.jar", "target/s3proxy/s3proxy.jar");
        if (!Files.isRegularFile(Path.of(jar))) {
            throw new IllegalStateException("s3proxy not found at " + jar + ": run the tests through Maven (mvn verify), which fetches it");
        }
        dir = Files.createTempDirectory("cleaner-s3-");
        Files.createDirectories(dir.resolve("data"));
        port = freePort();
        Path conf = dir.resolve("s3proxy.conf");
        Files.writeString(conf, String.join("\n",
                "s3proxy.endpoint=http://127.0.0.1:" + port,
                "s3proxy.authorization=aws-v2-or-v4",
                "s3proxy.identity=" + ACCESS_KEY,
                "s3proxy.credential=" + SECRET_KEY,
                "jclouds.provider=" + (versioned ? "transient-nio2" : "filesystem-nio2"),
                "jclouds.filesystem.basedir=" + dir.resolve("data"), ""));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        process = new ProcessBuilder(java, "-Xmx256m", "-jar", jar, "--properties", conf.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("s3proxy.log").toFile())
                .start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!listening()) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                String log = Files.readString(dir.resolve("s3proxy.log"));
                afterAll(context);
                throw new IllegalStateException("s3proxy did not start on port " + port + ": " + log);
            }
            Thread.sleep(50);
        }
        client = S3Client.builder()
                .endpointOverride(URI.create(endpoint()))
                .region(Region.US_EAST_1)
                .forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
                .build();
        client.createBucket(b -> b.bucket(BUCKET));
        if (versioned) {
            client.putBucketVersioning(b -> b.bucket(BUCKET).versioningConfiguration(v -> v.status(BucketVersioningStatus.ENABLED)));
        }
        useCredentials(ACCESS_KEY, SECRET_KEY);
    }

    private boolean listening() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress("127.0.0.1", 0));
            return socket.getLocalPort();
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        useCredentials(ACCESS_KEY, SECRET_KEY);
        if (versioned) {
            ListObjectVersionsIterable all = client.listObjectVersionsPaginator(b -> b.bucket(BUCKET).encodingType(EncodingType.URL));
            all.versions().forEach(v -> client.deleteObject(b -> b.bucket(BUCKET).key(v.key()).versionId(v.versionId())));
            all.deleteMarkers().forEach(m -> client.deleteObject(b -> b.bucket(BUCKET).key(m.key()).versionId(m.versionId())));
            return;
        }
        for (String key : keys("")) {
            client.deleteObject(b -> b.bucket(BUCKET).key(key));
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        System.clearProperty("aws.accessKeyId");
        System.clearProperty("aws.secretAccessKey");
        if (client != null) {
            client.close();
        }
        if (process != null) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** What the AWS default chain will find in this JVM. */
    public static void useCredentials(String accessKey, String secretKey) {
        System.setProperty("aws.accessKeyId", accessKey);
        System.setProperty("aws.secretAccessKey", secretKey);
    }

    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    /** The settings that point a cleaner at the bucket (and at no local folder). */
    public Map<String, String> settings(String base) {
        return Map.of("BLOB_STORAGE_URL", "s3://" + BUCKET + (base.isEmpty() ? "" : "/" + base),
                "CLEANER_S3_ENDPOINT", endpoint(),
                "CLEANER_S3_PATH_STYLE", "true");
    }

    public S3Client client() {
        return client;
    }

    /** Puts an object and sets its LastModified (the backing file's mtime). */
    public void put(String key, String content, Instant lastModified) throws IOException {
        client.putObject(b -> b.bucket(BUCKET).key(key), RequestBody.fromString(content));
        age(key, lastModified);
    }

    public void age(String key, Instant lastModified) throws IOException {
        Files.setLastModifiedTime(file(key), FileTime.from(lastModified));
    }

    /** The file behind an object in the server's folder, for faults a client cannot cause. */
    public Path file(String key) {
        if (versioned) {
            throw new IllegalStateException("a versioned bucket is kept in s3proxy's memory: no file to age or lock");
        }
        return dir.resolve("data").resolve(BUCKET).resolve(key);
    }

    public boolean exists(String key) {
        return !keys(key).stream().filter(key::equals).toList().isEmpty();
    }

    public List<String> keys(String prefix) {
        List<String> keys = new ArrayList<>();
        // URL-encoded on the wire, so that a key with a control character can be listed (the SDK decodes it)
        client.listObjectsV2Paginator(b -> b.bucket(BUCKET).prefix(prefix).encodingType(EncodingType.URL)).contents().stream().map(S3Object::key).forEach(keys::add);
        return keys;
    }

    public String read(String key) {
        return client.getObjectAsBytes(b -> b.bucket(BUCKET).key(key)).asUtf8String();
    }
}
