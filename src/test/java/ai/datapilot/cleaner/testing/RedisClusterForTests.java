package ai.datapilot.cleaner.testing;

import ai.datapilot.cleaner.demo.PrivateRedis;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisCluster;

/**
 * A real three-master Redis Cluster of private redis-server processes on loopback, built with
 * {@code redis-cli --cluster create}, emptied before each test. Never the machine's own Redis.
 * Use as {@code @RegisterExtension static RedisClusterForTests cluster = new RedisClusterForTests();}.
 */
public final class RedisClusterForTests implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback {

    private final List<PrivateRedis> masters = new ArrayList<>();
    private final String password;
    private JedisCluster client;

    public RedisClusterForTests() {
        this(null);
    }

    /** A cluster whose nodes ask for {@code password}, as a managed cluster with AUTH does. */
    public RedisClusterForTests(String password) {
        this.password = password;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        for (int i = 0; i < 3; i++) {
            masters.add(PrivateRedis.startClusterNode(password));
        }
        List<String> command = new ArrayList<>(List.of(redisCli(), "--cluster", "create"));
        masters.forEach(m -> command.add("127.0.0.1:" + m.port()));
        command.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
        if (password != null) {
            command.addAll(List.of("-a", password, "--no-auth-warning"));
        }
        Process create = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(create.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!create.waitFor(60, TimeUnit.SECONDS) || create.exitValue() != 0) {
            throw new IllegalStateException("redis-cli --cluster create failed: " + output);
        }
        awaitClusterOk();
        client = new JedisCluster(new HashSet<>(nodes()), DefaultJedisClientConfig.builder().password(password).build());
    }

    private static String redisCli() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, "redis-cli");
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        throw new IllegalStateException("redis-cli is needed to build the test cluster (Debian package redis-tools; .ci/run installs it)");
    }

    /** Every node agrees the cluster is up, with all 16384 slots served. */
    private void awaitClusterOk() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            boolean ok = true;
            for (PrivateRedis m : masters) {
                try (Jedis j = node(m)) {
                    String info = j.clusterInfo();
                    ok &= info.contains("cluster_state:ok") && info.contains("cluster_slots_ok:16384")
                            && info.contains("cluster_known_nodes:3");
                }
            }
            if (ok) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("the test cluster did not reach cluster_state:ok within 30 s");
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
