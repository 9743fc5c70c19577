package ai.datapilot.cleaner.lease;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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

    /** Whoever can write the root can make the lock file's name a link: it is never followed, nothing outside is created or opened. */
    @Test
    void aLockFileThatIsALinkIsNeverFollowed() throws Exception {
        Path root = Files.createDirectory(tmp.resolve("storage"));
        Path outside = Files.createDirectory(tmp.resolve("outside"));
        Path notThere = outside.resolve("created-by-the-cleaner");
        Files.createSymbolicLink(root.resolve(LocalRunLock.FILE_NAME), notThere);

        LocalRunLock lock = new LocalRunLock(root);

        assertThatThrownBy(lock::tryAcquire).hasMessageContaining("cannot lock " + root.resolve(LocalRunLock.FILE_NAME))
                .hasMessageContaining("replace the file with a regular file");
        assertThat(notThere).doesNotExist();

        Path existing = Files.writeString(outside.resolve("someone-elses.txt"), "keep");
        Files.delete(root.resolve(LocalRunLock.FILE_NAME));
        Files.createSymbolicLink(root.resolve(LocalRunLock.FILE_NAME), existing);
        assertThatThrownBy(lock::tryAcquire).hasMessageContaining("cannot lock");
        assertThat(existing).hasContent("keep");

        Files.delete(root.resolve(LocalRunLock.FILE_NAME));
        assertThat(lock.tryAcquire()).isEmpty();
        assertThat(root.resolve(LocalRunLock.FILE_NAME)).isRegularFile();
        lock.release();
    }

    /** A FIFO under the lock file's name would block the open: refused instead. */
    @Test
    void aLockFileThatIsAFifoIsRefusedWithoutBlocking() throws Exception {
        Path root = Files.createDirectory(tmp.resolve("storage"));
        Process mkfifo = new ProcessBuilder("mkfifo", root.resolve(LocalRunLock.FILE_NAME).toString()).start();
        org.junit.jupiter.api.Assumptions.assumeTrue(mkfifo.waitFor() == 0, "mkfifo is not available");

        assertThatThrownBy(new LocalRunLock(root)::tryAcquire).hasMessageContaining("not a regular file");
    }
}
