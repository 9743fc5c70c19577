package ai.datapilot.cleaner.cli;

import static ai.datapilot.cleaner.testing.RedisForTests.job;
import static ai.datapilot.cleaner.testing.StorageTree.old;
import static ai.datapilot.cleaner.testing.StorageTree.recent;
import static org.assertj.core.api.Assertions.assertThat;

import ai.datapilot.cleaner.testing.CleanerProcess;
import ai.datapilot.cleaner.testing.RedisClusterForTests;
import ai.datapilot.cleaner.testing.S3ForTests;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.ClusterPipeline;

/**
 * The packaged jar against a bucket (s3proxy on loopback) and a three-master Redis Cluster, with
 * credentials in the environment as a Kubernetes Secret gives them: the production shape.
 */
class ObjectStorageAndClusterIT {

    @RegisterExtension
    static RedisClusterForTests cluster = new RedisClusterForTests();

    @RegisterExtension
    static S3ForTests s3 = new S3ForTests();

    @TempDir
    Path tmp;

    private Map<String, String> env(String accessKey, String... overrides) {
        Map<String, String> env = new HashMap<>(s3.settings(""));
        env.put("REDIS_URL", cluster.url());
        env.put("AWS_ACCESS_KEY_ID", accessKey);
        env.put("AWS_SECRET_ACCESS_KEY", S3ForTests.SECRET_KEY);
        env.put("CLEANER_DELETES_PER_SECOND", "0");
        for (int i = 0; i < overrides.length; i += 2) {
            env.put(overrides[i], overrides[i + 1]);
        }
        return env;
    }

    private void fixture() throws Exception {
        Instant start = Instant.now().minus(Duration.ofDays(30));
        try (ClusterPipeline p = cluster.client().pipelined()) {
            for (int i = 0; i < 60; i++) {
                // keys at even minutes, objects at odd ones: the 100 oldest are 50 of each
                p.set(String.format("job:old%03d", i), job("old" + i, start.plus(Duration.ofMinutes(2L * i)).toString()));
                p.set(String.format("job:new%03d", i), job("new" + i, recent().toString()));
            }
            p.sync();
        }
        for (int i = 0; i < 60; i++) {
            s3.put(String.format("uploads/job_%03d/in.csv", i), "x", start.plus(Duration.ofMinutes(2L * i + 1)));
        }
        s3.put("results/job_new.json", "{}", recent());
    }

    @Test
    void theJarCleansABucketAndAClusterUnderOneCap() throws Exception {
        fixture();

        CleanerProcess run = CleanerProcess.start(tmp, tmp, env(S3ForTests.ACCESS_KEY, "CLEANER_DRY_RUN", "false",
                "CLEANER_MAX_DELETE_BATCH", "100"), "run-once");

        assertThat(run.waitFor()).as(run.stderr()).isZero();
        JsonNode summary = summary(run.stdout());
        assertThat(summary.get("deletedBlobs").asInt()).isEqualTo(50);
        assertThat(summary.get("deletedKeys").asInt()).isEqualTo(50);
        assertThat(summary.get("deferredBlobs").asInt()).isEqualTo(10);
        assertThat(summary.get("deferredKeys").asInt()).isEqualTo(10);
        assertThat(s3.keys("uploads/")).hasSize(10);
        assertThat(s3.exists("results/job_new.json")).isTrue();
        assertThat(cluster.allKeys("job:old*")).hasSize(10);
        assertThat(cluster.allKeys("job:new*")).hasSize(60);
        assertThat(s3.keys("maintenance/cleaner_runs/")).hasSize(1);
        assertThat(run.stderr()).doesNotContain(S3ForTests.SECRET_KEY);

        CleanerProcess health = CleanerProcess.start(tmp, tmp, env(S3ForTests.ACCESS_KEY), "health");
        assertThat(health.waitFor()).as(health.stdout()).isZero();
        assertThat(health.stdout()).contains("\"status\" : \"healthy\"");
    }

    @Test
    void wrongCredentialsExitOneWithAClearErrorAndTheClusterIsStillCleaned() throws Exception {
        fixture();

        CleanerProcess run = CleanerProcess.start(tmp, tmp, env("not-a-key", "CLEANER_DRY_RUN", "false",
                "CLEANER_MAX_DELETE_BATCH", "1000"), "run-once");

        assertThat(run.waitFor()).as(run.stderr()).isEqualTo(1);
        assertThat(run.stderr()).contains("InvalidAccessKeyId").contains("check the credentials the AWS provider chain finds");
        JsonNode summary = summary(run.stdout());
        assertThat(summary.get("deletedKeys").asInt()).isEqualTo(60);
        assertThat(cluster.allKeys("job:old*")).isEmpty();
        assertThat(s3.keys("uploads/")).hasSize(60);
    }

    private static JsonNode summary(String stdout) throws Exception {
        String line = stdout.lines().filter(l -> l.startsWith("STRUCTURED_SUMMARY: ")).findFirst().orElseThrow();
        return new ObjectMapper().readTree(line.substring("STRUCTURED_SUMMARY: ".length()));
    }

    @Test
    void credentialsFromAProfileInTheSharedCredentialsFileAreFound() throws Exception {
        s3.put("uploads/job_1/in.csv", "x", old());
        java.nio.file.Path credentials = tmp.resolve("credentials");
        java.nio.file.Files.writeString(credentials, "[default]\naws_access_key_id = not-this-one\naws_secret_access_key = nor-this\n\n"
                + "[cleaner]\naws_access_key_id = " + S3ForTests.ACCESS_KEY + "\naws_secret_access_key = " + S3ForTests.SECRET_KEY + "\n");
        Map<String, String> env = env(S3ForTests.ACCESS_KEY, "CLEANER_DRY_RUN", "false");
        env.remove("AWS_ACCESS_KEY_ID");
        env.remove("AWS_SECRET_ACCESS_KEY");
        env.put("AWS_SHARED_CREDENTIALS_FILE", credentials.toString());
        env.put("AWS_CONFIG_FILE", tmp.resolve("no-config").toString());
        env.put("AWS_PROFILE", "cleaner");

        CleanerProcess run = CleanerProcess.start(tmp, tmp, env, "run-once");

        assertThat(run.waitFor()).as(run.stderr()).isZero();
        assertThat(s3.exists("uploads/job_1/in.csv")).isFalse();
        assertThat(run.stderr()).doesNotContain(S3ForTests.SECRET_KEY);
    }
}
