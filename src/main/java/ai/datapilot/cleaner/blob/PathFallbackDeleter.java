package ai.datapilot.cleaner.blob;

import ai.datapilot.cleaner.blob.LocalBlobStore.Folder;
import ai.datapilot.cleaner.blob.LocalBlobStore.Seam;
import ai.datapilot.cleaner.store.Recheck;
import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.DosFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.UserPrincipal;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The re-check and delete by path, where the platform has no folder handles (Windows, macOS before Java 24: no
 * {@link java.nio.file.SecureDirectoryStream}). Each time, every folder from the root down to the
 * item is looked at again without following links, must not be a link, junction or other reparse
 * point, and must be the folder the walk saw (same identity); the item is then renamed to a private
 * name beside it, everything is checked once more, and only that private name is deleted. A fact
 * that cannot be established (an identity, the mount table) keeps the item, with why.
 *
 * <p>A path is resolved again by every call, so unlike the handle path there is a window (between
 * the last check and the rename) in which a folder swapped for a link is followed by the rename:
 * the file renamed is then another one, which the identity check after the rename tells apart and
 * puts back. docs/safety.md describes what remains.
 */
final class PathFallbackDeleter {

    private static final Logger LOG = LoggerFactory.getLogger(PathFallbackDeleter.class);
    private static final LinkOption[] NO_FOLLOW = {LinkOption.NOFOLLOW_LINKS};
    private static final String ASIDE = ".datapilot-cleaner-deleting-";
    /** Why the walk leaves a private name alone: a rename by path split by a swapped folder can have moved an outside item in. */
    static final String LEFT_ASIDE = "a name this cleaner gives an item while deleting it without folder handles, left by an interrupted "
            + "or disturbed delete; it may hold a file or folder from outside the storage root (moved in through a folder swapped "
            + "during the delete): never deleted, check it by hand";
    private static final SecureRandom ASIDE_NAMES = new SecureRandom();
    static final String NO_IDENTITY = "cannot be told apart from a replacement on this file system "
            + "(no file key, and no creation time the platform vouches for); kept";

    /** A stand-in for a file key where the platform has none (Windows): creation time, and for a file its size and mtime. */
    record Stamp(FileTime created, long size, FileTime modified) {
    }

    /**
     * The scan's note for a file that had more than one name (hard links) when walked: its
     * identity is then also an outside name's, which the attacker may remove before the delete
     * (leaving the outside name as its only one), so no later check could tell them apart. Never
     * deleted in this run.
     */
    record SharedAtScan(String why) {
    }

    /** The folder an item is in, reached and checked, and the mount table read meanwhile. */
    record Checked(Path dir, MountPoints mounts) {
    }

    /** Why an item is kept (or gone): the answer for it. */
    static final class Kept extends Exception {
        final transient Recheck answer;

        Kept(Recheck answer) {
            super(answer.reason(), null, false, false);
            this.answer = answer;
        }
    }

    private final Path root;
    private volatile Object rootIdentity;
    /** The first sign, in this run, that a folder on the way was swapped: deletes stop there (see {@link #swapSeen}). */
    private volatile String swapSeen;
    /** Test seam: go on deleting after a swap was seen, to put each delete's own checks under a sustained attack. */
    volatile boolean keepDeletingAfterASwap;
    /** Test seam: ignore file keys, as where the platform has none and the file system is not Windows'. */
    volatile boolean withoutFileKeys;

    PathFallbackDeleter(Path root) {
        this.root = root;
        this.rootIdentity = rootIdentityNow();
    }

    /** A new run: a swap seen by an earlier run no longer stops deletes (the checks still apply to each item). */
    void newRun() {
        swapSeen = null;
    }

    /**
     * Notes that a folder on the way was swapped (a link, junction or mount where a folder was, the
     * root replaced, a name renamed away from under the delete). By path, each such swap is a chance
     * for a later rename to be led out of the tree, and a tight loop of swaps makes the chances many:
     * the first sign ends this run's deletes. Returns {@code why}.
     */
    private String swapSeen(String why) {
        if (swapSeen == null) {
            swapSeen = why;
            LOG.warn("Storage root {}: {}; without folder handles nothing more is deleted in this run", root, why);
        }
        return why;
    }

    /** Why nothing more is deleted in this run, or null. */
    private String stoppedBySwap() {
        String seen = swapSeen;
        return seen == null || keepDeletingAfterASwap ? null : "not deleted: a folder on the way was swapped earlier in this run (" + seen.replaceFirst("; kept$", "")
                + "); without folder handles nothing more is deleted in this run; kept";
    }

