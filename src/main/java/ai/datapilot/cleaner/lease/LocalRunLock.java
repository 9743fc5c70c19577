package ai.datapilot.cleaner.lease;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * An OS file lock on {@code <root>/.datapilot-cleaner.lock}: stops a second cleaner on the same
 * host (or sharing the same storage through a file system with working locks) even when Redis is
 * down. The OS drops the lock when the process dies, so a crash never leaves it behind.
 */
public final class LocalRunLock {

    public static final String FILE_NAME = ".datapilot-cleaner.lock";

    private final Path file;
    private FileChannel channel;
    private FileLock lock;

    public LocalRunLock(Path storageRoot) {
        this.file = storageRoot.resolve(FILE_NAME);
    }

    public Path file() {
        return file;
    }

    /**
     * Takes the lock, or says who holds it. Throws when the lock file cannot be opened or locked at
     * all (not writable, a folder, a file system without locks): that is no sign of another run,
     * and it would stop every run the same way, so it is an error with its fix, not "try later".
     */
    public synchronized Optional<String> tryAcquire() throws IOException {
        if (lock != null) {
            // never open a second channel on the file: closing it would drop this process's lock
            // (POSIX locks are per process), and another process could then take it
            return Optional.of("another run in this process holds " + file);
        }
        try {
            // never through a link: whoever can write the root could point the name at a file outside it,
            // which opening would create; and not a FIFO or device, whose open could block or act
            if (Files.exists(file, LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                throw new IOException("not a regular file");
            }
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
            lock = channel.tryLock();
            if (lock == null) {
                closeChannel();
                return Optional.of("another cleaner on this host holds " + file);
            }
            return Optional.empty();
        } catch (OverlappingFileLockException e) {
            closeChannel();
            return Optional.of("another run in this process holds " + file);
        } catch (IOException e) {
            closeChannel();
            throw new IOException("cannot lock " + file + " (" + e.getClass().getSimpleName() + ": " + e.getMessage()
                    + "): the cleaner's user must be able to create and write this file; make the storage root writable"
                    + " for it, or replace the file with a regular file it can write", e);
        }
    }

    public synchronized void release() {
        try {
            if (lock != null) {
                lock.release();
            }
        } catch (IOException ignored) {
            // closing the channel below releases it too
        }
        lock = null;
        closeChannel();
    }

    private void closeChannel() {
        try {
            if (channel != null) {
                channel.close();
            }
        } catch (IOException ignored) {
            // nothing held any more
        }
        channel = null;
    }
}
