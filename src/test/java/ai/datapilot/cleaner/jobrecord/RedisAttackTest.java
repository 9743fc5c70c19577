package ai.datapilot.cleaner.jobrecord;

import static ai.datapilot.cleaner.testing.CleanerRuns.env;
import static ai.datapilot.cleaner.testing.CleanerRuns.run;
import static ai.datapilot.cleaner.testing.RedisForTests.job;
import static ai.datapilot.cleaner.testing.StorageTree.old;
import static ai.datapilot.cleaner.testing.StorageTree.recent;
import static org.assertj.core.api.Assertions.assertThat;

import ai.datapilot.cleaner.demo.PrivateRedis;
import ai.datapilot.cleaner.testing.RedisMonitor;
import ai.datapilot.cleaner.testing.CleanerRuns.Result;
import ai.datapilot.cleaner.testing.StorageTree;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol;

/**
 * An outsider's attacks on the Redis side of a run, against a private redis-server: the cleaner's
 * connections killed while it runs, and the lease removed under it. The default user may do
 * everything (the common set-up when only the cleaner has its own user), so a connection that
 * comes back without AUTH or SELECT would really delete on database 0.
 */
class RedisAttackTest {

    static final int DB = 5;
    static final String USER = "datapilot-cleaner";
    static final String LEASE = "datapilot-cleaner:lease";

    static PrivateRedis server;

    @TempDir
    Path tmp;

    StorageTree tree;