    /** Whether {@code name} is a private name of {@link #removeChecked}. */
    static boolean isPrivateName(Path name) {
        return name != null && name.toString().startsWith(ASIDE);
    }

    /** The root's identity, taken once when it first exists: every later check compares with it. */
    void rememberRoot() {
        if (rootIdentity == null) {
            rootIdentity = rootIdentityNow();
        }
    }

    private Object rootIdentityNow() {
        try {
            return identity(Files.readAttributes(root, BasicFileAttributes.class), true);
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * What identifies a file or folder across two looks: its file key (device and inode) where
     * the platform has one; on Windows (no file key) its creation time, which NTFS keeps through
     * renames and does not reuse, plus, for a file, its size and mtime. Null when neither exists
     * (a creation time the platform does not vouch for, as on other file systems without keys).
     */
    Object identity(BasicFileAttributes a, boolean folder) {
        if (a.fileKey() != null && !withoutFileKeys) {
            return a.fileKey();
        }
        // only Windows' attributes are DOS attributes; elsewhere "creation time" may be the mtime
        FileTime created = a instanceof DosFileAttributes ? a.creationTime() : null;
        if (created == null || created.toMillis() == 0) {
            return null;
        }
        // a folder's size and mtime change as entries come and go: its creation time alone
        return folder ? new Stamp(created, -1, null) : new Stamp(created, a.size(), a.lastModifiedTime());
    }

    /**
     * The identity the walk notes for the file or link {@code file} (attributes {@code a}): as
     * {@link #identity}, or a {@link SharedAtScan} when it had other names then (where the
     * platform gives a link count).
     */
    Object scannedIdentity(Path file, BasicFileAttributes a, Object folderKey) {
        // the walk goes by path: a folder swapped while it read this file could have shown it an outside
        // file; the folder is looked at before and after the file is read again, which must agree with the walk
        String swapped;
        Object id;
        try {
            swapped = folderSwappedUnder(file, folderKey);
            id = swapped == null ? namesAtScan(file, a) : null;
            if (swapped == null && (id == null || id instanceof SharedAtScan)) {
                return id;
            }
            if (swapped == null) {
                swapped = folderSwappedUnder(file, folderKey);
            }
        } catch (NoSuchFileException gone) {
            // removed while read (an application deleting a job): not a swap, and nothing left to delete
            return new SharedAtScan("its folder was removed while the scan read it; kept");
        }
        if (swapped != null) {
            swapSeen(swapped);
            return new SharedAtScan(swapped + "; kept");
        }
        return id;
    }

    /** Null when the folder {@code file} is in is, by path, still the plain folder the walk is in; else why not. */
    private String folderSwappedUnder(Path file, Object folderKey) throws NoSuchFileException {
        if (folderKey == null) {
            return null; // no identity: kept at the delete for that reason
        }
        try {
            BasicFileAttributes dir = Files.readAttributes(file.getParent(), BasicFileAttributes.class, NO_FOLLOW);
            if (dir.isDirectory() && !dir.isOther() && folderKey.equals(identity(dir, true))) {
                return null;
            }
        } catch (NoSuchFileException gone) {
            throw gone;
        } catch (IOException e) {
            // unreadable: as swapped
        }
        return "folder " + id(file.getParent()) + " was swapped while the scan read it (the file seen may be another)";
    }

    private Object namesAtScan(Path file, BasicFileAttributes a) {
        Object id = identity(a, false);
        if (id == null) {
            return null;
        }
        Map<String, Object> unix;
        try {
            unix = Files.readAttributes(file, "unix:fileKey,nlink", NO_FOLLOW);
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            return id; // no link count (Windows)
        } catch (IOException e) {
            return new SharedAtScan("its names could not be counted when scanned (" + e + "); kept");
        }
        Object names = unix.get("nlink");
        if (!Objects.equals(unix.get("fileKey"), a.fileKey())) {
            return new SharedAtScan("replaced by another file while it was scanned; kept");
        }
        if (!(names instanceof Integer n) || n != 1) {
            return new SharedAtScan("had " + names + " names (hard links) when scanned, one of which may be outside the storage root; "
                    + "without folder handles it is not deleted in this run; kept");
        }
        return id;
    }

    /**
     * Null when the root is the folder the store was set up with, or when that cannot be told
     * (the walk only reports; the re-check keeps the items), else why not.
     */
    String rootMoved() {
        Object then = rootIdentity;
        Object now = rootIdentityNow();
        if (then != null && now != null && !then.equals(now)) {
            return "the storage root " + root + " is not the folder it was when the cleaner started "
                    + "(replaced, or a folder above it replaced by a link, since); restart the cleaner if this is intended";
        }
        return null;
    }

    /**
     * Null when no account but the superuser and this one can rename or replace the storage root
     * or a folder above it, else why not (the rule of OpenSSH's StrictModes and systemd-tmpfiles'
     * "unsafe path transition"): by path, whoever can swap the root for a link can lead a rename
     * out of the tree. Each folder above the root (above the configured path and above the real
     * one) must be owned by the superuser or this account, and writable by no group or other
     * account, unless it has the sticky bit and the entry below it is owned by the superuser or
     * this account (as /tmp). Null where the platform has no POSIX owners and modes (Windows:
     * access lists, not checked; docs/safety.md).
     */
    String unsafeAbove() {
        String me = System.getProperty("user.name", "");
        try {
            for (Path start : new Path[] {root.toAbsolutePath().normalize(), root.toRealPath()}) {
                Path child = start;
                for (Path dir = start.getParent(); dir != null; child = dir, dir = dir.getParent()) {
                    Map<String, Object> a = Files.readAttributes(dir, "unix:mode,owner");
                    int mode = (Integer) a.get("mode");
                    String owner = ((UserPrincipal) a.get("owner")).getName();
                    String why = null;
                    if (!owner.equals("root") && !owner.equals(me)) {
                        why = "is owned by " + owner;
                    } else if ((mode & 0022) != 0) {
                        String childOwner = Files.getOwner(child, NO_FOLLOW).getName();
                        if ((mode & 01000) == 0 || !childOwner.equals("root") && !childOwner.equals(me)) {
                            why = "is writable by other accounts (mode " + String.format("%04o", mode & 07777) + ")";
                        }
                    }
                    if (why != null) {
                        return "the folder " + dir + " above the storage root " + root + " " + why + ": whoever can write there can swap "
                                + "the storage root for a link while this cleaner, without folder handles on this platform, deletes "
                                + "by path; make it owned by " + (me.equals("root") ? "root" : "root or " + me) + " and writable by its owner only (chmod go-w " + dir
                                + "), or set LOCAL_STORAGE_ROOT to a folder whose parents are";
                    }
                }
            }
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            return null;
        } catch (IOException e) {
            return "the folders above the storage root " + root + " could not be read (" + e + "): whether another account "
                    + "can swap the root for a link is unknown";
        }
        return null;
    }

    /** Re-checks the item and, when {@code delete}, removes it by way of a private name beside it. */
    Recheck checkAndMaybeDelete(LocalBlobStore.BlobRef ref, String id, Instant cutoff, boolean delete, Seam seam) throws IOException {
        String stopped = delete ? stoppedBySwap() : null;
        if (stopped != null) {
            return Recheck.changed(stopped);
        }
        Checked checked;
        try {
            checked = checkFolders(ref.folder());
        } catch (Kept k) {
            return k.answer;
        }
        Path file = checked.dir().resolve(ref.name());
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(file, BasicFileAttributes.class, NO_FOLLOW);
        } catch (NoSuchFileException e) {
            return Recheck.gone("already gone");
        }
        if (checked.mounts().contains(id)) {
            return Recheck.changed(swapSeen("a mount point now; not touched"));
        }
        String why = unlikeTheScan(file, attrs, ref.key(), cutoff);
        if (why != null) {
            return Recheck.changed(why);
        }
        if (!delete) {
            return Recheck.EXPIRED;
        }
        seam.beforeRemove(id);
        return removeChecked(ref.folder(), file, ref.key(), cutoff, seam);
    }

    /** Null when {@code a}, read at {@code file}, is still the expired file or link the walk saw, with no other name; else why not. */
    private String unlikeTheScan(Path file, BasicFileAttributes a, Object scanned, Instant cutoff) throws IOException {
        if (!a.isRegularFile() && !a.isSymbolicLink()) {
            return "no longer a file or link";
        }
        if (scanned instanceof SharedAtScan shared) {
            return shared.why();
        }
        Object now = identity(a, false);
        if (scanned == null || now == null) {
            return "the file " + NO_IDENTITY;
        }
        if (!scanned.equals(now)) {
            return "replaced by another file since the scan; kept";
        }
        Instant mtime = a.lastModifiedTime().toInstant();
        if (!mtime.isBefore(cutoff)) {
            return "modified after the scan (mtime now " + mtime + ")";
        }
        return otherNames(file, a);
    }

    /**
     * Null when the file at {@code file} (whose attributes were {@code a}) has a single name. A hard
     * link shares its identity with its other names, one of which may lie outside the root: a folder
     * swapped on the way between the last check and the delete could then lead the delete to that
     * name with every identity check passing. Where the platform gives no link count (Windows), null.
     */
    private static String otherNames(Path file, BasicFileAttributes a) throws IOException {
        Map<String, Object> unix;
        try {
            unix = Files.readAttributes(file, "unix:fileKey,nlink", NO_FOLLOW);
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            return null;
        }
        if (!Objects.equals(unix.get("fileKey"), a.fileKey())) {
            return "replaced by another file while it was checked; kept";
        }
        Object names = unix.get("nlink");
        if (!(names instanceof Integer n) || n != 1) {
            return "has " + names + " names (hard links), one of which may be outside the storage root; "
                    + "without folder handles it cannot be deleted by this name alone; kept";
        }
        return null;
    }

    /**
     * Removes the emptied folder {@code f} (only when empty), checked as an item is; true when
     * removed. A folder that holds anything is left with {@link DirectoryNotEmptyException}.
     */
    boolean removeFolder(Folder f, BiConsumer<String, String> kept, Seam seam) throws IOException {
        String stopped = stoppedBySwap();
        if (stopped != null) {
            kept.accept(f.toString(), stopped);
            return false;
        }
        Checked parent;
        try {
            parent = checkFolders(f.parent());
        } catch (Kept k) {
            if (k.answer.state() == Recheck.State.CHANGED) {
                kept.accept(f.toString(), k.answer.reason());
            }
            return false;
        }
        Path dir = parent.dir().resolve(f.name());
        BasicFileAttributes a = Files.readAttributes(dir, BasicFileAttributes.class, NO_FOLLOW);
        String why = folderUnlikeTheScan(a, f.key());
        if (why == null && parent.mounts().contains(f.id())) {
            why = "a mount point now; not removed";
        }
        if (a.isSymbolicLink() || a.isOther() || why != null && why.startsWith("a mount point")) {
            swapSeen("folder " + f + " " + why);
        }
        if (why != null) {
            kept.accept(f.toString(), why);
            return false;
        }
        // a folder still in use is not renamed away from under its users
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            if (entries.iterator().hasNext()) {
                throw new DirectoryNotEmptyException(f.toString());
            }
        }
        seam.beforeRemove(f.toString());
        Recheck answer = removeChecked(f.parent(), dir, f.key(), null, seam);
        if (answer.state() == Recheck.State.CHANGED) {
            kept.accept(f.toString(), answer.reason());
        }
        return answer.state() == Recheck.State.EXPIRED;
    }

