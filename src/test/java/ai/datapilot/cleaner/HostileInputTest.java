package ai.datapilot.cleaner;

import static ai.datapilot.cleaner.testing.CleanerRuns.env;
import static ai.datapilot.cleaner.testing.CleanerRuns.run;
import static ai.datapilot.cleaner.testing.RedisForTests.job;
import static ai.datapilot.cleaner.testing.StorageTree.old;
import static ai.datapilot.cleaner.testing.StorageTree.recent;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.datapilot.cleaner.testing.CleanerRuns.Result;
import ai.datapilot.cleaner.testing.RedisForTests;
import ai.datapilot.cleaner.testing.StorageTree;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.StreamEntryID;

/** Strange files, strange keys, a slow Redis: each handled without deleting the wrong thing. */
class HostileInputTest {

    @RegisterExtension
    static RedisForTests redis = new RedisForTests(true);

    @TempDir
    Path tmp;

    StorageTree tree;

    @BeforeEach
    void root() throws IOException {
        tree = new StorageTree(Files.createDirectory(tmp.resolve("storage")));
    }

    private Result destructive(String... more) throws IOException {
        String[] settings = new String[more.length + 2];
        settings[0] = "CLEANER_DRY_RUN";
        settings[1] = "false";
        System.arraycopy(more, 0, settings, 2, more.length);
        return run(env(tree.root(), redis.url(), settings));
    }

    private static void linkTime(Path link, Instant when) throws IOException {
        Files.getFileAttributeView(link, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                .setTimes(FileTime.from(when), null, null);
    }

    private static int sh(String script) throws Exception {
        Process p = new ProcessBuilder("bash", "-c", script).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor();
    }

    @Test
    void symlinkLoopsAreLinksNotPlacesToGo() throws IOException {
        Path dir = Files.createDirectories(tree.path("uploads/job_loop"));
        Path a = Files.createSymbolicLink(dir.resolve("a"), dir.resolve("b"));
        Path b = Files.createSymbolicLink(dir.resolve("b"), dir.resolve("a"));
        Path self = Files.createSymbolicLink(tree.path("uploads/job_self"), tree.path("uploads"));
        linkTime(a, old());
        linkTime(b, recent());
        linkTime(self, recent());

        Result result = destructive();

        assertThat(result.exitCode()).isZero();
        assertThat(result.itemIds("deleted")).containsExactly("uploads/job_loop/a");
        assertThat(Files.isSymbolicLink(b)).isTrue();
        assertThat(Files.isSymbolicLink(self)).isTrue();
        assertThat(result.audit().get("totalBlobsScanned").asInt()).isEqualTo(3);
    }

    @Test
    void oddNamesAreCleanedAsThemselves() throws Exception {
        tree.file("uploads/job 1/file with spaces.csv", old());
        tree.file("uploads/job_nl/line\nbreak.csv", old());
        tree.file("uploads/job_nl/line", recent()); // a look-alike of the name before the newline
        Files.createDirectories(tree.path("uploads/job_bytes"));
        // a name that is not UTF-8: made with the shell's byte escapes
        assertThat(sh("cd '" + tree.path("uploads/job_bytes") + "' && touch -d '3 days ago' $'bad\\xff\\xfename.csv' && touch good.csv")).isZero();

        Result result = destructive();

        assertThat(result.exitCode()).isZero();
        assertThat(result.itemIds("deleted")).contains("uploads/job 1/file with spaces.csv", "uploads/job_nl/line\nbreak.csv");
        assertThat(result.itemIds("deleted")).hasSize(3);
        assertThat(tree.exists("uploads/job_nl/line")).isTrue();
        assertThat(tree.exists("uploads/job_bytes/good.csv")).isTrue();
        try (var left = Files.list(tree.path("uploads/job_bytes"))) {
            assertThat(left.map(p -> p.getFileName().toString())).containsExactly("good.csv");
        }
        assertThat(result.stdout().lines().filter(l -> l.startsWith("STRUCTURED_SUMMARY"))).hasSize(1);
    }

    @Test
    void devicesSocketsAndFifosAreSkippedAndReported() throws Exception {
        Files.createDirectories(tree.path("uploads/job_special"));
        Path fifo = tree.path("uploads/job_special/fifo");
        assertThat(sh("mkfifo '" + fifo + "' && touch -h -d '3 days ago' '" + fifo + "'")).isZero();
        Path socket = tree.path("uploads/job_special/socket");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            boolean device = sh("mknod '" + tree.path("uploads/job_special/null-device") + "' c 1 3") == 0;

            Result result = destructive();

            assertThat(result.exitCode()).isZero();
            assertThat(result.itemIds("deleted")).isEmpty();
            String skipped = result.audit().get("skipped").toString();
            assertThat(skipped).contains("uploads/job_special/fifo: not a regular file")
                    .contains("uploads/job_special/socket: not a regular file");
            assertThat(Files.exists(fifo, LinkOption.NOFOLLOW_LINKS)).isTrue();
            assertThat(Files.exists(socket, LinkOption.NOFOLLOW_LINKS)).isTrue();
            if (device) {
                assertThat(skipped).contains("uploads/job_special/null-device: not a regular file");
                assertThat(tree.exists("uploads/job_special/null-device")).isTrue();
            }
        }
    }

    @Test
    void aMountPointBelowAPrefixIsNotCrossed() throws Exception {
        Path mount = Files.createDirectories(tree.path("uploads/job_mounted"));
        assumeTrue(sh("mount -t tmpfs -o size=1m cleaner-test '" + mount + "'") == 0, "cannot mount a tmpfs here");
        try {
            Path inside = Files.writeString(mount.resolve("old.csv"), "on another file system");
            Files.setLastModifiedTime(inside, FileTime.from(old()));

            Result result = destructive();

            assertThat(result.exitCode()).isZero();
            assertThat(inside).exists();
            assertThat(result.audit().get("skipped").toString()).contains("uploads/job_mounted/: mount point");
        } finally {
            sh("umount '" + mount + "'");
        }
    }

