package ai.datapilot.cleaner.testing;

import ai.datapilot.cleaner.service.CleanerControl;
import ai.datapilot.cleaner.service.CleanerService;
import ai.datapilot.cleaner.settings.SettingsParser;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * The service in this JVM for a test: on a storage tree and a private Redis the test made, its
 * management port free, its STRUCTURED_SUMMARY lines kept; the control MBean and HTTP at hand.
 */
public final class RunningService implements AutoCloseable {

    public static final MBeanServer JMX = ManagementFactory.getPlatformMBeanServer();

    /** Something to wait for; may throw. */
    public interface Condition {
        boolean met() throws Exception;
    }

    private final CleanerService service;
    private final int port;
    private final ByteArrayOutputStream stdout;

    private RunningService(CleanerService service, int port, ByteArrayOutputStream stdout) {
        this.service = service;
        this.port = port;
        this.stdout = stdout;
    }

    /** The settings every service test starts from: the tree, the Redis, a free port, unpaced deletes. */
    public static Map<String, String> env(StorageTree tree, RedisForTests redis) throws IOException {
        Map<String, String> env = new HashMap<>();
        env.put("LOCAL_STORAGE_ROOT", tree.root().toString());
        env.put("REDIS_URL", redis.url());
        try (ServerSocket s = new ServerSocket(0)) {
            env.put("CLEANER_MANAGEMENT_PORT", Integer.toString(s.getLocalPort()));
        }
        env.put("CLEANER_DELETES_PER_SECOND", "0");
        return env;
    }

    public static RunningService start(Map<String, String> env) throws Exception {
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        CleanerService service = CleanerService.start(SettingsParser.parse(env), new PrintStream(stdout, true, StandardCharsets.UTF_8),
                Clock.systemUTC());
        return new RunningService(service, Integer.parseInt(env.get("CLEANER_MANAGEMENT_PORT")), stdout);
    }

    public CleanerService service() {
        return service;
    }

    public String stdout() {
        return stdout.toString(StandardCharsets.UTF_8);
    }

    public static ObjectName control() throws Exception {
        return new ObjectName(CleanerControl.OBJECT_NAME);
    }

    public Object attribute(String name) throws Exception {
        return JMX.getAttribute(control(), name);
    }

    public Object invoke(String operation) throws Exception {
        return JMX.invoke(control(), operation, null, null);
    }

    public boolean running() {
        try {
            return (Boolean) attribute("Running");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** "status body" of a GET on the management port. */
    public String http(String path) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(), HttpResponse.BodyHandlers.ofString());
        return r.statusCode() + " " + r.body();
    }

    public static void await(Condition condition, long millis, String what) throws Exception {
        long deadline = System.currentTimeMillis() + millis;
        while (!condition.met()) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(50);
        }
    }

    @Override
    public void close() {
        service.stop("test end");
    }
}
