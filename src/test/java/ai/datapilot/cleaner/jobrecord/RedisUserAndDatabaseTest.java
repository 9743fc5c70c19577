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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.Jedis;

/**
 * Every command of a run as the configured user, on the configured database: a private Redis with
 * a password, an ACL user made with exactly the line the README gives operators, and one allowed
 * less. Same-named keys in databases 0 and 3 must survive a run on database 5; MONITOR shows where
 * each command ran, ACL LOG what was refused and to whom.
 */
class RedisUserAndDatabaseTest {

    /** The line the README gives operators, word for word (PASSWORD replaced). */
    static final String OPERATOR_ACL_LINE = "ACL SETUSER datapilot-cleaner reset on >PASSWORD ~job:* ~datapilot-cleaner:lease"
            + " +ping +select +client|setname +scan +eval +type +getrange +strlen +hstrlen +hlen +hkeys +hget +hmget +get +set +pexpire +pttl +del";

    static final String LEASE = "datapilot-cleaner:lease";
    static final int DB = 5;
    static final List<String> KEYS = List.of("job:old-1", "job:old-2", "job:old-3", "job:old-4", "job:old-5", "job:old-6", "job:old-h");

    static PrivateRedis server;

    @TempDir
    Path tmp;

    StorageTree tree;

    @BeforeAll
    static void start() throws Exception {
        server = PrivateRedis.start();
        try (Jedis jedis = new Jedis("127.0.0.1", server.port())) {
            jedis.sendCommand(redis.clients.jedis.Protocol.Command.ACL, "SETUSER", "admin", "on", ">adminpw", "~*", "&*", "+@all");
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
        assertThat(words[0]).isEqualTo("ACL");
        jedis.sendCommand(redis.clients.jedis.Protocol.Command.ACL, java.util.Arrays.copyOfRange(words, 1, words.length));
    }

    @BeforeEach
    void data() throws Exception {
        try (Jedis jedis = admin(0)) {
            jedis.configSet("requirepass", "");
            acl(jedis, "ACL SETUSER default reset on nopass ~* &* +@all");
            jedis.sendCommand(redis.clients.jedis.Protocol.Command.ACL, "DELUSER", "datapilot-cleaner");
            jedis.flushAll();
            jedis.aclLogReset();
        }
        for (int db : new int[] {0, 3, DB}) {
            try (Jedis jedis = admin(db)) {
                for (int i = 1; i <= 6; i++) {
                    jedis.set("job:old-" + i, job("old-" + i + "-db" + db, old().minus(Duration.ofMinutes(i))));
                }
                jedis.hset("job:old-h", Map.of("updatedAt", old().toString(), "createdAt", old().toString(), "db", Integer.toString(db)));
                jedis.set("job:young", job("young-db" + db, recent()));
            }
        }
        tree = new StorageTree(Files.createDirectory(tmp.resolve("storage")));
        tree.file("uploads/job_old/data.csv", old());
    }

    /** What databases 0 and 3 hold: they must come out of every run exactly as they went in. */
    static Map<String, Object> otherDatabases() {
        Map<String, Object> all = new TreeMap<>();
        for (int db : new int[] {0, 3}) {
            try (Jedis jedis = admin(db)) {
                for (String key : jedis.keys("*")) {
                    all.put(db + "/" + key, jedis.type(key).equals("hash") ? new TreeMap<>(jedis.hgetAll(key)) : jedis.get(key));
                }
            }
        }
        return all;
    }

    static Set<String> keysIn(int db) {
        try (Jedis jedis = admin(db)) {
            return new HashSet<>(jedis.keys("*"));
        }
    }


    /**
     * Every command that touched data ran on database {@value #DB}, on a connection that had sent
     * SELECT and CLIENT SETNAME first (a connection opened anew without them reads database 0).
     */
    static void assertEverythingRanOnTheConfiguredDatabase(RedisMonitor monitor) {
        Set<String> selected = new HashSet<>();
        Set<String> named = new HashSet<>();
        Set<String> setup = Set.of("SELECT", "CLIENT", "HELLO", "AUTH", "PING");
        List<String[]> commands = monitor.commands();
        assertThat(commands).isNotEmpty();
        for (String[] c : commands) {
            String client = c[1];
            if (c[2].equals("SELECT")) {
                assertThat(c[3]).as("SELECT of %s", client).isEqualTo("\"SELECT\" \"" + DB + "\"");
                selected.add(client);
            } else if (c[2].equals("CLIENT") && c[3].startsWith("\"CLIENT\" \"SETNAME\" \"datapilot-cleaner\"")) {
                named.add(client);
            } else if (!setup.contains(c[2])) {
                assertThat(c[0]).as("database of %s", String.join(" ", c)).isEqualTo(Integer.toString(DB));
                if (!client.equals("lua")) {
                    assertThat(selected).as("%s ran on a connection that never sent SELECT %d", String.join(" ", c), DB).contains(client);
                    assertThat(named).as("%s ran on a connection that never sent CLIENT SETNAME", String.join(" ", c)).contains(client);
                }
            }
        }
    }

    static void assertCleaned(Result result) {
        assertThat(keysIn(DB)).containsExactly("job:young");
        assertThat(result.itemIds("deleted")).containsAll(KEYS);
        assertThat(result.audit().get("deletedKeys").asInt()).isEqualTo(KEYS.size());
    }

    @Test
    void withAPasswordAndDatabaseFiveOnlyDatabaseFiveIsCleanedAndTheLeaseIsReleasedThere() throws Exception {
        try (Jedis jedis = admin(0)) {
            jedis.configSet("requirepass", "s3cret");
        }
        Map<String, Object> before = otherDatabases();

        Result result;
        try (RedisMonitor monitor = new RedisMonitor(admin(0))) {
            // no retries: a delete refused once (NOAUTH) stays refused, as every one did before the fix
            result = run(env(tree.root(), "redis://:s3cret@127.0.0.1:" + server.port() + "/" + DB, "CLEANER_DRY_RUN", "false",
                    "CLEANER_DELETE_RETRIES", "0"));
            monitor.close();
            assertEverythingRanOnTheConfiguredDatabase(monitor);
            List<String[]> commands = monitor.commands();
            assertThat(commands).anySatisfy(c -> assertThat(c[3]).startsWith("\"SET\" \"" + LEASE + "\"").contains("\"NX\""));
            assertThat(commands).as("the lease released by its script, in database %d", DB)
                    .anySatisfy(c -> assertThat(String.join(" ", c)).isEqualTo(DB + " lua DEL \"DEL\" \"" + LEASE + "\""));
        }

        assertThat(result.exitCode()).as(result.stdout()).isZero();
        assertCleaned(result);
        assertThat(otherDatabases()).isEqualTo(before);
        assertThat(keysIn(DB)).doesNotContain(LEASE);
        assertThat(keysIn(0)).doesNotContain(LEASE);
    }

    @Test
    void anAclUserMadeWithTheDocumentedLineCleansAsItselfAndNothingRunsAsDefault() throws Exception {
        try (Jedis jedis = admin(0)) {
            acl(jedis, OPERATOR_ACL_LINE.replace("PASSWORD", "cleaner-pw"));
            // the default user may do nothing: a command sent without AUTH is refused and logged
            acl(jedis, "ACL SETUSER default reset on nopass");
        }
        Map<String, Object> before = otherDatabases();

        Result result;
        try (RedisMonitor monitor = new RedisMonitor(admin(0))) {
            result = run(env(tree.root(), "redis://datapilot-cleaner:cleaner-pw@127.0.0.1:" + server.port() + "/" + DB,
                    "CLEANER_DRY_RUN", "false"));
            monitor.close();
            assertEverythingRanOnTheConfiguredDatabase(monitor);
        }

        assertThat(result.exitCode()).as(result.stdout()).isZero();
        assertCleaned(result);
        assertThat(tree.exists("uploads/job_old/data.csv")).isFalse();
        assertThat(otherDatabases()).isEqualTo(before);
        assertThat(keysIn(DB)).doesNotContain(LEASE);
        try (Jedis jedis = admin(0)) {
            assertThat(jedis.aclLog()).as("commands refused to someone").isEmpty();
        }

        // a lease held by another run: the same user can say who holds it and for how long (GET, PTTL)
        try (Jedis jedis = admin(DB)) {
            jedis.set(LEASE, "other-host:4242:run", redis.clients.jedis.params.SetParams.setParams().px(60_000));
        }
        Result denied = run(env(tree.root(), "redis://datapilot-cleaner:cleaner-pw@127.0.0.1:" + server.port() + "/" + DB,
                "CLEANER_DRY_RUN", "false"));
        assertThat(denied.exitCode()).as(denied.stdout()).isEqualTo(75);
        assertThat(denied.audit().get("leaseUnavailable").asText()).contains("other-host:4242:run").contains("expires in");
        try (Jedis jedis = admin(0)) {
            assertThat(jedis.aclLog()).as("commands refused to someone").isEmpty();
        }
    }

    @Test
    void aRunLongerThanAThirdOfTheLeaseIsNotStoppedAsLeaseLost() throws Exception {
        try (Jedis jedis = admin(0)) {
            acl(jedis, OPERATOR_ACL_LINE.replace("PASSWORD", "cleaner-pw"));
            acl(jedis, "ACL SETUSER default reset on nopass");
        }

        long started = System.nanoTime();
        Result result;
        try (RedisMonitor monitor = new RedisMonitor(admin(0))) {
            // 8 paced deletes at 2 a second: about 4 s, against a renewal every 1.7 s of a 5 s lease
            result = run(env(tree.root(), "redis://datapilot-cleaner:cleaner-pw@127.0.0.1:" + server.port() + "/" + DB,
                    "CLEANER_DRY_RUN", "false", "CLEANER_DELETES_PER_SECOND", "2", "CLEANER_LEASE_TTL_SECONDS", "5"));
            monitor.close();
            assertEverythingRanOnTheConfiguredDatabase(monitor);
            assertThat(monitor.commands()).as("the lease renewed in database %d", DB)
                    .anySatisfy(c -> assertThat(String.join(" ", c)).startsWith(DB + " lua PEXPIRE \"PEXPIRE\" \"" + LEASE + "\""));
        }

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThan(Duration.ofSeconds(3));
        assertThat(result.exitCode()).as(result.stdout()).isZero();
        assertThat(result.audit().get("status").asText()).isEqualTo("completed");
        assertCleaned(result);
        try (Jedis jedis = admin(0)) {
            assertThat(jedis.aclLog()).isEmpty();
        }
    }

    @Test
    void aUserNotAllowedTheLeaseKeyDeletesNothingAndSaysWhy() throws Exception {
        try (Jedis jedis = admin(0)) {
            acl(jedis, OPERATOR_ACL_LINE.replace("PASSWORD", "cleaner-pw").replace(" ~datapilot-cleaner:lease", ""));
        }
        Map<String, Object> before = otherDatabases();

        Result result = run(env(tree.root(), "redis://datapilot-cleaner:cleaner-pw@127.0.0.1:" + server.port() + "/" + DB,
                "CLEANER_DRY_RUN", "false"));

        assertThat(result.exitCode()).as(result.stdout()).isEqualTo(1);
        assertThat(keysIn(DB)).containsAll(KEYS);
        assertThat(tree.exists("uploads/job_old/data.csv")).isTrue();
        assertThat(result.audit().get("items")).isEmpty();
        assertThat(result.audit().get("status").asText()).isEqualTo("lease_unavailable");
        assertThat(result.errorTypes()).containsExactly("lease_failed");
        assertThat(result.summary().get("errors").get(0).get("message").asText()).contains("NOPERM").contains(LEASE);
        assertThat(otherDatabases()).isEqualTo(before);
    }

    @Test
    void aUserAllowedOnlyToReadJobRecordsDeletesNoneOfThem() throws Exception {
        // Redis checks a script's declared keys for read and write: reading through EVAL needs ~job:*
        try (Jedis jedis = admin(0)) {
            acl(jedis, OPERATOR_ACL_LINE.replace("PASSWORD", "cleaner-pw").replace(" ~job:*", " %R~job:*"));
        }

        Result result = run(env(tree.root(), "redis://datapilot-cleaner:cleaner-pw@127.0.0.1:" + server.port() + "/" + DB,
                "CLEANER_DRY_RUN", "false"));

        assertThat(result.exitCode()).as(result.stdout()).isEqualTo(1);
        assertThat(keysIn(DB)).containsAll(KEYS);
        assertThat(result.itemIds("deleted")).containsExactly("uploads/job_old/data.csv");
        assertThat(result.errorTypes()).containsExactly("redis_scan_failed");
        assertThat(result.summary().get("errors").get(0).get("message").asText()).contains("NOPERM");
    }
}
