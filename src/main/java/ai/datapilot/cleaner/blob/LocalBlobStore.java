package ai.datapilot.cleaner.blob;

import ai.datapilot.cleaner.audit.RunLogContext;
import ai.datapilot.cleaner.store.ChunkPartlyFailedException;
import ai.datapilot.cleaner.store.CleanerError;
import ai.datapilot.cleaner.store.ItemScan;
import ai.datapilot.cleaner.store.Recheck;
import ai.datapilot.cleaner.store.ScanSink;
import ai.datapilot.cleaner.store.ScannedItem;
import ai.datapilot.cleaner.store.SkipReason;
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
import java.nio.file.FileSystemException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Deque;
import java.util.EnumSet;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Blobs as files under a local storage root. Links are never followed: a link is an item of its
 * own (its own mtime decides, and deleting it leaves its target alone), and a prefix folder that is
 * a link, or has a link above it, is not scanned at all.
 *
 * <p>Every re-check and delete is done relative to folder handles opened from the root one name at
 * a time without following links (openat with O_NOFOLLOW), each checked to be the very folder the
 * walk saw (same device and inode) and not a mount point: the file is then looked at (fstatat) and
 * deleted (unlinkat) through that same handle. A folder swapped for a link, moved, or mounted over
 * after the walk can therefore never lead a delete out of the root; such an item is kept, with why.
 */
public final class LocalBlobStore implements BlobStore {

    private static final Logger LOG = LoggerFactory.getLogger(LocalBlobStore.class);
    private static final LinkOption[] NO_FOLLOW = {LinkOption.NOFOLLOW_LINKS};
    /** The private name a file is renamed to right before it is unlinked; unguessable, so nobody else has it. */
    private static final String ASIDE = ".datapilot-cleaner-deleting-";
    private static final java.security.SecureRandom ASIDE_NAMES = new java.security.SecureRandom();
    private static final String NO_HANDLES = "kept: this platform offers no folder handles (SecureDirectoryStream), "
            + "so the delete could not be tied to what was checked";


    /** Threads that walk a prefix's sub-folders beside the prefix's own walking thread. */
    private static final int WALK_HELPERS = Math.max(1, Math.min(3, Runtime.getRuntime().availableProcessors() - 1));
    /** Emptied folders removed per read of the mount table (with their parents held open), as a chunk of deletes. */
    private static final int SWEEP_CHUNK = 200;

    private final Path root;
    private final List<String> prefixes;
    /** The audit folder: the walk never enters it, whatever link put it under a prefix. */
    private final Path auditFolder;
    private volatile Object auditFolderKey;
    /** The root's identity (device and inode) when the store was set up: every walk and delete starts there. */
    private volatile Object rootKey;
    /**
     * Per prefix folder id, the mount table its walk started from. A mount point below a prefix
     * that is not in it appeared during or after the walk, which may have crossed it (noted the
     * files under it as the folder's): while one is there, that prefix's items are kept.
     */
    private final Map<String, MountPoints> walkTables = new java.util.concurrent.ConcurrentHashMap<>();
    /** Test seam: runs after an item's (or an emptied folder's) last check and right before it is removed. */
    volatile Seam seam = id -> { };
    /** Re-check and delete by path, where the platform has no folder handles (Windows). */
    final PathFallbackDeleter paths;
    /** Test seam: the path fallback even where folder handles exist, to test it on Linux. */
    volatile boolean forcePathFallback;
    private volatile Boolean handles;

    interface Seam {
        void beforeRemove(String id) throws IOException;

        /** Path fallback only: right after the item was renamed to its private name. */
        default void afterRename(Path aside) throws IOException {
        }
    }

    /**
     * A folder the walk went into: its parent, its identity (device and inode) when walked, its id
     * and depth below the prefix folder. Its name in its parent (for the prefix folder, which has
     * no parent, its path below the root) is the end of its id, so it is kept only where it is not
     * exactly that ({@code named}): the prefix folder, and a name the platform's text cannot
     * carry unchanged (bytes not in its file-name encoding).
     */
    record Folder(Folder parent, Path named, Object key, String id, int depth) {

        static Folder prefix(Path below, Object key, String id) {
            return new Folder(null, below, key, id, 0);
        }

        static Folder child(Folder parent, Path name, Object key, String id) {
            boolean idEndsWithName = id.length() > parent.id().length() + 1 && id.startsWith(parent.id())
                    && id.charAt(parent.id().length()) == '/'
                    && name.equals(name.getFileSystem().getPath(id.substring(parent.id().length() + 1)));
            return new Folder(parent, idEndsWithName ? null : name, key, id, parent.depth() + 1);
        }

        /** The name in its parent; the prefix folder's path below the root. */
        Path name() {
            if (named != null) {
                return named;
            }
            Folder top = parent;
            while (top.named() == null) {
                top = top.parent();
            }
            return top.named().getFileSystem().getPath(id.substring(parent.id().length() + 1));
        }

        @Override
        public String toString() {
            return id + "/";
        }
    }