    /** Null when {@code a} is a plain folder (no link, junction or mount) with the identity the walk saw. */
    private String folderUnlikeTheScan(BasicFileAttributes a, Object scanned) {
        if (a.isSymbolicLink()) {
            return "replaced by a link after the scan; kept";
        }
        if (a.isOther()) {
            return "a junction, mount point or other reparse point now; kept";
        }
        if (!a.isDirectory()) {
            return "replaced by a file after the scan; kept";
        }
        Object now = identity(a, true);
        if (scanned == null || now == null) {
            return "its identity " + NO_IDENTITY;
        }
        if (!scanned.equals(now)) {
            return "not the folder the scan saw (replaced, moved or mounted over since); kept";
        }
        return null;
    }

    /**
     * Takes {@code target} under a private name in its folder, checks the folders and what the
     * name held once more, and deletes the private name only (a file, or an empty folder when
     * {@code cutoff} is null); otherwise the name is put back, or the reason it could not be.
     */
    private Recheck removeChecked(Folder folder, Path target, Object identity, Instant cutoff, Seam seam) throws IOException {
        boolean isFolder = cutoff == null;
        Path aside = target.resolveSibling(ASIDE + Long.toHexString(ASIDE_NAMES.nextLong()) + Long.toHexString(ASIDE_NAMES.nextLong()));
        try {
            // a rename, never a copy: the same folder, so the same file system
            Files.move(target, aside, StandardCopyOption.ATOMIC_MOVE);
        } catch (NoSuchFileException e) {
            return Recheck.gone("already gone");
        }
        String why;
        try {
            seam.afterRename(aside);
            checkFolders(folder);
            BasicFileAttributes a = Files.readAttributes(aside, BasicFileAttributes.class, NO_FOLLOW);
            why = isFolder ? folderUnlikeTheScan(a, identity) : unlikeTheScan(aside, a, identity, cutoff);
            if (why == null) {
                try {
                    Files.delete(aside);
                } catch (NoSuchFileException swapped) {
                    return Recheck.changed(swapSeen("a folder on the way changed right before the delete: nothing deleted; "
                            + "the checked file is left as " + aside.getFileName()));
                }
                return Recheck.EXPIRED;
            }
            why = (isFolder ? "" : "replaced or modified right before the delete: ") + why.replaceFirst("; kept$", "");
            if (isFolder || !sameFile(a, identity)) {
                // checked a moment ago: something else under the private name is what a rename led out by a swap looks like
                swapSeen("the private name " + aside.getFileName() + " held another " + (isFolder ? "folder" : "file")
                        + " than the one checked right before the rename (a folder on the way swapped, or the item replaced, at that instant)");
            }
        } catch (Kept k) {
            why = "the folders changed during the delete: " + k.answer.reason().replaceFirst("; kept$", "");
            // a folder on the way gone right after this rename: what a swap by plain renames looks like for a moment
            swapSeen(why);
        } catch (NoSuchFileException e) {
            // the private name is not where the path leads now: a folder on the way was swapped meanwhile
            return Recheck.changed(swapSeen("a folder on the way changed during the delete: nothing deleted; the file renamed to "
                    + aside.getFileName() + " in the folder the path led to then could not be found again to be put back"));
        } catch (DirectoryNotEmptyException e) {
            why = "written to right before its removal";
        }
        return putBack(aside, target, identity, isFolder, why);
    }

