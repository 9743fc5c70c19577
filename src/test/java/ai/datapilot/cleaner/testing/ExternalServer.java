package ai.datapilot.cleaner.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Assumptions;

/**
 * A server binary from Debian's packages (prometheus, prometheus-pushgateway) started for one
 * test class on a free loopback port, its data in a folder the test made; {@link #close} ends it.
 */
public final class ExternalServer implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final Process process;
    private final int port;
    private final Path log;

    private ExternalServer(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** The binary, or the test is skipped saying which Debian package provides it. */
    public static Path binary(String path, String debianPackage) {
        Path binary = Path.of(path);
        Assumptions.assumeTrue(Files.isExecutable(binary),
                path + " is missing: install Debian's " + debianPackage + " (.ci/run installs it) to run this test");
        return binary;
    }

    /**
     * Starts {@code command(port)} and waits until {@code readyPath} answers 200.
     *
     * @param folder where the server's log goes (and its data, by the command's own options)
     */
    public static ExternalServer start(IntFunction<List<String>> command, String readyPath, Path folder) throws Exception {
        int port = freePort();
        Path log = folder.resolve("server.log");
        Process process = new ProcessBuilder(new ArrayList<>(command.apply(port)))
                .directory(folder.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        ExternalServer server = new ExternalServer(process, port, log);
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException("server exited with " + process.exitValue() + ": " + server.log());
            }
            try {
                int status = server.get(readyPath).statusCode();
                if (status == 200 || status == 401) { // 401: up, behind basic auth
                    return server;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            if (System.nanoTime() > deadline) {
                server.close();
                throw new IllegalStateException("server not ready within 20 s: " + server.log());
            }
            Thread.sleep(100);
        }
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    public int port() {
        return port;
    }

    public String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    public HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url(path))).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** A GET with basic-auth credentials. */
    public HttpResponse<String> get(String path, String user, String password) throws IOException, InterruptedException {
        String token = java.util.Base64.getEncoder().encodeToString((user + ":" + password).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return HTTP.send(HttpRequest.newBuilder(URI.create(url(path))).header("Authorization", "Basic " + token)
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A request without a body (DELETE, say); returns the status code. */
    public int send(String method, String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url(path))).method(method, HttpRequest.BodyPublishers.noBody())
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    public String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
