package ai.datapilot.cleaner.blob;

import ai.datapilot.cleaner.store.CleanerError;
import ai.datapilot.cleaner.store.ItemScan;
import ai.datapilot.cleaner.store.Recheck;
import ai.datapilot.cleaner.store.ScanSink;
import ai.datapilot.cleaner.store.ScannedItem;
import ai.datapilot.cleaner.store.StoreKind;
import java.io.IOException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.FileVisitResult;
import java.nio.file.FileVisitor;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Blobs as files under a local storage root. Links are never followed: a link is an item of its
 * own (its own mtime decides, and deleting it leaves its target alone), and a prefix folder that is
 * a link, or has a link above it, is not scanned at all.
 */
public final class LocalBlobStore implements BlobStore {

    private static final Logger LOG = LoggerFactory.getLogger(LocalBlobStore.class);
    private static final LinkOption[] NO_FOLLOW = {LinkOption.NOFOLLOW_LINKS};


    private final Path root;
    private final List<String> prefixes;
    /** The audit folder: the walk never enters it, whatever link put it under a prefix. */
    private final Path auditFolder;
    private volatile Object auditFolderKey;

    /** A file's handle: where it is and under which prefix folder it was found. */
    record BlobRef(Path path, Path prefixDir) {
    }

    public LocalBlobStore(Path root, List<String> prefixes) {
        this(root, prefixes, null);
    }

    public LocalBlobStore(Path root, List<String> prefixes, Path auditFolder) {
        this.root = root;
        this.prefixes = List.copyOf(prefixes);
        this.auditFolder = auditFolder;
    }

    @Override
    public StoreKind kind() {
        return StoreKind.BLOB;
    }

    @Override
    public String describe() {
        return "local:" + root;
    }

    /** Prefixes are walked at once (a walk mostly waits on the file system), one thread each. */
    @Override
    public ItemScan scan() {
        // read at each run: a link made while the service runs is seen by its next run
        auditFolderKey = folderKey(auditFolder);
        return PrefixScans.of(prefixes, this::scanPrefix, "cleaner-blob-walk");
    }

    private void scanPrefix(String prefix, ScanSink sink) {
        Path prefixDir = root.resolve(prefix).normalize();
        if (!prefixDir.startsWith(root) || prefixDir.equals(root)) {
            sink.failed(CleanerError.blobScan(prefix, null, "prefix leaves the storage root; not scanned"));
            return;
        }
        String linked = linkOnTheWay(prefixDir);
        if (linked != null) {
            sink.failed(CleanerError.blobScan(prefix, null, "prefix folder " + linked + " is a symbolic link; links are never followed, prefix not scanned"));
            return;
        }
        if (!Files.exists(prefixDir, NO_FOLLOW)) {
            LOG.info("Prefix {} does not exist under {}; nothing to scan there", prefix, root);
            return;
        }
        if (!Files.isDirectory(prefixDir, NO_FOLLOW)) {
            sink.failed(CleanerError.blobScan(prefix, null, "prefix is not a folder; not scanned"));
            return;
        }
        try (DirectoryStream<Path> top = Files.newDirectoryStream(prefixDir)) {
            if (top instanceof SecureDirectoryStream<Path> secure) {
                BasicFileAttributes attrs = Files.readAttributes(prefixDir, BasicFileAttributes.class, NO_FOLLOW);
                if (isAuditFolder(attrs)) {
                    sink.failed(auditFolderInPrefix(prefix, prefixDir));
                    return;
                }
                new SecureWalk(prefix, sink, deviceOf(attrs, prefixDir)).walk(secure, prefixDir);
                return;
            }
        } catch (IOException | RuntimeException e) {
            sink.failed(CleanerError.blobScan(prefix, null, "scan of prefix stopped: " + e));
            return;
        }
        try {
            Files.walkFileTree(prefixDir, EnumSet.noneOf(java.nio.file.FileVisitOption.class), Integer.MAX_VALUE,
                    new PrefixWalk(prefix, prefixDir, sink));
        } catch (IOException | RuntimeException e) {
            sink.failed(CleanerError.blobScan(prefix, null, "scan of prefix stopped: " + e));
        }
    }

    /**
     * The walk where the platform offers it (Linux): every entry is looked up relative to its open
     * folder (fstatat, openat with O_NOFOLLOW), never by its full path. Faster, and a folder
     * swapped for a link while it is walked cannot lead the walk out of the root.
     */
    private final class SecureWalk {
        private final String prefix;
        private final Path prefixDir;
        private final ScanSink sink;
        private final Object device;