    /** Whether {@code a} is the file or link whose identity is {@code scanned} (written to since or not). */
    private boolean sameFile(BasicFileAttributes a, Object scanned) {
        return (a.isRegularFile() || a.isSymbolicLink()) && scanned != null && !(scanned instanceof SharedAtScan)
                && scanned.equals(identity(a, false));
    }

    /**
     * Puts what the private name holds back under its name. A file or link is put back by making a
     * new name (a hard link, or a new link to the same place), which never replaces anything found
     * under that name; a rename by path would, if a folder swapped at that instant led it to an
     * existing file (seen: an outside file of a look-alike tree lost that way). The private name is
     * then removed only while it and the name put back hold the item the scan saw: a swapped folder
     * can have led the put-back into another tree, and the private name may then be an outside
     * file's last other name.
     */
    private Recheck putBack(Path aside, Path target, Object scanned, boolean isFolder, String why) {
        try {
            if (isFolder) {
                if (!Files.isDirectory(aside, NO_FOLLOW)) {
                    return Recheck.changed(why + "; the private name " + aside.getFileName()
                            + " could not be found again where the path leads now (a folder on the way changed): left as it is, kept");
                }
                if (!Files.exists(target, NO_FOLLOW)) {
                    // a folder can only be renamed back; a rename never replaces a file or a folder that holds anything
                    Files.move(aside, target);
                    return Recheck.changed(why + "; put back and kept");
                }
            } else if (Files.isSymbolicLink(aside)) {
                // made anew; its mtime is now
                Files.createSymbolicLink(target, Files.readSymbolicLink(aside));
                return Recheck.changed(why + "; put back (as a new link to the same place) and kept" + dropPrivateName(aside, target, scanned));
            } else if (Files.isRegularFile(aside, NO_FOLLOW)) {
                if (!linkBack(aside, target)) {
                    return Recheck.changed(why + "; this file system has no hard links to put it back without a risk of "
                            + "replacing a file written under its name meanwhile: kept beside its name as " + aside.getFileName());
                }
                return Recheck.changed(why + "; put back and kept" + dropPrivateName(aside, target, scanned));
            } else {
                return Recheck.changed(why + "; the private name " + aside.getFileName()
                        + " could not be found again where the path leads now (a folder on the way changed): left as it is, kept");
            }
        } catch (FileAlreadyExistsException taken) {
            // taken meanwhile: below
        } catch (IOException e) {
            return Recheck.changed(why + "; could not be put back (" + e + "), kept beside its name as " + aside.getFileName());
        }
        return Recheck.changed(why + "; the name was taken again since: kept beside it as " + aside.getFileName());
    }

