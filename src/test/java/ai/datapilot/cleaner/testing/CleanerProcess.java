package ai.datapilot.cleaner.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The packaged jar as a separate process, as cron or Kubernetes starts it. */
public final class CleanerProcess {

    private final Process process;
    private final Path out;
    private final Path err;

    private CleanerProcess(Process process, Path out, Path err) {
        this.process = process;
        this.out = out;
        this.err = err;
    }

    public static CleanerProcess start(Path workingDirectory, Path logs, Map<String, String> env, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", System.getProperty("cleaner.jar")));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(workingDirectory.toFile());
        // nothing of the machine's own settings or cloud credentials reaches the process under test
        builder.environment().keySet().removeIf(k -> k.startsWith("CLEANER_") || k.startsWith("AWS_") || k.equals("REDIS_URL")
                || k.equals("LOCAL_STORAGE_ROOT") || k.equals("BLOB_STORAGE_URL"));
        builder.environment().putAll(env);
        long id = System.nanoTime();
        Path out = logs.resolve("out-" + id);
        Path err = logs.resolve("err-" + id);
        builder.redirectOutput(out.toFile()).redirectError(err.toFile());
        return new CleanerProcess(builder.start(), out, err);
    }

    /** Waits until the log shows {@code text}; false when the process ended or time ran out first. */
    public boolean awaitLog(String text, long millis) throws Exception {
        long deadline = System.currentTimeMillis() + millis;
        while (System.currentTimeMillis() < deadline) {
            if (stderr().contains(text)) {
                return true;
            }
            if (!process.isAlive()) {
                return stderr().contains(text);
            }
            Thread.sleep(20);
        }
        return false;
    }

    public long pid() {
        return process.pid();
    }

    /** SIGTERM, as Kubernetes and systemd send it. */
    public void terminate() {
        process.destroy();
    }

    public int waitFor() throws Exception {
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("cleaner did not finish within 120 s: " + stderr());
        }
        return process.exitValue();
    }

    public String stdout() throws IOException {
        return Files.readString(out, StandardCharsets.UTF_8);
    }

    public String stderr() throws IOException {
        return Files.readString(err, StandardCharsets.UTF_8);
    }
}