    @BeforeAll
    static void start() throws Exception {
        server = PrivateRedis.start();
        try (Jedis jedis = new Jedis("127.0.0.1", server.port())) {
            jedis.sendCommand(Protocol.Command.ACL, "SETUSER", "admin", "on", ">adminpw", "~*", "&*", "+@all");
        }
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static Jedis admin(int db) {
        return new Jedis("127.0.0.1", server.port(), DefaultJedisClientConfig.builder().user("admin").password("adminpw").database(db).build());
    }

    static void acl(Jedis jedis, String line) {
        String[] words = line.split(" ");
        jedis.sendCommand(Protocol.Command.ACL, java.util.Arrays.copyOfRange(words, 1, words.length));
    }

    @BeforeEach
    void data() throws Exception {
        try (Jedis jedis = admin(0)) {
            jedis.configSet("requirepass", "");
            acl(jedis, "ACL SETUSER default reset on nopass ~* &* +@all");
            acl(jedis, RedisUserAndDatabaseTest.OPERATOR_ACL_LINE.replace("PASSWORD", "cleaner-pw"));
            jedis.flushAll();
            jedis.aclLogReset();
        }
        tree = new StorageTree(Files.createDirectory(tmp.resolve("storage")));
    }

    static void records(int db, int count) {
        try (Jedis jedis = admin(db)) {
            for (int i = 0; i < count; i++) {
                jedis.set("job:old-" + i, job("old-" + i + "-db" + db, old().minus(Duration.ofMinutes(i))));
            }
            jedis.set("job:young", job("young-db" + db, recent()));
        }
    }

    static Map<String, String> contents(int db) {
        Map<String, String> all = new TreeMap<>();
        try (Jedis jedis = admin(db)) {
            for (String key : jedis.keys("*")) {
                all.put(key, jedis.type(key).equals("string") ? jedis.get(key) : jedis.type(key));
            }
        }
        return all;
    }

    String url() {
        return "redis://" + USER + ":cleaner-pw@127.0.0.1:" + server.port() + "/" + DB;
    }

    /** Commands that named a job record or the lease, on a database other than {@code db}. */
    static List<String> touchingDataOutside(RedisMonitor monitor, int db) {
        List<String> wrong = new ArrayList<>();
        for (String[] c : monitor.commands()) {
            if (!c[0].equals(Integer.toString(db)) && (c[3].contains("\"job:") || c[3].contains(LEASE))) {
                wrong.add(String.join(" ", c));
            }
        }
        return wrong;
    }

    @Test
    void theCleanersConnectionsKilledAgainAndAgainNeverComeBackAsDefaultOrOnDatabaseZero() throws Exception {
        records(0, 40);
        records(3, 40);
        records(DB, 40);
        Map<String, String> db0 = contents(0);
        Map<String, String> db3 = contents(3);

        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger killed = new AtomicInteger();
        Thread killer = new Thread(() -> {
            try (Jedis jedis = admin(0); Jedis lease = admin(DB)) {
                // the run must get past its lease first: then its connections die under the scan, the deletes, the renewals
                while (running.get() && !lease.exists(LEASE)) {
                    Thread.sleep(5);
                }
                Thread.sleep(300);
                while (running.get()) {
                    Object n = jedis.sendCommand(Protocol.Command.CLIENT, "KILL", "USER", USER);
                    killed.addAndGet(((Long) n).intValue());
                    Thread.sleep(250);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "attack-killer");
        Result result;
        try (RedisMonitor monitor = new RedisMonitor(admin(0))) {
            killer.start();
            try {
                // paced: about 4 s of deletes, renewals every second, and connections killed under all of it
                result = run(env(tree.root(), url(), "CLEANER_DRY_RUN", "false", "CLEANER_DELETES_PER_SECOND", "10",
                        "CLEANER_LEASE_TTL_SECONDS", "5"));
            } finally {
                running.set(false);
                killer.join();
            }
            monitor.close();
            assertThat(touchingDataOutside(monitor, DB)).isEmpty();
        }

        assertThat(killed.get()).as("connections the attack killed").isPositive();
        assertThat(contents(0)).isEqualTo(db0);
        assertThat(contents(3)).isEqualTo(db3);
        assertThat(contents(DB)).containsKey("job:young");
        try (Jedis jedis = admin(0)) {
            assertThat(jedis.aclLog()).as("commands refused to someone").isEmpty();
        }
        assertThat(result.summary()).isNotNull();
    }

    /** Keys of database {@value #DB} that are gone, by the time each went (polled). */
    static final class Deletions implements AutoCloseable {
        final Map<String, Long> goneAtNanos = new java.util.concurrent.ConcurrentHashMap<>();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread thread;

        Deletions(List<String> keys) {
            thread = new Thread(() -> {
                try (Jedis jedis = admin(DB)) {
                    while (running.get()) {
                        for (String key : keys) {
                            if (!goneAtNanos.containsKey(key) && !jedis.exists(key)) {
                                goneAtNanos.put(key, System.nanoTime());
                            }
                        }
                        Thread.sleep(10);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "attack-deletions");
            thread.start();
        }

        long goneAfter(long nanos) {
            return goneAtNanos.values().stream().filter(t -> t > nanos).count();
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            thread.join();
        }
    }

    /**
     * The lease is lost in the middle of a run (Redis restarted empty, a failover to a replica that
     * never saw the SET, an operator's FLUSHALL) and another run takes it. From then on the run
     * that lost it holds no lease: it must delete nothing more, and say in its audit that it lost it.
     */
    @Test
    void aRunWhoseLeaseWasTakenByAnotherRunMidwayDeletesNothingMoreAndSaysSo() throws Exception {
        records(DB, 30);
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            keys.add("job:old-" + i);
        }
        AtomicBoolean stolen = new AtomicBoolean();
        long[] stolenAt = new long[1];
        Thread thief = new Thread(() -> {
            try (Jedis jedis = admin(DB)) {
                while (jedis.exists("job:old-29") && jedis.exists("job:old-28") && jedis.exists("job:old-27")) {
                    Thread.sleep(5); // oldest first: three deleted, then the lease goes
                }
                jedis.del(LEASE); // as after a restart of a Redis without persistence
                jedis.set(LEASE, "other-host:4242:run", redis.clients.jedis.params.SetParams.setParams().nx().px(60_000));
                stolenAt[0] = System.nanoTime();
                stolen.set(true);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "attack-thief");
        Result result;
        try (Deletions deletions = new Deletions(keys)) {
            thief.start();
            // 5 deletes a second with the default 60 s lease: the next renewal is 20 s away
            result = run(env(tree.root(), url(), "CLEANER_DRY_RUN", "false", "CLEANER_DELETES_PER_SECOND", "5"));
            thief.join();
            deletions.close();
            assertThat(stolen).isTrue();
            // one delete may already be on its way when the lease goes
            assertThat(deletions.goneAfter(stolenAt[0] + Duration.ofMillis(300).toNanos()))
                    .as("records deleted by a run that no longer held the lease").isZero();
        }
        assertThat(result.exitCode()).as(result.stdout()).isNotZero();
        assertThat(result.summary().get("errors").toString()).contains("lease");
    }
}
