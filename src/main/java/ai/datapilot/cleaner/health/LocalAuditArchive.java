package ai.datapilot.cleaner.health;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/** Audit records as files in a folder under the storage root. */
public final class LocalAuditArchive implements AuditArchive {

    /** One block of data: enough to need space on the disk, small enough to write at every check. */
    static final int PROBE_BYTES = 4096;

    private final Path root;
    private final Path directory;

    public LocalAuditArchive(Path root, Path directory) {
        this.root = root;
        this.directory = directory;
    }

    @Override
    public String where() {
        return directory.toString();
    }

    /**
     * The root exists and the audit folder takes a real write: a probe file holding a block of
     * data, fsynced, then removed. Creating an empty file needs no data block and succeeds on a
     * full disk; the write or the fsync is where "no space left on device" shows.
     */
    @Override
    public String probe() throws IOException {
        if (!Files.isDirectory(root)) {
            throw new IOException("storage root " + root + " is not a folder");
        }
        Path probe = null;
        try {
            Files.createDirectories(directory);
            probe = Files.createTempFile(directory, ".health-probe-", ".tmp");
            // random bytes: a compressing or deduplicating file system stores zeros in no space
            byte[] data = new byte[PROBE_BYTES];
            ThreadLocalRandom.current().nextBytes(data);
            try (FileChannel channel = FileChannel.open(probe, StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(data);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            Files.delete(probe);
            probe = null;
        } catch (IOException | RuntimeException e) {
            throw new IOException("audit folder " + directory + " not writable: " + e, e);
        } finally {
            if (probe != null) {
                try {
                    Files.deleteIfExists(probe);
                } catch (IOException ignored) {
                    // the failure reported is the write's
                }
            }
        }
        return "storage root " + root + " present; audit folder " + directory + " writable (" + PROBE_BYTES
                + " bytes written and synced)";
    }

    @Override
    public List<String> newestFirst() throws IOException {
        List<String> names = new ArrayList<>();
        if (!Files.isDirectory(directory)) {
            return names;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, "cleaner_*.json")) {
            for (Path p : files) {
                names.add(p.getFileName().toString());
            }
        }
        names.sort(Comparator.reverseOrder());
        return names;
    }

    @Override
    public InputStream open(String name) throws IOException {
        return Files.newInputStream(directory.resolve(name));
    }

    @Override
    public String address(String name) {
        return directory.resolve(name).toString();
    }
}