    @Test
    void aVeryDeepTreeIsWalkedAndItsEmptiedFoldersRemoved() throws IOException {
        StringBuilder deep = new StringBuilder("uploads/job_deep");
        for (int i = 0; i < 300; i++) {
            deep.append("/d");
        }
        tree.file(deep + "/old.csv", old());

        Result result = destructive();

        assertThat(result.exitCode()).isZero();
        assertThat(result.audit().get("deletedBlobs").asInt()).isEqualTo(1);
        assertThat(tree.exists("uploads/job_deep")).isFalse();
        assertThat(tree.exists("uploads")).isTrue();
    }

    @Test
    void binaryKeysAreDeletedAsThemselvesAndLookAlikesSurvive() throws IOException {
        byte[] binary = "job:bin\u0000\u00ff".getBytes(StandardCharsets.ISO_8859_1);
        try (Jedis jedis = redis.client()) {
            jedis.set(binary, job("bin", old()).getBytes(StandardCharsets.UTF_8));
            // what a lossy decoding of the binary key would look like: must not be touched
            jedis.set("job:bin\u0000\ufffd", job("lookalike", recent()));
        }

        Result result = destructive();

        assertThat(result.exitCode()).isZero();
        assertThat(result.itemIds("deleted")).containsExactly("job:bin\\x00\\xff");
        try (Jedis jedis = redis.client()) {
            assertThat(jedis.exists(binary)).isFalse();
            assertThat(jedis.exists("job:bin\u0000\ufffd")).isTrue();
        }
    }

    @Test
    void enormousValuesAreSkippedWithoutBeingRead() throws IOException {
        String padding = "x".repeat(20 * 1024 * 1024);
        redis.setJob("job:huge_old", "{\"jobId\":\"huge\",\"updatedAt\":\"" + old() + "\",\"result\":\"" + padding + "\"}");
        redis.setJob("job:huge_late_fields", "{\"result\":\"" + padding + "\",\"updatedAt\":\"" + old() + "\"}");
        redis.setJob("job:huge_created_only_in_head", "{\"createdAt\":\"" + old() + "\",\"result\":\"" + padding + "\",\"updatedAt\":\"" + recent() + "\"}");
        redis.setJob("job:small_old", job("small_old", old()));

        Result result = destructive();

        assertThat(result.exitCode()).isZero();
        assertThat(result.itemIds("deleted")).containsExactly("job:small_old");
        String skipped = result.audit().get("skipped").toString();
        for (String key : Arrays.asList("job:huge_old", "job:huge_late_fields", "job:huge_created_only_in_head")) {
            assertThat(skipped).contains(key + ": value is larger than 65536 bytes (");
            assertThat(redis.exists(key)).as(key).isTrue();
        }
    }

    @Test
    void jobKeysOfEveryTypeAreSkippedUnlessStringOrHash() throws IOException {
        try (Jedis jedis = redis.client()) {
            jedis.rpush("job:list", "a");
            jedis.sadd("job:set", "a");
            jedis.zadd("job:zset", 1, "a");
            jedis.xadd("job:stream", StreamEntryID.NEW_ENTRY, Map.of("updatedAt", old().toString()));
            jedis.hset("job:hash", Map.of("updatedAt", old().toString()));
            jedis.set("job:string", job("s", old()));
            jedis.set("job:future", job("f", Instant.now().plusSeconds(86_400 * 30)));
        }

        Result result = destructive();

        assertThat(result.exitCode()).isZero();
        assertThat(result.itemIds("deleted")).containsExactlyInAnyOrder("job:hash", "job:string");
        String skipped = result.audit().get("skipped").toString();
        for (String type : Arrays.asList("list", "set", "zset", "stream")) {
            assertThat(skipped).contains("job:" + type + ": a " + type + ", not a job record");
        }
        assertThat(result.audit().get("futureDated").asInt()).isEqualTo(1);
        assertThat(redis.exists("job:future")).isTrue();
    }

    @Test
    void aRedisTooSlowToAnswerIsAnErrorAndTheBlobsAreStillCleaned() throws Exception {
        tree.file("uploads/job_old/data.csv", old());
        redis.setJob("job:job_old", job("job_old", old()));
        try (Jedis jedis = redis.client()) {
            jedis.clientPause(4000);
        }

        Result result = destructive("CLEANER_REDIS_TIMEOUT_MS", "500");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.errorTypes()).contains("redis_scan_failed");
        assertThat(tree.exists("uploads/job_old/data.csv")).isFalse();
        Thread.sleep(4000);
        assertThat(redis.exists("job:job_old")).isTrue();
        awaitNoLease();
        assertThat(destructive().itemIds("deleted")).containsExactly("job:job_old");
    }

    @Test
    void aRedisRestartedBetweenRunsIsPickedUpByTheNextRun() throws Exception {
        redis.setJob("job:a", job("a", old()));
        assertThat(destructive().itemIds("deleted")).containsExactly("job:a");

        redis.setJob("job:b", job("b", old()));
        redis.server().restart();

        assertThat(destructive().itemIds("deleted")).containsExactly("job:b");
    }

    private static void awaitNoLease() throws InterruptedException {
        long deadline = System.currentTimeMillis() + 65_000;
        while (redis.exists("datapilot-cleaner:lease") && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
        }
    }
}