    /**
     * A file's handle: its name in the folder the walk found it in (only the name: a planned
     * item's full path would repeat the root's for each of up to a million items), under which
     * prefix folder it was found, that folder (null where the platform has no folder handles) and
     * its identity. The name is kept as the end of the item's id, the very same text
     * ({@code id} from {@code nameAt} on), unless the platform's text cannot carry it unchanged:
     * then as its own path ({@code named}).
     */
    record BlobRef(String id, int nameAt, Path named, Path prefixDir, Folder folder, Object key) {

        static BlobRef of(String id, Path name, Path prefixDir, Folder folder, Object key) {
            String text = name.toString();
            int at = id.length() - text.length();
            boolean idEndsWithName = at >= 0 && id.endsWith(text) && (at == 0 || id.charAt(at - 1) == '/')
                    && name.equals(name.getFileSystem().getPath(text));
            return idEndsWithName ? new BlobRef(id, at, null, prefixDir, folder, key) : new BlobRef(null, 0, name, prefixDir, folder, key);
        }

        /** The file's name in its folder. */
        Path name() {
            return named != null ? named : prefixDir.getFileSystem().getPath(id.substring(nameAt));
        }

        /** One plain name: no separator, not "." or "..", so it cannot lead out of its folder. */
        boolean plainName() {
            Path name = name();
            String n = name.toString();
            return name.getNameCount() == 1 && !name.isAbsolute() && !n.equals(".") && !n.equals("..");
        }
    }

    /** A folder opened as the walk saw it, and the mount table read while it was held open. */
    private record Opened(SecureDirectoryStream<Path> dir, MountPoints mounts) {
    }

    /** Why a folder chain could not be opened as the walk saw it: the answer for the item. */
    private static final class Refused extends Exception {
        final transient Recheck answer;

        Refused(Recheck answer) {
            super(answer.reason(), null, false, false);
            this.answer = answer;
        }
    }

    public LocalBlobStore(Path root, List<String> prefixes) {
        this(root, prefixes, null);
    }

    public LocalBlobStore(Path root, List<String> prefixes, Path auditFolder) {
        this.root = root;
        this.prefixes = List.copyOf(prefixes);
        this.auditFolder = auditFolder;
        this.rootKey = folderKey(root);
        this.paths = new PathFallbackDeleter(root);
    }

