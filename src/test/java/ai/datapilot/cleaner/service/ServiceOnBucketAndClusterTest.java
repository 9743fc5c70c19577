package ai.datapilot.cleaner.service;

import static ai.datapilot.cleaner.testing.RedisForTests.job;
import static ai.datapilot.cleaner.testing.StorageTree.old;
import static org.assertj.core.api.Assertions.assertThat;

import ai.datapilot.cleaner.settings.SettingsParser;
import ai.datapilot.cleaner.testing.RedisClusterForTests;
import ai.datapilot.cleaner.testing.S3ForTests;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The service with its blobs in a bucket and its job records in a Redis Cluster, driven over JMX. */
class ServiceOnBucketAndClusterTest {

    @RegisterExtension
    static RedisClusterForTests cluster = new RedisClusterForTests();

    @RegisterExtension
    static S3ForTests s3 = new S3ForTests();

    static final MBeanServer JMX = ManagementFactory.getPlatformMBeanServer();

    CleanerService service;

    @AfterEach
    void stop() {
        if (service != null) {
            service.stop("test end");
        }
    }

    @Test
    void runNowCleansTheBucketAndTheClusterAndHealthIsReady() throws Exception {
        s3.put("uploads/job_old/data.csv", "x", old());
        cluster.client().set("job:job_old", job("job_old", old()));
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Map<String, String> env = new HashMap<>(s3.settings(""));
        env.put("REDIS_URL", cluster.url());
        env.put("CLEANER_DRY_RUN", "false");
        env.put("CLEANER_DELETES_PER_SECOND", "0");
        env.put("CLEANER_MANAGEMENT_PORT", Integer.toString(port));
        env.put("CLEANER_CRON_SCHEDULE", "0 3 * * *");
        service = CleanerService.start(SettingsParser.parse(env), new PrintStream(new ByteArrayOutputStream()), Clock.systemUTC());
        ObjectName control = new ObjectName(CleanerControl.OBJECT_NAME);

        assertThat(JMX.invoke(control, "runNow", null, null)).isEqualTo("started");

        long deadline = System.currentTimeMillis() + 30_000;
        while (!"completed".equals(JMX.getAttribute(control, "LastRunStatus")) && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
        }
        assertThat(JMX.getAttribute(control, "LastRunStatus")).isEqualTo("completed");
        assertThat(JMX.getAttribute(control, "LastRunExitCode")).isEqualTo(0);
        assertThat(JMX.getAttribute(control, "LastRunDeleted")).isEqualTo(2L);
        assertThat((String) JMX.getAttribute(control, "LastAuditFile")).startsWith("s3://" + S3ForTests.BUCKET + "/maintenance/cleaner_runs/");
        assertThat(s3.keys("uploads/")).isEmpty();
        assertThat(cluster.client().exists("job:job_old")).isFalse();

        HttpResponse<String> ready = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/observe/health")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
        assertThat(ready.body()).contains("cleaner-storage").contains("cleaner-last-run");
    }
}
