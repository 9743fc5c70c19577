package ai.datapilot.cleaner.lease;

import static ai.datapilot.cleaner.testing.CleanerRuns.env;
import static ai.datapilot.cleaner.testing.CleanerRuns.run;
import static ai.datapilot.cleaner.testing.RedisForTests.job;
import static ai.datapilot.cleaner.testing.StorageTree.old;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.datapilot.cleaner.testing.CleanerRuns.Result;
import ai.datapilot.cleaner.testing.RedisForTests;
import ai.datapilot.cleaner.testing.StorageTree;
import ai.datapilot.cleaner.jobrecord.RedisConnections;
import ai.datapilot.cleaner.settings.RedisUrl;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.params.SetParams;

/**
 * A lease left by a run on this host whose process is provably gone is taken over at once; one
 * whose holder may be alive (a live process, another host, another pid namespace, a token this
 * version cannot judge) is respected. The holders are real processes the test starts and ends.
 */
class LeaseTakeoverTest {

    @RegisterExtension
    static RedisForTests redis = new RedisForTests();

    static final String LEASE = "datapilot-cleaner:lease";

    @TempDir
    Path tmp;

    StorageTree tree;
    Process sleeper;

    @BeforeEach
    void data() throws Exception {
        assumeTrue(Files.isReadable(Path.of("/proc/self/stat")), "needs Linux /proc");
        tree = new StorageTree(Files.createDirectory(tmp.resolve("storage")));
        tree.file("uploads/job_old/data.csv", old());
        redis.setJob("job:job_old", job("job_old", old()));
        sleeper = new ProcessBuilder("sleep", "60").start();
    }

    @AfterEach
    void stopSleeper() throws InterruptedException {
        sleeper.destroyForcibly();
        sleeper.waitFor(5, TimeUnit.SECONDS);
    }

    /** {host, space} of this process's tokens: the same for every process of this pid namespace. */
    static String[] hostAndSpace() {
        String[] p = LeaseHolder.thisProcess().token("x").split(":");
        String stamp = p[p.length - 2];
        return new String[] {String.join(":", java.util.Arrays.copyOf(p, p.length - 3)), stamp.substring(0, stamp.indexOf('.'))};
    }

    /** Field 22 of /proc/pid/stat, read here independently of the code under test. */
    static String startTicks(long pid) throws Exception {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.US_ASCII);
        return stat.substring(stat.lastIndexOf(')') + 2).split(" ")[19];
    }

    static String token(String host, long pid, String space, String ticks) {
        return host + ":" + pid + ":" + space + "." + ticks + ":3c0ffee0-0000-4000-8000-000000000000";
    }

    private void holdLease(String token) {
        try (Jedis jedis = redis.client()) {
            jedis.set(LEASE, token, SetParams.setParams().px(600_000));
        }
    }

    private String lease() {
        try (Jedis jedis = redis.client()) {
            return jedis.get(LEASE);
        }
    }

    private Result cleanerRun() throws Exception {
        return run(env(tree.root(), redis.url(), "CLEANER_DRY_RUN", "false"));
    }

    private void assertTakenOver(Result result, String token) {
        assertThat(result.exitCode()).as(result.stdout()).isZero();
        assertThat(result.audit().get("leaseTakenOver").asText()).startsWith(token).contains("has ended");
        assertThat(tree.exists("uploads/job_old/data.csv")).isFalse();
        assertThat(redis.exists("job:job_old")).isFalse();
        assertThat(redis.exists(LEASE)).as("released at the end of the run").isFalse();
    }

    private void assertRespected(Result result, String token) {
        assertThat(result.exitCode()).as(result.stdout()).isEqualTo(75);
        assertThat(result.audit().get("status").asText()).isEqualTo("lease_unavailable");
        assertThat(result.audit().has("leaseTakenOver")).isFalse();
        assertThat(tree.exists("uploads/job_old/data.csv")).isTrue();
        assertThat(redis.exists("job:job_old")).isTrue();
        assertThat(lease()).isEqualTo(token);
    }

    @Test
    void aLeaseWhoseProcessHasEndedIsTakenOverAtOnce() throws Exception {
        String[] here = hostAndSpace();
        String token = token(here[0], sleeper.pid(), here[1], startTicks(sleeper.pid()));
        sleeper.destroyForcibly(); // kill -9
        sleeper.waitFor();
        holdLease(token);

        assertTakenOver(cleanerRun(), token);
    }

    @Test
    void aLeaseWhosePidNowBelongsToAnotherProcessIsTakenOver() throws Exception {
        String[] here = hostAndSpace();
        // the pid is alive, but the process behind it started at another tick: the holder is gone
        long otherTick = Long.parseLong(startTicks(sleeper.pid())) - 1;
        String token = token(here[0], sleeper.pid(), here[1], Long.toString(otherTick));
        holdLease(token);

        Result result = cleanerRun();

        assertTakenOver(result, token);
        assertThat(result.audit().get("leaseTakenOver").asText()).contains("now belongs to a process started at tick");
    }

    @Test
    void aLeaseWhoseProcessIsAliveIsRespected() throws Exception {
        String[] here = hostAndSpace();
        String token = token(here[0], sleeper.pid(), here[1], startTicks(sleeper.pid()));
        holdLease(token);

        assertRespected(cleanerRun(), token);
    }

    @Test
    void aLeaseOfAnotherHostIsRespectedEvenWhenItsPidIsFreeHere() throws Exception {
        String[] here = hostAndSpace();
        String token = token("other-" + here[0], sleeper.pid(), here[1], startTicks(sleeper.pid()));
        sleeper.destroyForcibly();
        sleeper.waitFor();
        holdLease(token);

        assertRespected(cleanerRun(), token);
    }

    @Test
    void aLeaseOfAnotherPidNamespaceOrBootIsRespected() throws Exception {
        String[] here = hostAndSpace();
        String token = token(here[0], sleeper.pid(), "000000000000", startTicks(sleeper.pid()));
        sleeper.destroyForcibly();
        sleeper.waitFor();
        holdLease(token);

        assertRespected(cleanerRun(), token);
    }

    @Test
    void aTokenThisVersionCannotJudgeIsRespected() throws Exception {
        sleeper.destroyForcibly();
        sleeper.waitFor();
        // the form of earlier versions, host:pid:run, says nothing about which process held the pid
        String token = hostAndSpace()[0] + ":" + sleeper.pid() + ":3c0ffee0-0000-4000-8000-000000000000";
        holdLease(token);

        assertRespected(cleanerRun(), token);
    }

    @Test
    void theTakeOverIsACompareAndSetOnTheExactTokenJudged() throws Exception {
        String[] here = hostAndSpace();
        String dead = token(here[0], sleeper.pid(), here[1], startTicks(sleeper.pid()));
        sleeper.destroyForcibly();
        sleeper.waitFor();
        holdLease(dead);
        var factory = RedisConnections.connectionFactory(RedisUrl.parse(redis.url()), Duration.ofSeconds(2));
        RedisRunLease lease = new RedisRunLease(RedisConnections.template(factory), LEASE, Duration.ofSeconds(60));
        String newcomer = "another-run-took-it-in-between";

        // between the judgement and the swap, another run takes the lease: it must stay theirs
        RedisRunLease.Attempt attempt;
        try {
            attempt = lease.tryAcquire("ours", holder -> {
                holdLease(newcomer);
                return Optional.of("judged gone");
            });
        } finally {
            RedisConnections.close(factory);
        }

        assertThat(attempt.taken()).isFalse();
        assertThat(lease()).isEqualTo(newcomer);
    }
}