        SecureWalk(String prefix, ScanSink sink, Object device) {
            this.prefix = prefix;
            this.prefixDir = root.resolve(prefix).normalize();
            this.sink = sink;
            this.device = device;
        }

        /** Returns false when the walk must stop. */
        boolean walk(SecureDirectoryStream<Path> dir, Path dirPath) {
            try {
                for (Path entry : dir) {
                    if (sink.stopRequested()) {
                        return false;
                    }
                    Path name = entry.getFileName();
                    BasicFileAttributes attrs;
                    try {
                        attrs = dir.getFileAttributeView(name, BasicFileAttributeView.class, NO_FOLLOW).readAttributes();
                    } catch (NoSuchFileException e) {
                        continue;
                    } catch (IOException e) {
                        sink.failed(CleanerError.blobScan(prefix, id(entry), "cannot read: " + e));
                        continue;
                    }
                    if (attrs.isDirectory()) {
                        if (isAuditFolder(attrs)) {
                            sink.failed(auditFolderInPrefix(prefix, entry));
                            continue;
                        }
                        Object dev = deviceOf(attrs, entry);
                        if (device != null && dev != null && !dev.equals(device)) {
                            sink.skipped(id(entry) + "/", "mount point of another file system; not crossed");
                            continue;
                        }
                        try (SecureDirectoryStream<Path> child = dir.newDirectoryStream(name, NO_FOLLOW)) {
                            if (!walk(child, entry)) {
                                return false;
                            }
                        } catch (NoSuchFileException e) {
                            // removed while walked
                        } catch (IOException e) {
                            sink.failed(CleanerError.blobScan(prefix, id(entry), "cannot read: " + e));
                        }
                    } else if (attrs.isRegularFile() || attrs.isSymbolicLink()) {
                        Instant mtime = attrs.lastModifiedTime().toInstant();
                        if (sink.interested(mtime)) {
                            sink.scanned(new ScannedItem(StoreKind.BLOB, id(entry), mtime, null, new BlobRef(entry, prefixDir)));
                        } else {
                            sink.passed();
                        }
                    } else {
                        sink.skipped(id(entry), "not a regular file or link (device, socket or FIFO)");
                    }
                }
            } catch (DirectoryIteratorException e) {
                sink.failed(CleanerError.blobScan(prefix, id(dirPath), "folder listing failed: " + e.getCause()));
            }
            return true;
        }
    }

    /** The identity (device and inode) of a folder, links followed; null when it does not exist. */
    private static Object folderKey(Path folder) {
        if (folder == null) {
            return null;
        }
        try {
            return Files.readAttributes(folder, BasicFileAttributes.class).fileKey();
        } catch (IOException e) {
            return null;
        }
    }

    private boolean isAuditFolder(BasicFileAttributes attrs) {
        Object key = auditFolderKey;
        return key != null && key.equals(attrs.fileKey());
    }

    private CleanerError auditFolderInPrefix(String prefix, Path dir) {
        return CleanerError.blobScan(prefix, id(dir), "is the audit folder (CLEANER_AUDIT_BLOB_PATH), reached through a link;"
                + " audit records are never cleaned: not scanned. Move the audit folder out of the prefix");
    }

    /** Returns the first folder between the root (excluded) and {@code path} (included) that is a link. */
    private String linkOnTheWay(Path path) {
        Path current = root;
        for (Path part : root.relativize(path)) {
            current = current.resolve(part);
            if (Files.isSymbolicLink(current)) {
                return id(current);
            }
        }
        return null;
    }

    /**
     * The device a folder is on. Read from the attributes the walk already has (the file key is
     * "(dev=...,ino=...)" on Unix), so it costs no extra system call per folder.
     */
    private static Object deviceOf(BasicFileAttributes attrs, Path dir) {
        Object key = attrs.fileKey();
        if (key != null) {
            String text = key.toString();
            int start = text.indexOf("dev=");
            int end = text.indexOf(',', start);
            if (start >= 0 && end > start) {
                return text.substring(start + 4, end);
            }
        }
        try {
            return String.valueOf(Files.getAttribute(dir, "unix:dev", NO_FOLLOW));
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return null;
        }
    }

    private String id(Path path) {
        return root.relativize(path).toString().replace('\\', '/');
    }

    private final class PrefixWalk implements FileVisitor<Path> {
        private final String prefix;
        private final Path prefixDir;
        private final ScanSink sink;
        private Object device;

        PrefixWalk(String prefix, Path prefixDir, ScanSink sink) {
            this.prefix = prefix;
            this.prefixDir = prefixDir;
            this.sink = sink;
        }

