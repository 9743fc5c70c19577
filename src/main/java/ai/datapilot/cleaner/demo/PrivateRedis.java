package ai.datapilot.cleaner.demo;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import redis.embedded.core.ExecutableProvider;

/**
 * A throwaway redis-server of our own on a free loopback port, keeping nothing on disk: Debian's
 * {@code redis-server} when it is on the PATH, else the binary shipped in embedded-redis. Used by
 * the demo and the tests, which must never touch a Redis they did not start.
 */
public final class PrivateRedis implements AutoCloseable {

    private Process process;
    private final int port;
    private final Path dir;
    private final String binary;
    private final boolean persistent;
    private final List<String> extraArgs;

    private PrivateRedis(int port, Path dir, String binary, boolean persistent, List<String> extraArgs) {
        this.port = port;
        this.dir = dir;
        this.binary = binary;
        this.persistent = persistent;
        this.extraArgs = extraArgs;
    }

    public static PrivateRedis start() throws IOException {
        return start(findBinary(), false);
    }

    /** Keeps its data in an append-only file, so it survives {@link #kill()} and {@link #restart()}. */
    public static PrivateRedis startPersistent() throws IOException {
        return start(findBinary(), true);
    }

    /** Always the binary shipped in embedded-redis, as on a machine without Debian's redis-server. */
    public static PrivateRedis startBundled() throws IOException {
        return start(bundledBinary(), false);
    }

    /** The redis-server shipped in embedded-redis (unpacked to a temporary file). */
    public static String bundledBinary() {
        try {
            return ExecutableProvider.newJarResourceProvider().get().getAbsolutePath();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * A node for a Redis Cluster of private servers: cluster mode on, its node table in its own
     * folder, no slots yet (whoever builds the cluster assigns them).
     */
    public static PrivateRedis startClusterNode() throws IOException {
        return startClusterNode(null);
    }

    /** A cluster node that asks clients and its peers for {@code password} (null: none). */
    public static PrivateRedis startClusterNode(String password) throws IOException {
        return startClusterNode(findBinary(), password);
    }

    /** A cluster node of the given redis-server binary. */
    public static PrivateRedis startClusterNode(String binary, String password) throws IOException {
        List<String> args = new java.util.ArrayList<>(List.of("--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                "--cluster-node-timeout", "5000"));
        if (password != null) {
            args.addAll(List.of("--requirepass", password, "--masterauth", password));
        }
        return start(binary, false, args);
    }

    private static PrivateRedis start(String binary, boolean persistent) throws IOException {
        return start(binary, persistent, List.of());
    }

    private static PrivateRedis start(String binary, boolean persistent, List<String> extraArgs) throws IOException {
        IOException last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            try {
                PrivateRedis redis = new PrivateRedis(freePort(), Files.createTempDirectory("cleaner-redis-"), binary, persistent, extraArgs);
                redis.launch();
                return redis;
            } catch (IOException e) {
                last = e; // the port was taken between probing and binding: try another
            }
        }
        throw last;
    }

    private void launch() throws IOException {
        List<String> command = new java.util.ArrayList<>(List.of(binary,
                "--port", Integer.toString(port), "--bind", "127.0.0.1", "--save", "",
                "--dir", dir.toString(), "--daemonize", "no", "--logfile", dir.resolve("redis.log").toString()));
        command.addAll(persistent ? List.of("--appendonly", "yes", "--appendfsync", "always") : List.of("--appendonly", "no"));
        command.addAll(extraArgs);
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.redirectErrorStream(true);
        builder.redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("redis.out").toFile()));
        process = builder.start();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                String log = log();
                close();
                throw new IOException("redis-server exited on port " + port + ": " + log);
            }
            if (ping()) {
                return;
            }
            sleep(20);
        }
        close();
        throw new IOException("redis-server did not answer PING on port " + port + " within 10 s");
    }

    /** Starts the server again on the same port (after {@link #kill()}, say); a persistent one keeps its data. */
    public void restart() throws IOException {
        if (process.isAlive()) {
            kill();
        }
        launch();
    }

    private static String findBinary() throws IOException {
        String path = System.getenv().getOrDefault("PATH", "");
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, "redis-server");
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        return bundledBinary();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress("127.0.0.1", 0));
            return socket.getLocalPort();
        }
    }

    /** Sends a raw RESP command and returns the first reply line, without needing a client library. */
    public String command(String... words) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            String password = password();
            if (password != null) {
                send(out, "AUTH", password);
                readLine(in);
            }
            send(out, words);
            return readLine(in);
        }
    }

    private static void send(OutputStream out, String... words) throws IOException {
        StringBuilder resp = new StringBuilder("*").append(words.length).append("\r\n");
        for (String w : words) {
            byte[] bytes = w.getBytes(StandardCharsets.UTF_8);
            resp.append('$').append(bytes.length).append("\r\n").append(w).append("\r\n");
        }
        out.write(resp.toString().getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = in.read()) != -1 && c != '\n') {
            if (c != '\r') {
                line.append((char) c);
            }
        }
        return line.toString();
    }

    /** The password this server asks for, or null. */
    public String password() {
        int i = extraArgs.indexOf("--requirepass");
        return i < 0 ? null : extraArgs.get(i + 1);
    }

    private boolean ping() {
        try {
            return "+PONG".equals(command("PING"));
        } catch (IOException e) {
            return false;
        }
    }

    public int port() {
        return port;
    }

    public String url() {
        return "redis://127.0.0.1:" + port + "/0";
    }

    public String binary() {
        return binary;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    private String log() {
        try {
            Path log = dir.resolve("redis.log");
            Path out = dir.resolve("redis.out");
            return (Files.exists(log) ? Files.readString(log) : "") + (Files.exists(out) ? Files.readString(out) : "");
        } catch (IOException e) {
            return e.toString();
        }
    }

    /** Kills the server at once, as a crash would. */
    public void kill() {
        process.destroyForcibly();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
                kill();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kill();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp folder left behind is harmless
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
