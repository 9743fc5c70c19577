package ai.datapilot.cleaner.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

/** A storage root made by a test, with files of chosen ages. */
public final class StorageTree {

    public static final Duration TTL = Duration.ofHours(24);

    private final Path root;

    public StorageTree(Path root) {
        this.root = root;
    }

    public Path root() {
        return root;
    }

    public Path path(String relative) {
        return root.resolve(relative);
    }

    /** TTL + 2 h old: expired, as in the original's tests. */
    public static Instant old() {
        return Instant.now().minus(TTL).minus(Duration.ofHours(2));
    }

    /** TTL - 2 h old: kept. */
    public static Instant recent() {
        return Instant.now().minus(TTL).plus(Duration.ofHours(2));
    }

    public Path file(String relative, Instant mtime) throws IOException {
        Path path = root.resolve(relative);
        Files.createDirectories(path.getParent());
        Files.writeString(path, "data of " + relative);
        Files.setLastModifiedTime(path, FileTime.from(mtime));
        return path;
    }

    public boolean exists(String relative) {
        return Files.exists(root.resolve(relative), java.nio.file.LinkOption.NOFOLLOW_LINKS);
    }

    public List<Path> auditFiles() throws IOException {
        Path dir = root.resolve("maintenance/cleaner_runs");
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().matches("cleaner_.*\\.json")).sorted().toList();
        }
    }
}