        /** Another file system mounted below a prefix is not crossed, as systemd-tmpfiles does. */
        @Override
        public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
            if (isAuditFolder(attrs)) {
                sink.failed(auditFolderInPrefix(prefix, dir));
                return FileVisitResult.SKIP_SUBTREE;
            }
            Object dev = deviceOf(attrs, dir);
            if (device == null) {
                device = dev;
            } else if (dev != null && !dev.equals(device)) {
                sink.skipped(id(dir) + "/", "mount point of another file system; not crossed");
                return FileVisitResult.SKIP_SUBTREE;
            }
            return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
            if (sink.stopRequested()) {
                return FileVisitResult.TERMINATE;
            }
            if (attrs.isRegularFile() || attrs.isSymbolicLink()) {
                Instant mtime = attrs.lastModifiedTime().toInstant();
                if (sink.interested(mtime)) {
                    // the re-check compares the mtime with the cutoff again: no fingerprint needed
                    sink.scanned(new ScannedItem(StoreKind.BLOB, id(file), mtime, null, new BlobRef(file, prefixDir)));
                } else {
                    sink.passed();
                }
            } else {
                sink.skipped(id(file), "not a regular file or link (device, socket or FIFO)");
            }
            return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFileFailed(Path file, IOException exc) {
            if (!(exc instanceof NoSuchFileException)) {
                sink.failed(CleanerError.blobScan(prefix, id(file), "cannot read: " + exc));
            }
            return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult postVisitDirectory(Path dir, IOException exc) {
            if (exc != null && !(exc instanceof NoSuchFileException)) {
                sink.failed(CleanerError.blobScan(prefix, id(dir), "folder listing failed: " + exc));
            }
            return FileVisitResult.CONTINUE;
        }
    }

    @Override
    public Recheck recheck(ScannedItem candidate, Instant cutoff) throws IOException {
        BlobRef ref = (BlobRef) candidate.ref();
        Path path = ref.path();
        if (!path.normalize().startsWith(ref.prefixDir()) || !ref.prefixDir().startsWith(root)) {
            return Recheck.changed("outside the prefix; never deleted");
        }
        // a folder swapped for a link after the scan would send the delete outside the root
        Path current = root;
        for (Path part : root.relativize(path.getParent())) {
            current = current.resolve(part);
            BasicFileAttributes a;
            try {
                a = Files.readAttributes(current, BasicFileAttributes.class, NO_FOLLOW);
            } catch (NoSuchFileException e) {
                return Recheck.gone("already gone (folder " + id(current) + " removed)");
            }
            if (!a.isDirectory()) {
                return Recheck.changed("folder " + id(current) + " was replaced by a link or file after the scan");
            }
        }
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(path, BasicFileAttributes.class, NO_FOLLOW);
        } catch (NoSuchFileException e) {
            return Recheck.gone("already gone");
        }
        if (!attrs.isRegularFile() && !attrs.isSymbolicLink()) {
            return Recheck.changed("no longer a file or link");
        }
        Instant mtime = attrs.lastModifiedTime().toInstant();
        if (!mtime.isBefore(cutoff)) {
            return Recheck.changed("modified after the scan (mtime now " + mtime + ")");
        }
        return Recheck.EXPIRED;
    }

    @Override
    public Recheck deleteIfUnchanged(ScannedItem candidate, Instant cutoff) throws IOException {
        Recheck check = recheck(candidate, cutoff);
        if (check.state() != Recheck.State.EXPIRED) {
            return check;
        }
        // Files.delete removes a link itself, never what it points to
        if (!Files.deleteIfExists(((BlobRef) candidate.ref()).path())) {
            return Recheck.gone("already gone");
        }
        return check;
    }

    @Override
    public int removeEmptiedFolders(Collection<ScannedItem> deleted) {
        Set<Path> folders = new TreeSet<>(Comparator.comparingInt(Path::getNameCount).reversed().thenComparing(Comparator.naturalOrder()));
        for (ScannedItem item : deleted) {
            BlobRef ref = (BlobRef) item.ref();
            for (Path dir = ref.path().getParent(); dir != null && dir.startsWith(ref.prefixDir()) && !dir.equals(ref.prefixDir()); dir = dir.getParent()) {
                folders.add(dir);
            }
        }
        int removed = 0;
        for (Path dir : folders) {
            try {
                if (Files.isDirectory(dir, NO_FOLLOW)) {
                    // only succeeds on an empty folder, so a file written meanwhile keeps its folder
                    Files.delete(dir);
                    removed++;
                }
            } catch (DirectoryNotEmptyException | NoSuchFileException e) {
                // not emptied by this run, or already gone: leave it
            } catch (IOException e) {
                LOG.warn("Could not remove emptied folder {}: {}", id(dir), e.toString());
            }
        }
        return removed;
    }
}