    /** Whether the platform offers folder handles (SecureDirectoryStream): Linux does, Windows does not. */
    private boolean folderHandles() {
        if (forcePathFallback) {
            return false;
        }
        Boolean known = handles;
        if (known == null) {
            try (DirectoryStream<Path> probe = Files.newDirectoryStream(root)) {
                known = probe instanceof SecureDirectoryStream;
            } catch (IOException e) {
                return true; // the handle path opens the root again and reports why it cannot
            }
            handles = known;
        }
        return known;
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
        if (rootKey == null) {
            rootKey = folderKey(root);
        }
        paths.rememberRoot();
        paths.newRun();
        walkTables.clear();
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
            sink.failed(CleanerError.blobScan(prefix, null, "prefix folder " + linked + " is a symbolic link or junction; links are never followed, prefix not scanned"));
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
        MountPoints mountTable;
        try {
            mountTable = MountPoints.read(root);
        } catch (IOException | RuntimeException e) {
            sink.failed(CleanerError.blobScan(prefix, null, "cannot read the mount table (" + MountPoints.MOUNTINFO
                    + "): " + e + "; mount points could not be told apart, prefix not scanned"));
            return;
        }
        walkTables.put(id(prefixDir), mountTable);
        Path below = root.relativize(prefixDir);
        try (DirectoryStream<Path> top = Files.newDirectoryStream(root)) {
            if (folderHandles() && top instanceof SecureDirectoryStream<Path> rootDir) {
                String moved = rootMoved(rootDir);
                if (moved != null) {
                    sink.failed(CleanerError.blobScan(prefix, null, moved + "; prefix not scanned"));
                    return;
                }
                SecureDirectoryStream<Path> dir = rootDir;
                List<SecureDirectoryStream<Path>> opened = new ArrayList<>();
                try {
                    // from the root one name at a time, never through a link, as the re-check will
                    for (Path part : below) {
                        dir = dir.newDirectoryStream(part, NO_FOLLOW);
                        opened.add(dir);
                    }
                    BasicFileAttributes attrs = dir.getFileAttributeView(BasicFileAttributeView.class).readAttributes();
                    if (isAuditFolder(attrs)) {
                        sink.failed(auditFolderInPrefix(prefix, prefixDir));
                        return;
                    }
                    Folder prefixFolder = Folder.prefix(below, attrs.fileKey(), id(prefixDir));
                    new SecureWalk(prefix, sink, deviceOf(attrs, prefixDir), mountTable).walk(dir, prefixDir, prefixFolder);
                } finally {
                    for (int i = opened.size() - 1; i >= 0; i--) {
                        opened.get(i).close();
                    }
                }
                return;
            }
        } catch (IOException | RuntimeException e) {
            sink.failed(CleanerError.blobScan(prefix, null, "scan of prefix stopped: " + e));
            return;
        }
        String moved = paths.rootMoved();
        if (moved == null) {
            moved = paths.unsafeAbove();
        }
        if (moved != null) {
            sink.failed(CleanerError.blobScan(prefix, null, moved + "; prefix not scanned"));
            return;
        }
        try {
            Files.walkFileTree(prefixDir, EnumSet.noneOf(java.nio.file.FileVisitOption.class), Integer.MAX_VALUE,
                    new PrefixWalk(prefix, prefixDir, sink, mountTable));
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
        private final MountPoints mountTable;
        /** Set when the walking thread was interrupted while waiting for the helper: the helper stops at its next entry. */
        private volatile boolean abandoned;

        SecureWalk(String prefix, ScanSink sink, Object device, MountPoints mountTable) {
            this.prefix = prefix;
            this.prefixDir = root.resolve(prefix).normalize();
            this.sink = sink;
            this.device = device;
            this.mountTable = mountTable;
        }

        /** A folder being listed: its handle, where its listing is, its path and its record. */
        private record Level(SecureDirectoryStream<Path> dir, Iterator<Path> entries, Path path, Folder folder) {
        }

        /**
         * Walks {@code top} (closed by the caller). The folders right below it (a job folder each,
         * under uploads/) are opened here and walked by this thread and a helper, a few dozen at a
         * time: a prefix of many small folders is walked by two cores, not one.
         */
        void walk(SecureDirectoryStream<Path> top, Path topPath, Folder topFolder) {
            Subtrees subtrees = new Subtrees();
            try {
                walk(top, topPath, topFolder, subtrees);
                subtrees.walkRest();
            } finally {
                subtrees.finish();
            }
        }

        /**
         * Walks {@code top} (closed by the caller); its sub-folders go to {@code handOff} when
         * there is one, else onto this walk's own stack. A stack of open folders rather than
         * recursion: a tree thousands of folders deep must not overflow the thread's stack.
         */
        private void walk(SecureDirectoryStream<Path> top, Path topPath, Folder topFolder, Subtrees handOff) {
            Deque<Level> open = new ArrayDeque<>();
            open.push(new Level(top, top.iterator(), topPath, topFolder));
            try {
                while (!open.isEmpty()) {
                    Level level = open.peek();
                    Path entry;
                    try {
                        if (!level.entries().hasNext()) {
                            leave(open);
                            continue;
                        }
                        entry = level.entries().next();
                    } catch (DirectoryIteratorException e) {
                        sink.failed(CleanerError.blobScan(prefix, id(level.path()), "folder listing failed: " + e.getCause()));
                        leave(open);
                        continue;
                    }
                    if (sink.stopRequested() || abandoned) {
                        return;
                    }
                    SecureDirectoryStream<Path> dir = level.dir();
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
                    if (!mountTable.isEmpty() && mountTable.contains(id(entry))) {
                        sink.skipped(id(entry) + (attrs.isDirectory() ? "/" : ""), SkipReason.MOUNT_POINT,
                                "mount point (another mount than the prefix's, e.g. a bind mount); not crossed");
                        continue;
                    }
                    if (attrs.isDirectory()) {
                        if (isAuditFolder(attrs)) {
                            sink.failed(auditFolderInPrefix(prefix, entry));
                            continue;
                        }
                        Object dev = deviceOf(attrs, entry);
                        if (device != null && dev != null && !dev.equals(device)) {
                            sink.skipped(id(entry) + "/", SkipReason.MOUNT_POINT, "mount point of another file system; not crossed");
                            continue;
                        }
                        SecureDirectoryStream<Path> child;
                        try {
                            child = dir.newDirectoryStream(name, NO_FOLLOW);
                        } catch (NoSuchFileException e) {
                            continue; // removed while walked
                        } catch (IOException e) {
                            sink.failed(CleanerError.blobScan(prefix, id(entry), "cannot read: " + e));
                            continue;
                        }
                        // the identity read before opening: if the two differ, the re-check keeps the items
                        Folder sub = Folder.child(level.folder(), name, attrs.fileKey(), id(entry));
                        if (handOff != null && open.size() == 1) {
                            handOff.add(new Level(child, null, entry, sub));
                        } else {
                            open.push(new Level(child, child.iterator(), entry, sub));
                        }
                    } else if (attrs.isRegularFile() || attrs.isSymbolicLink()) {
                        Instant mtime = attrs.lastModifiedTime().toInstant();
                        if (sink.interested(mtime)) {
                            String id = id(entry);
                            sink.scanned(new ScannedItem(StoreKind.BLOB, id, mtime, null,
                                    BlobRef.of(id, name, prefixDir, level.folder(), attrs.fileKey()), attrs.size()));
                        } else {
                            sink.passed(attrs.size());
                        }
                    } else {
                        sink.skipped(id(entry), SkipReason.SPECIAL_FILE, "not a regular file or link (device, socket or FIFO)");
                    }
                }
            } finally {
                while (open.size() > 1) {
                    leave(open);
                }
            }
        }

        /**
         * Opened folders right below the prefix folder, walked in batches by a helper thread, or
         * by the walking thread itself while the helper has enough in hand (which bounds the
         * folders held open). Every folder handed in is closed, walked or not.
         */
        private final class Subtrees {
            private static final int BATCH = 32;
            private static final int BATCHES_IN_HAND = 4;
            private final java.util.concurrent.Semaphore inHand = new java.util.concurrent.Semaphore(BATCHES_IN_HAND);
            private final List<java.util.concurrent.Future<?>> handedOut = new ArrayList<>();
            private java.util.concurrent.ExecutorService helper;
            private List<Level> batch = new ArrayList<>(BATCH);

            void add(Level level) {
                batch.add(level);
                if (batch.size() == BATCH) {
                    handOut();
                }
            }

            private void handOut() {
                List<Level> levels = batch;
                batch = new ArrayList<>(BATCH);
                if (WALK_HELPERS == 0 || !inHand.tryAcquire()) {
                    walkAll(levels);
                    return;
                }
                try {
                    if (helper == null) {
                        helper = java.util.concurrent.Executors.newFixedThreadPool(WALK_HELPERS, r -> {
                            Thread t = new Thread(r, "cleaner-blob-walk-helper");
                            t.setDaemon(true);
                            return t;
                        });
                    }
                    handedOut.add(helper.submit(RunLogContext.carried(() -> {
                        try {
                            walkAll(levels);
                        } finally {
                            inHand.release();
                        }
                    })));
                } catch (RuntimeException e) {
                    inHand.release();
                    walkAll(levels);
                }
            }

            private void walkAll(List<Level> levels) {
                int i = 0;
                try {
                    for (; i < levels.size(); i++) {
                        Level level = levels.get(i);
                        try {
                            if (!sink.stopRequested() && !abandoned) {
                                walk(level.dir(), level.path(), level.folder(), null);
                            }
                        } finally {
                            close(level);
                        }
                    }
                } finally {
                    for (i++; i < levels.size(); i++) {
                        close(levels.get(i));
                    }
                }
            }

            /** Walks the last batch here. */
            void walkRest() {
                List<Level> levels = batch;
                batch = new ArrayList<>();
                walkAll(levels);
            }

            /**
             * Waits for the helper's batches; closes what was never walked (the walk stopped on an
             * error). Interrupted, it still waits, having told the helper to stop: a scan that
             * returned must not have a thread still reporting into it, nor folders still open.
             */
            void finish() {
                boolean interrupted = false;
                try {
                    batch.forEach(SecureWalk.this::close);
                    batch = new ArrayList<>();
                    for (java.util.concurrent.Future<?> f : handedOut) {
                        while (true) {
                            try {
                                f.get();
                                break;
                            } catch (java.util.concurrent.ExecutionException e) {
                                sink.failed(CleanerError.blobScan(prefix, null, "scan of prefix stopped: " + e.getCause()));
                                break;
                            } catch (InterruptedException e) {
                                if (!interrupted) {
                                    interrupted = true;
                                    abandoned = true;
                                    sink.failed(CleanerError.blobScan(prefix, null, "scan interrupted"));
                                }
                            }
                        }
                    }
                } finally {
                    if (helper != null) {
                        helper.shutdown();
                    }
                    if (interrupted) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
        }

        private void close(Level level) {
            try {
                level.dir().close();
            } catch (IOException e) {
                LOG.debug("Closing {} failed: {}", level.path(), e.toString());
            }
        }

        /** Done with the innermost folder: closed, unless it is the caller's. */
        private void leave(Deque<Level> open) {
            Level done = open.pop();
            if (!open.isEmpty()) {
                try {
                    done.dir().close();
                } catch (IOException e) {
                    LOG.debug("Closing {} failed: {}", done.path(), e.toString());
                }
            }
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
            if (Files.isSymbolicLink(current) || isReparsePoint(current)) {
                return id(current);
            }
        }
        return null;
    }

    /** A junction or other reparse point (Windows), which reads as a folder without being one. */
    private static boolean isReparsePoint(Path path) {
        try {
            BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class, NO_FOLLOW);
            return a.isDirectory() && a.isOther();
        } catch (IOException e) {
            return false;
        }
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
        // a backslash is part of a Unix file name: only a platform separator becomes '/'
        String separator = path.getFileSystem().getSeparator();
        String relative = root.relativize(path).toString();
        return separator.equals("/") ? relative : relative.replace(separator, "/");
    }

    /**
     * The walk where the platform has no folder handles (Windows), by path: each folder's identity
     * is noted for {@link PathFallbackDeleter}, and junctions are not entered.
     */
    private final class PrefixWalk implements FileVisitor<Path> {
        private final String prefix;
        private final Path prefixDir;
        private final ScanSink sink;
        private final MountPoints mountTable;
        private Object device;
        /** The folder being walked (null above the prefix folder). */
        private Folder folder;

        PrefixWalk(String prefix, Path prefixDir, ScanSink sink, MountPoints mountTable) {
            this.prefix = prefix;
            this.prefixDir = prefixDir;
            this.sink = sink;
            this.mountTable = mountTable;
        }

        /** Another file system mounted below a prefix is not crossed, as systemd-tmpfiles does. */
        @Override
        public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
            if (isAuditFolder(attrs)) {
                sink.failed(auditFolderInPrefix(prefix, dir));
                return FileVisitResult.SKIP_SUBTREE;
            }
            if (folder != null && PathFallbackDeleter.isPrivateName(dir.getFileName())) {
                sink.skipped(id(dir) + "/", SkipReason.UNREADABLE, PathFallbackDeleter.LEFT_ASIDE);
                return FileVisitResult.SKIP_SUBTREE;
            }
            if (attrs.isOther()) {
                // walkFileTree would enter a junction as a folder
                sink.skipped(id(dir) + "/", SkipReason.MOUNT_POINT, "junction, mount point or other reparse point; links are never followed, not crossed");
                return FileVisitResult.SKIP_SUBTREE;
            }
            Object dev = deviceOf(attrs, dir);
            if (folder == null) {
                device = dev;
            } else if (device != null && dev != null && !dev.equals(device) || mountTable.contains(id(dir))) {
                sink.skipped(id(dir) + "/", SkipReason.MOUNT_POINT, "mount point of another file system; not crossed");
                return FileVisitResult.SKIP_SUBTREE;
            }
            Object key = paths.identity(attrs, true);
            folder = folder == null ? Folder.prefix(root.relativize(dir), key, id(dir)) : Folder.child(folder, dir.getFileName(), key, id(dir));
            return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
            if (sink.stopRequested()) {
                return FileVisitResult.TERMINATE;
            }
            if (folder == null) {
                // the walk's start was no folder: the prefix was swapped for a link or file after it was checked
                sink.failed(CleanerError.blobScan(prefix, null, "prefix folder " + id(file) + " was replaced by a link or file "
                        + "as the scan started; links are never followed, prefix not scanned"));
                return FileVisitResult.TERMINATE;
            }
            if (PathFallbackDeleter.isPrivateName(file.getFileName())) {
                sink.skipped(id(file), SkipReason.UNREADABLE, PathFallbackDeleter.LEFT_ASIDE);
                return FileVisitResult.CONTINUE;
            }
            if (attrs.isRegularFile() || attrs.isSymbolicLink()) {
                Instant mtime = attrs.lastModifiedTime().toInstant();
                if (sink.interested(mtime)) {
                    String id = id(file);
                    sink.scanned(new ScannedItem(StoreKind.BLOB, id, mtime, null,
                            BlobRef.of(id, file.getFileName(), prefixDir, folder, paths.scannedIdentity(file, attrs, folder.key())), attrs.size()));
                } else {
                    sink.passed(attrs.size());
                }
            } else {
                sink.skipped(id(file), SkipReason.SPECIAL_FILE, "not a regular file or link (device, socket or FIFO)");
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
            folder = folder.parent();
            return FileVisitResult.CONTINUE;
        }
    }

    @Override
    public Recheck recheck(ScannedItem candidate, Instant cutoff) throws IOException {
        return one(candidate, cutoff, false);
    }

    @Override
    public Recheck deleteIfUnchanged(ScannedItem candidate, Instant cutoff) throws IOException {
        return one(candidate, cutoff, true);
    }

    private Recheck one(ScannedItem candidate, Instant cutoff, boolean delete) throws IOException {
        Object answer = work(List.of(candidate), cutoff, delete)[0];
        if (answer instanceof IOException e) {
            throw e;
        }
        if (answer instanceof RuntimeException e) {
            throw e;
        }
        return (Recheck) answer;
    }

    /**
     * A chunk is worked as one: its items' folders opened, then the mount table read once for
     * all of them (see {@link ChunkFolders}), then each item re-checked and deleted on its own
     * (one item's failure is its own).
     */
    @Override
    public boolean deletesInChunks() {
        return true;
    }

    @Override
    public List<Recheck> recheckAll(List<ScannedItem> candidates, Instant cutoff) throws ChunkPartlyFailedException {
        return answers(work(candidates, cutoff, false));
    }

    @Override
    public List<Recheck> deleteAllIfUnchanged(List<ScannedItem> candidates, Instant cutoff) throws ChunkPartlyFailedException {
        return answers(work(candidates, cutoff, true));
    }

    /** The answers, or those that failed as nulls for the route's retry. */
    private static List<Recheck> answers(Object[] worked) throws ChunkPartlyFailedException {
        List<Recheck> answers = new ArrayList<>(worked.length);
        Exception first = null;
        for (Object w : worked) {
            if (w instanceof Recheck r) {
                answers.add(r);
            } else {
                answers.add(null);
                first = first == null ? (Exception) w : first;
            }
        }
        if (first != null) {
            throw new ChunkPartlyFailedException(answers, first);
        }
        return answers;
    }

    /** Per item, in order: its {@link Recheck}, or the exception its re-check or delete failed with. */
    private Object[] work(List<ScannedItem> candidates, Instant cutoff, boolean delete) {
        Object[] worked = new Object[candidates.size()];
        boolean handles = folderHandles();
        List<Folder> folders = new ArrayList<>(candidates.size());
        for (ScannedItem c : candidates) {
            BlobRef ref = (BlobRef) c.ref();
            if (handles && ref.folder() != null) {
                folders.add(ref.folder());
            }
        }
        try (ChunkFolders opened = handles ? new ChunkFolders(folders) : null) {
            for (int i = 0; i < worked.length; i++) {
                try {
                    worked[i] = checkAndMaybeDelete(candidates.get(i), cutoff, delete, opened);
                } catch (IOException | RuntimeException e) {
                    worked[i] = e;
                }
            }
        }
        return worked;
    }

    /**
     * The folders of a chunk, each opened once from the root as the walk saw it ({@link #open})
     * and shared by its items, between two reads of the mount table: one before the first open,
     * one after the last, while all are held open. A folder with a mount point on its way in
     * either is not crossed. The read after alone is not enough: a mount a handle lies in cannot
     * be unmounted while it is held (EBUSY), but it can be moved away ({@code mount --move}),
     * detached ({@code umount -l}), or the folder above it renamed, so that the table no longer
     * shows it on the folder's path (ChunkMountRaceTest). A mount already there when the chunk
     * starts is in the read before; one renamed along with its job folder stays below the prefix,
     * where either read shows it as new since the walk ({@link #walkTables}). One that is moved in
     * after the first read and out of the prefix before the second is not seen. A mount made after
     * the folders were opened does not move the handles: they stay on the folders checked.
     */
    private final class ChunkFolders implements AutoCloseable {
        /** Per folder: its handle, or why it could not be opened (a Refused answer or a failure). */
        private final Map<Folder, Object> opened = new IdentityHashMap<>();
        /** The mount points of both reads. */
        private MountPoints table;
        private Refused noTable;

        ChunkFolders(Collection<Folder> folders) {
            try {
                MountPoints before = readTable();
                for (Folder f : folders) {
                    if (!opened.containsKey(f)) {
                        try {
                            opened.put(f, open(f));
                        } catch (Refused | IOException | RuntimeException e) {
                            opened.put(f, e);
                        }
                    }
                }
                MountPoints after = before == null ? null : readTable();
                if (after != null) {
                    table = MountPoints.union(before, after);
                }
            } catch (RuntimeException | Error e) {
                close();
                throw e;
            }
        }

        /** The mount table now; null (and {@link #noTable} set) when it cannot be read. */
        private MountPoints readTable() {
            try {
                return MountPoints.read(root);
            } catch (IOException | RuntimeException e) {
                noTable = new Refused(Recheck.changed("cannot read the mount table (" + MountPoints.MOUNTINFO + "): " + e
                        + "; mount points could not be told apart, kept"));
                return null;
            }
        }

        /** The folder's handle, with no mount point on the way; else its answer, or its failure, thrown. */
        @SuppressWarnings("unchecked")
        Opened get(Folder folder) throws IOException, Refused {
            Object o = opened.get(folder);
            if (o == null) {
                throw new IllegalStateException("folder " + folder + " was not opened for this chunk");
            }
            if (o instanceof Refused r) {
                throw r;
            }
            if (o instanceof IOException e) {
                throw e;
            }
            if (o instanceof RuntimeException e) {
                throw e;
            }
            if (noTable != null) {
                throw noTable;
            }
            Folder top = folder;
            for (Folder f = folder; f != null && f.parent() != null; f = f.parent()) {
                if (table.contains(f.id())) {
                    throw new Refused(Recheck.changed("folder " + f.id() + "/ is a mount point now (another mount than the prefix's); not crossed, kept"));
                }
                top = f.parent();
            }
            // a mount that appeared below the prefix since its walk began may be one the walk crossed,
            // now under another name (its job folder renamed), which the check above cannot see
            MountPoints walked = walkTables.get(top.id());
            String appeared = walked == null ? null : table.newBelow(top.id(), walked);
            if (appeared != null) {
                throw new Refused(Recheck.changed("a mount point appeared below " + top.id() + "/ since the scan began (" + appeared
                        + "/); the walk may have crossed it, kept"));
            }
            return new Opened((SecureDirectoryStream<Path>) o, table);
        }

        @Override
        public void close() {
            for (Object o : opened.values()) {
                if (o instanceof SecureDirectoryStream<?> dir) {
                    try {
                        dir.close();
                    } catch (IOException e) {
                        LOG.debug("Closing a folder handle failed: {}", e.toString());
                    }
                }
            }
        }
    }

    /** The re-check, and the delete through the very folder handle the re-check looked in. */
    private Recheck checkAndMaybeDelete(ScannedItem candidate, Instant cutoff, boolean delete, ChunkFolders folders) throws IOException {
        BlobRef ref = (BlobRef) candidate.ref();
        if (!ref.plainName() || !ref.prefixDir().startsWith(root)) {
            return Recheck.changed("outside the prefix; never deleted");
        }
        if (folders == null) {
            return paths.checkAndMaybeDelete(ref, candidate.id(), cutoff, delete, seam);
        }
        if (ref.folder() == null) {
            return Recheck.changed(NO_HANDLES);
        }
        SecureDirectoryStream<Path> parent;
        MountPoints mountTable;
        try {
            Opened opened = folders.get(ref.folder());
            parent = opened.dir();
            mountTable = opened.mounts();
        } catch (Refused r) {
            return r.answer;
        }
        Path name = ref.name();
        BasicFileAttributes attrs;
        try {
            attrs = parent.getFileAttributeView(name, BasicFileAttributeView.class, NO_FOLLOW).readAttributes();
        } catch (NoSuchFileException e) {
            return Recheck.gone("already gone");
        }
        if (mountTable.contains(candidate.id())) {
            return Recheck.changed("a mount point now; not touched");
        }
        if (!attrs.isRegularFile() && !attrs.isSymbolicLink()) {
            return Recheck.changed("no longer a file or link");
        }
        if (ref.key() != null && !ref.key().equals(attrs.fileKey())) {
            return Recheck.changed("replaced by another file since the scan; kept");
        }
        Instant mtime = attrs.lastModifiedTime().toInstant();
        if (!mtime.isBefore(cutoff)) {
            return Recheck.changed("modified after the scan (mtime now " + mtime + ")");
        }
        if (!delete) {
            return Recheck.EXPIRED;
        }
        seam.beforeRemove(candidate.id());
        return removeChecked(parent, name, attrs.fileKey(), cutoff);
    }

    /**
     * Unlinks {@code name} only if it is still the checked file. There is no "unlink if this
     * inode": the name is first renamed to a private one in the same folder (renameat), so what is
     * looked at then and deleted is exactly what was taken from the name. A file renamed over it,
     * or written to, since the check goes back to its name.
     */
    private static Recheck removeChecked(SecureDirectoryStream<Path> parent, Path name, Object key, Instant cutoff) throws IOException {
        Path aside = name.getFileSystem().getPath(ASIDE + Long.toHexString(ASIDE_NAMES.nextLong()) + Long.toHexString(ASIDE_NAMES.nextLong()));
        try {
            parent.move(name, parent, aside);
        } catch (NoSuchFileException e) {
            return Recheck.gone("already gone");
        }
        BasicFileAttributes a = parent.getFileAttributeView(aside, BasicFileAttributeView.class, NO_FOLLOW).readAttributes();
        if ((key == null || key.equals(a.fileKey())) && (a.isRegularFile() || a.isSymbolicLink())
                && a.lastModifiedTime().toInstant().isBefore(cutoff)) {
            // unlinkat on the checked folder: removes a link itself, never what it points to
            parent.deleteFile(aside);
            return Recheck.EXPIRED;
        }
        try {
            parent.getFileAttributeView(name, BasicFileAttributeView.class, NO_FOLLOW).readAttributes();
        } catch (NoSuchFileException free) {
            parent.move(aside, parent, name);
            return Recheck.changed("replaced or modified right before the delete; put back and kept");
        }
        // the name was taken a third time meanwhile: moving back would overwrite that file
        return Recheck.changed("replaced right before the delete, and the name taken again since; the file that replaced it "
                + "is kept beside it as " + aside);
    }

    /** Null when the root handle is the folder the store was set up with, else why not. */
    private String rootMoved(SecureDirectoryStream<Path> rootDir) throws IOException {
        Object key = rootKey;
        Object now = rootDir.getFileAttributeView(BasicFileAttributeView.class).readAttributes().fileKey();
        if (key != null && !key.equals(now)) {
            return "the storage root " + root + " is not the folder it was when the cleaner started "
                    + "(replaced, or a folder above it replaced by a link, since); restart the cleaner if this is intended";
        }
        return null;
    }

    /**
     * Opens {@code folder} from the root, one name at a time, never through a link, each folder
     * checked to be the one the walk saw. The caller closes the result.
     */
    private SecureDirectoryStream<Path> open(Folder folder) throws IOException, Refused {
        Folder[] chain = new Folder[folder.depth() + 1];
        for (Folder f = folder; f != null; f = f.parent()) {
            chain[f.depth()] = f;
        }
        DirectoryStream<Path> top = Files.newDirectoryStream(root);
        if (!(top instanceof SecureDirectoryStream<Path> rootDir)) {
            top.close();
            throw new Refused(Recheck.changed(NO_HANDLES));
        }
        SecureDirectoryStream<Path> dir = rootDir;
        try {
            String moved = rootMoved(rootDir);
            if (moved != null) {
                throw new Refused(Recheck.changed(moved + "; kept"));
            }
            for (Folder f : chain) {
                // a folder's id only where a message needs it: building each path on the way costs depth squared
                Path reached = f.parent() == null ? root : null;
                for (Path part : f.name()) {
                    reached = reached == null ? null : reached.resolve(part);
                    SecureDirectoryStream<Path> child = step(dir, part, reached == null ? f.id() : id(reached));
                    dir.close();
                    dir = child;
                }
                Object key = dir.getFileAttributeView(BasicFileAttributeView.class).readAttributes().fileKey();
                if (f.key() != null && !f.key().equals(key)) {
                    throw new Refused(Recheck.changed("folder " + f.id() + "/ is not the folder the scan saw "
                            + "(replaced, moved or mounted over since); kept"));
                }
            }
            return dir;
        } catch (IOException | Refused | RuntimeException e) {
            dir.close();
            throw e;
        }
    }

    private SecureDirectoryStream<Path> step(SecureDirectoryStream<Path> dir, Path name, String reached) throws IOException, Refused {
        try {
            return dir.newDirectoryStream(name, NO_FOLLOW);
        } catch (NoSuchFileException e) {
            throw new Refused(Recheck.gone("already gone (folder " + reached + " removed)"));
        } catch (FileSystemException e) {
            BasicFileAttributes a;
            try {
                a = dir.getFileAttributeView(name, BasicFileAttributeView.class, NO_FOLLOW).readAttributes();
            } catch (IOException again) {
                throw e;
            }
            if (a.isSymbolicLink()) {
                throw new Refused(Recheck.changed("folder " + reached + " was replaced by a link after the scan; kept"));
            }
            if (!a.isDirectory()) {
                throw new Refused(Recheck.changed("folder " + reached + " was replaced by a file after the scan; kept"));
            }
            if (String.valueOf(e.getReason()).contains("symbolic link")) {
                // ELOOP: a link when opened, a folder again when looked at
                throw new Refused(Recheck.changed("folder " + reached + " was replaced by a link (and back) after the scan; kept"));
            }
            throw e;
        }
    }

    @Override
    public int removeEmptiedFolders(Collection<ScannedItem> deleted) {
        return removeEmptiedFolders(deleted, (id, reason) -> LOG.info("Kept folder {}: {}", id, reason));
    }

    /**
     * Each folder is removed (rmdir, so only when empty) through its parent's handle, opened as in
     * the re-check, and only when the entry there is still the folder the walk saw.
     */
    @Override
    public int removeEmptiedFolders(Collection<ScannedItem> deleted, BiConsumer<String, String> kept) {
        Set<Folder> folders = new TreeSet<>(Comparator.comparingInt(Folder::depth).reversed().thenComparing(Folder::id));
        for (ScannedItem item : deleted) {
            BlobRef ref = (BlobRef) item.ref();
            for (Folder f = ref.folder(); f != null && f.parent() != null; f = f.parent()) {
                folders.add(f);
            }
        }
        if (folders.isEmpty()) {
            return 0;
        }
        int removed = 0;
        List<Folder> deepestFirst = new ArrayList<>(folders);
        for (int from = 0; from < deepestFirst.size(); from += SWEEP_CHUNK) {
            List<Folder> chunk = deepestFirst.subList(from, Math.min(deepestFirst.size(), from + SWEEP_CHUNK));
            boolean handles = folderHandles();
            try (ChunkFolders parents = handles ? new ChunkFolders(chunk.stream().map(Folder::parent).toList()) : null) {
                for (Folder f : chunk) {
                    try {
                        if (removeIfStillThere(f, kept, parents)) {
                            removed++;
                        }
                    } catch (DirectoryNotEmptyException | NoSuchFileException e) {
                        // not emptied by this run, or already gone: leave it
                    } catch (IOException e) {
                        LOG.warn("Could not remove emptied folder {}: {}", f, e.toString());
                    }
                }
            }
        }
        return removed;
    }

    private boolean removeIfStillThere(Folder f, BiConsumer<String, String> kept, ChunkFolders parents) throws IOException {
        if (parents == null) {
            return paths.removeFolder(f, kept, seam);
        }
        SecureDirectoryStream<Path> parent;
        MountPoints mountTable;
        try {
            Opened opened = parents.get(f.parent());
            parent = opened.dir();
            mountTable = opened.mounts();
        } catch (Refused r) {
            if (r.answer.state() == Recheck.State.CHANGED) {
                kept.accept(f.toString(), r.answer.reason());
            }
            return false;
        }
        BasicFileAttributes a = parent.getFileAttributeView(f.name(), BasicFileAttributeView.class, NO_FOLLOW).readAttributes();
        String why = null;
        if (a.isSymbolicLink()) {
            why = "replaced by a link after the scan; kept";
        } else if (!a.isDirectory()) {
            why = "replaced by a file after the scan; kept";
        } else if (f.key() != null && !f.key().equals(a.fileKey())) {
            why = "not the folder the scan saw (replaced, moved or mounted over since); kept";
        } else if (mountTable.contains(f.id())) {
            why = "a mount point now; not removed";
        }
        if (why != null) {
            kept.accept(f.toString(), why);
            return false;
        }
        seam.beforeRemove(f.toString());
        // rmdir relative to the checked parent: only an empty folder goes, and never through a link
        parent.deleteDirectory(f.name());
        return true;
    }
}