    /**
     * Removes the private name once the item is back under its name, only while both names hold
     * the item the scan saw (for a link put back, the private name alone); empty when removed, else
     * the words for the audit.
     */
    private String dropPrivateName(Path aside, Path target, Object scanned) throws IOException {
        Object atAside = identityAt(aside);
        // after a swap was seen the two names may lie in two trees, both holding the scanned file: the private one may be outside
        boolean same = swapSeen == null && scanned != null && scanned.equals(atAside)
                && (Files.isSymbolicLink(target) || scanned.equals(identityAt(target)));
        if (same) {
            Files.deleteIfExists(aside);
            return "";
        }
        return " (its private name " + aside.getFileName() + " is left: the name put back and it could not be shown to hold the "
                + "file the scan saw, a folder on the way changed; check both by hand)";
    }

    private Object identityAt(Path p) {
        try {
            return identity(Files.readAttributes(p, BasicFileAttributes.class, NO_FOLLOW), false);
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * Puts a file back under its name by a hard link, which unlike a rename on Unix never replaces
     * a file written under that name meanwhile; false where the file system has no hard links.
     */
    private static boolean linkBack(Path aside, Path target) throws IOException {
        try {
            Files.createLink(target, aside);
        } catch (FileAlreadyExistsException | NoSuchFileException e) {
            throw e;
        } catch (UnsupportedOperationException | FileSystemException e) {
            return false;
        }
        return true;
    }

    /**
     * Walks from the root to {@code folder} by path, one name at a time: each must be a plain folder
     * (not a link, junction or other reparse point), the walk's folders with the identity the walk
     * saw and none a mount point; the root must be the folder the store was set up with.
     */
    Checked checkFolders(Folder folder) throws IOException, Kept {
        String moved = rootMoved();
        if (moved != null) {
            throw new Kept(Recheck.changed(swapSeen(moved + "; kept")));
        }
        if (rootIdentity == null || rootIdentityNow() == null) {
            throw new Kept(Recheck.changed("the storage root " + root + " " + NO_IDENTITY));
        }
        MountPoints mounts;
        try {
            mounts = MountPoints.read(root);
        } catch (IOException | RuntimeException e) {
            throw new Kept(Recheck.changed("cannot read the mount table (" + MountPoints.MOUNTINFO + "): " + e
                    + "; mount points could not be told apart, kept"));
        }
        Folder[] chain = new Folder[folder.depth() + 1];
        for (Folder f = folder; f != null; f = f.parent()) {
            chain[f.depth()] = f;
        }
        Path at = root;
        for (Folder f : chain) {
            int left = f.name().getNameCount();
            for (Path part : f.name()) {
                at = at.resolve(part);
                BasicFileAttributes a;
                try {
                    a = Files.readAttributes(at, BasicFileAttributes.class, NO_FOLLOW);
                } catch (NoSuchFileException e) {
                    throw new Kept(Recheck.gone("already gone (folder " + id(at) + " removed)"));
                }
                String why = a.isSymbolicLink() ? "was replaced by a link after the scan"
                        : a.isOther() ? "is a junction, mount point or other reparse point now"
                        : !a.isDirectory() ? "was replaced by a file after the scan" : null;
                if (why != null) {
                    throw new Kept(Recheck.changed(swapSeen("folder " + id(at) + " " + why + "; kept")));
                }
                // the folders above a prefix folder were not walked: plain folders is all that is known of them
                if (--left == 0) {
                    Object now = identity(a, true);
                    if (f.key() == null || now == null) {
                        throw new Kept(Recheck.changed("folder " + f.id() + "/: its identity " + NO_IDENTITY));
                    }
                    if (!f.key().equals(now)) {
                        // a plain folder exchanged in leads the path elsewhere as a link does (its own folders may be links)
                        throw new Kept(Recheck.changed(swapSeen("folder " + f.id() + "/ is not the folder the scan saw "
                                + "(replaced, moved or mounted over since); kept")));
                    }
                }
            }
            if (f.parent() != null && mounts.contains(f.id())) {
                throw new Kept(Recheck.changed(swapSeen("folder " + f.id() + "/ is a mount point now (another mount than the prefix's); not crossed, kept")));
            }
        }
        return new Checked(at, mounts);
    }

    private String id(Path path) {
        String separator = path.getFileSystem().getSeparator();
        String relative = root.relativize(path).toString();
        return separator.equals("/") ? relative : relative.replace(separator, "/");
    }
}
