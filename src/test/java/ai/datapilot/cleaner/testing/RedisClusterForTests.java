package ai.datapilot.cleaner.testing;

import ai.datapilot.cleaner.demo.PrivateRedis;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisCluster;

/**
 * A real three-master Redis Cluster of private redis-server processes on loopback, built through
 * the client (CLUSTER ADDSLOTS, SET-CONFIG-EPOCH, MEET): no redis-cli needed. Emptied before each
 * test. Never the machine's own Redis.
 * Use as {@code @RegisterExtension static RedisClusterForTests cluster = new RedisClusterForTests();}.
 */
public final class RedisClusterForTests implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback {

    private static final int SLOTS = 16384;

    private final List<PrivateRedis> masters = new ArrayList<>();
    private final String password;
    private final String binary;
    private JedisCluster client;

    public RedisClusterForTests() {
        this(null);
    }

    /** A cluster whose nodes ask for {@code password}, as a managed cluster with AUTH does. */
    public RedisClusterForTests(String password) {
        this(password, null);
    }

    private RedisClusterForTests(String password, String binary) {
        this.password = password;
        this.binary = binary;
    }

    /** A cluster of the redis-server shipped in embedded-redis, as on a machine with only a JDK and Maven. */
    public static RedisClusterForTests ofBundledServer() {
        return new RedisClusterForTests(null, PrivateRedis.bundledBinary());
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        for (int i = 0; i < 3; i++) {
            masters.add(binary == null ? PrivateRedis.startClusterNode(password) : PrivateRedis.startClusterNode(binary, password));
        }
        create();
        awaitClusterOk();
        client = new JedisCluster(new HashSet<>(nodes()), DefaultJedisClientConfig.builder().password(password).build());
    }

    /**
     * What {@code redis-cli --cluster create ... --cluster-replicas 0} does, through the client:
     * an equal share of the 16384 slots per master, a distinct config epoch each (no epoch
     * collision to resolve), then every node introduced to the first.
     */
    private void create() {
        int count = masters.size();
        for (int i = 0; i < count; i++) {
            int first = i * SLOTS / count;
            int last = (i + 1) * SLOTS / count - 1;
            try (Jedis j = node(masters.get(i))) {
                // ADDSLOTS rather than ADDSLOTSRANGE (7.0+): the bundled redis-server may be older
                j.clusterAddSlots(IntStream.rangeClosed(first, last).toArray());
                j.clusterSetConfigEpoch(i + 1);
            }
        }
        try (Jedis j = node(masters.get(0))) {
            for (PrivateRedis m : masters.subList(1, count)) {
                j.clusterMeet("127.0.0.1", m.port());
            }
        }
    }

    /** Every node says the cluster is up with all slots served, and all of them agree who serves which. */
    private void awaitClusterOk() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        String seen = "";
        while (System.nanoTime() < deadline) {
            boolean ok = true;
            Set<Map<String, String>> views = new HashSet<>();
            for (PrivateRedis m : masters) {
                try (Jedis j = node(m)) {
                    String info = j.clusterInfo();
                    ok &= info.contains("cluster_state:ok") && info.contains("cluster_slots_ok:" + SLOTS)
                            && info.contains("cluster_known_nodes:" + masters.size());
                    Map<String, String> view = slotsByNode(j.clusterNodes());
                    views.add(view);
                    seen = info + view;
                }
            }
            if (ok && views.size() == 1 && views.iterator().next().size() == masters.size()) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("the test cluster did not reach cluster_state:ok, every node agreeing, within 30 s: " + seen);
    }

    /** One node's view (CLUSTER NODES): the slots of each node, by node id. */
    private static Map<String, String> slotsByNode(String clusterNodes) {
        Map<String, String> slots = new TreeMap<>();
        for (String line : clusterNodes.split("\n")) {
            String[] f = line.trim().split(" ");
            if (f.length >= 8) {
                slots.put(f[0], String.join(" ", Arrays.asList(f).subList(8, f.length)));
            }
        }
        return slots;
    }

    private Jedis node(PrivateRedis m) {
        return new Jedis(new HostAndPort("127.0.0.1", m.port()), DefaultJedisClientConfig.builder().password(password).build());
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (client != null) {
            client.close();
        }
        masters.forEach(PrivateRedis::close);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        if (masters.stream().anyMatch(m -> !m.isAlive())) {
            throw new IllegalStateException("a test killed a master of this cluster; give such a test a cluster of its own");
        }
        for (PrivateRedis m : masters) {
            try (Jedis j = node(m)) {
                j.flushAll();
            }
        }
    }

    /** Kills one master at once, as a crash would: its slots are unserved from then on. */
    public void killMaster(int index) {
        masters.get(index).kill();
    }

    public List<HostAndPort> nodes() {
        return masters.stream().map(m -> new HostAndPort("127.0.0.1", m.port())).toList();
    }

    /** The REDIS_URL a cleaner is given: two of the three nodes as seeds, the third found through them. */
    public String url() {
        return "redis-cluster://" + (password == null ? "" : ":" + password + "@") + masters.subList(0, 2).stream().map(m -> "127.0.0.1:" + m.port())
                .collect(Collectors.joining(","));
    }

    public JedisCluster client() {
        return client;
    }

    /** How many keys each master holds, to show a test spreads its keys over every node. */
    public List<Long> keysPerMaster() {
        List<Long> counts = new ArrayList<>();
        for (PrivateRedis m : masters) {
            try (Jedis j = node(m)) {
                counts.add(j.dbSize());
            }
        }
        return counts;
    }

    public Set<String> allKeys(String pattern) {
        Set<String> keys = new HashSet<>();
        for (PrivateRedis m : masters) {
            try (Jedis j = node(m)) {
                keys.addAll(j.keys(pattern));
            }
        }
        return keys;
    }
}
