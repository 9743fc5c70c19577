package ai.datapilot.cleaner.lease;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A second run of the same process (run-now while the schedule fires, a second trigger in edited
 * routes) is turned away by the local lock and does not cost the running run its lock: another
 * process (a cron run-once on the same host) still cannot take it.
 */
class LocalRunLockTest {

    @TempDir
    Path tmp;

    @Test
    void aSecondTryInTheSameProcessKeepsTheLockFromOtherProcesses() throws Exception {
        LocalRunLock lock = new LocalRunLock(tmp);
        assertThat(lock.tryAcquire()).isEmpty();
        try {
            assertThat(lock.tryAcquire()).get().asString().contains("another run in this process");
            assertThat(otherProcessLocks(lock.file())).as("another process takes the lock of the running run").isFalse();
        } finally {
            lock.release();
        }
        assertThat(otherProcessLocks(lock.file())).as("the lock is free after the run").isTrue();
    }

    /** Whether a separate JVM can take the lock file's OS lock now. */
    private boolean otherProcessLocks(Path file) throws Exception {
        Path source = tmp.resolve("TryLock.java");
        Files.writeString(source, "import java.nio.channels.FileChannel; import java.nio.file.*;\n"
                + "public class TryLock { public static void main(String[] a) throws Exception {\n"
                + "  try (FileChannel c = FileChannel.open(Path.of(a[0]), StandardOpenOption.WRITE)) {\n"
                + "    System.out.print(c.tryLock() != null); } } }\n");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), source.toString(),
                file.toString()).redirectErrorStream(true).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(out).as(out).isIn("true", "false");
        return Boolean.parseBoolean(out);
    }
}
