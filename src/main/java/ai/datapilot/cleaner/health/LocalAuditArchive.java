package ai.datapilot.cleaner.health;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.StreamSupport;

/** Audit records as files in a folder under the storage root. */
public final class LocalAuditArchive implements AuditArchive {

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

    /** The root exists and a probe file can be written and removed in the audit folder. */
    @Override
    public String probe() throws IOException {
        if (!Files.isDirectory(root)) {
            throw new IOException("storage root " + root + " is not a folder");
        }
        try {
            Files.createDirectories(directory);
            Path probe = Files.createTempFile(directory, ".health-probe-", ".tmp");
            Files.delete(probe);
        } catch (IOException | RuntimeException e) {
            throw new IOException("audit folder " + directory + " not writable: " + e, e);
        }
        return "storage root " + root + " present; audit folder " + directory + " writable";
    }

    @Override
    public Optional<String> newest() throws IOException {
        if (!Files.isDirectory(directory)) {
            return Optional.empty();
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, "cleaner_*.json")) {
            return StreamSupport.stream(files.spliterator(), false).map(p -> p.getFileName().toString()).max(String::compareTo);
        }
    }

    @Override
    public byte[] read(String name) throws IOException {
        return Files.readAllBytes(directory.resolve(name));
    }

    @Override
    public String address(String name) {
        return directory.resolve(name).toString();
    }
}
