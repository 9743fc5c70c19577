package ai.datapilot.cleaner.blob;

import static ai.datapilot.cleaner.testing.StorageTree.old;
import static org.assertj.core.api.Assertions.assertThat;

import ai.datapilot.cleaner.store.Recheck;
import ai.datapilot.cleaner.testing.StorageTree;
import ai.datapilot.cleaner.store.ScannedItem;
import java.nio.file.Files;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.LinkOption;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.stream.Stream;
import java.nio.file.Path;
import java.nio.file.attribute.DosFileAttributes;
import java.nio.file.attribute.FileTime;
import org.junit.jupiter.api.Test;

/**
 * {@link LocalStoreAttackTest}'s attacks again, with the store forced onto the path fallback of
 * platforms without folder handles (Windows): same walk, same attacks, same expectations, except
 * where said below. Every "outside" path is a folder the test made.
 */
class LocalStoreAttackPathFallbackTest extends LocalStoreAttackTest {

    @Override
    LocalBlobStore store() {
        LocalBlobStore store = super.store();
        store.forcePathFallback = true;
        return store;
    }

    /** By path, a name longer than the platform's limit (PATH_MAX) cannot be reached: reported, the rest cleaned. */
    @Override
    @Test
    void aTreeFourThousandFoldersDeepIsWalkedAndCleaned() throws Exception {
        Path chain = Files.createDirectory(tmp.resolve("chain"));
        Files.writeString(chain.resolve("f.csv"), "old");
        Files.setLastModifiedTime(chain.resolve("f.csv"), FileTime.from(old()));
        for (int i = 1; i < 4000; i++) {
            Path wrapper = Files.createDirectory(tmp.resolve("wrapper"));
            Files.move(chain, wrapper.resolve("d"));
            Files.move(wrapper, chain);
        }
        Files.createDirectories(tree.path("uploads"));
        Files.move(chain, tree.path("uploads/d"));
        tree.file("results/job/old.csv", old());
        try {
            LocalBlobStore store = store();
            Seen seen = walk(store);

            assertThat(seen.errors).isNotEmpty().allMatch(e -> e.toString().contains("File name too long"));
            assertThat(seen.items).extracting(ScannedItem::id).containsExactly("results/job/old.csv");
            assertThat(store.deleteIfUnchanged(seen.items.get(0), cutoff)).isEqualTo(Recheck.EXPIRED);
            assertThat(tree.exists("results/job/old.csv")).isFalse();
        } finally {
            sh("rm -rf '" + tree.path("uploads") + "'");
        }
    }

    /**
     * By path, the rename right before the delete takes the new file, which is then put back by a
     * hard link; its private name stays beside it as a second name (removed only when it holds the
     * file the scan saw), and the audit says so.
     */
    @Override
    @Test
    void aFileRewrittenByAnAtomicRenameBetweenTheReCheckAndTheDeleteIsKept() throws Exception {
        Path file = tree.file("uploads/job/result.json", old());
        LocalBlobStore store = store();
        Seen seen = walk(store);
        store.seam = id -> {
            Path fresh = tree.file("uploads/job/.result.json.tmp", young());
            Files.writeString(fresh, "fresh result");
            Files.move(fresh, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        };

        Recheck answer = store.deleteIfUnchanged(seen.items.get(0), cutoff);

        assertThat(Files.readString(file)).isEqualTo("fresh result");
        assertThat(answer.state()).isEqualTo(Recheck.State.CHANGED);
        assertThat(answer.reason()).contains("put back and kept", "is left");
        try (Stream<Path> names = Files.list(tree.path("uploads/job"))) {
            List<Path> all = names.toList();
            assertThat(all).hasSize(2).anyMatch(p -> p.getFileName().toString().equals("result.json"));
            for (Path p : all) {
                assertThat(Files.isSameFile(p, file)).as("%s is the new file", p).isTrue();
            }
        }
        // the next walk lists the private name as never deleted, and keeps the new file's two names
        Seen next = walk(store);
        assertThat(next.skipped.keySet()).anyMatch(s -> s.contains(".datapilot-cleaner-deleting-"));
    }

    /**
     * By path, a folder swapped for a link is a sign of a swapping attacker: after the first one,
     * the run deletes nothing more, in any folder; the next run (a new scan) deletes again.
     */
    @Test
    void afterTheFirstSwapSeenTheRunDeletesNothingMoreAndTheNextRunDoes() throws Exception {
        tree.file("uploads/job_a/a.csv", old());
        tree.file("uploads/job_b/b.csv", old());
        Path lookAlike = Files.createDirectories(outside.resolve("job_a"));
        Files.writeString(lookAlike.resolve("a.csv"), "outside, keep");
        Files.setLastModifiedTime(lookAlike.resolve("a.csv"), FileTime.from(old()));
        LocalBlobStore store = store();
        Seen seen = walk(store);
        ScannedItem a = seen.items.stream().filter(i -> i.id().equals("uploads/job_a/a.csv")).findFirst().orElseThrow();
        ScannedItem b = seen.items.stream().filter(i -> i.id().equals("uploads/job_b/b.csv")).findFirst().orElseThrow();
        Path job = tree.path("uploads/job_a");
        Files.move(job, tmp.resolve("held"));
        Files.createSymbolicLink(job, lookAlike);

        Recheck first = store.deleteIfUnchanged(a, cutoff);
        Recheck second = store.deleteIfUnchanged(b, cutoff);

        assertThat(first.reason()).isEqualTo("folder uploads/job_a was replaced by a link after the scan; kept");
        assertThat(second.state()).isEqualTo(Recheck.State.CHANGED);
        assertThat(second.reason()).isEqualTo("not deleted: a folder on the way was swapped earlier in this run (folder uploads/job_a "
                + "was replaced by a link after the scan); without folder handles nothing more is deleted in this run; kept");
        assertThat(tree.exists("uploads/job_b/b.csv")).isTrue();
        assertThat(Files.readString(lookAlike.resolve("a.csv"))).isEqualTo("outside, keep");

        Files.delete(job);
        Files.move(tmp.resolve("held"), job);
        Seen next = walk(store);
        for (ScannedItem item : next.items) {
            assertThat(store.deleteIfUnchanged(item, cutoff)).isEqualTo(Recheck.EXPIRED);
        }
        assertThat(tree.exists("uploads/job_a/a.csv")).isFalse();
        assertThat(tree.exists("uploads/job_b/b.csv")).isFalse();
        assertThat(Files.readString(lookAlike.resolve("a.csv"))).isEqualTo("outside, keep");
    }

    /**
     * By path, whoever can write the folder above the root can swap the root for a link: below a
     * folder other accounts can write (no sticky bit), the prefixes are not scanned, an error that
     * names the folder and the fix; with the sticky bit (as /tmp) others cannot rename the root.
     */
    @Test
    void aStorageRootBelowAFolderOtherAccountsCanWriteIsNotScannedByPath() throws Exception {
        Path open = Files.createDirectory(tmp.resolve("open"));
        StorageTree below = new StorageTree(Files.createDirectory(open.resolve("storage")));
        below.file("uploads/job/a.csv", old());
        LocalBlobStore store = new LocalBlobStore(below.root(), List.of("uploads", "results"));
        store.forcePathFallback = true;
        assertThat(sh("chmod 0777 '" + open + "'")).isZero();

        Seen seen = walk(store);

        assertThat(seen.items).isEmpty();
        assertThat(seen.errors).isNotEmpty().allMatch(e -> e.message().startsWith("the folder " + open + " above the storage root "
                + below.root() + " is writable by other accounts (mode 0777)") && e.message().contains("chmod go-w " + open)
                && e.message().endsWith("; prefix not scanned"));

        assertThat(sh("chmod 1777 '" + open + "'")).isZero();
        assertThat(walk(store).items).extracting(ScannedItem::id).containsExactly("uploads/job/a.csv");
        assertThat(sh("chmod 0755 '" + open + "'")).isZero();
        assertThat(walk(store).errors).isEmpty();
    }

    /**
     * The walk looks at an expired file's folder again: a folder removed meanwhile (an application
     * deleting a job) keeps nothing else from being deleted; a folder become a link ends the run's deletes.
     */
    @Test
    void aFolderRemovedWhileTheWalkReadsItIsNoSwapAndAFolderBecomeALinkIs() throws Exception {
        Path a = tree.file("uploads/job_a/a.csv", old());
        Path b = tree.file("uploads/job_b/b.csv", old());
        tree.file("uploads/job_c/c.csv", old());
        tree.file("uploads/job_d/d.csv", old());
        LocalBlobStore store = store();
        Seen seen = walk(store);
        BasicFileAttributes aAttrs = Files.readAttributes(a, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        Object aFolder = store.paths.identity(Files.readAttributes(a.getParent(), BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS), true);
        BasicFileAttributes bAttrs = Files.readAttributes(b, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        Object bFolder = store.paths.identity(Files.readAttributes(b.getParent(), BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS), true);
        ScannedItem c = seen.items.stream().filter(i -> i.id().equals("uploads/job_c/c.csv")).findFirst().orElseThrow();
        ScannedItem d = seen.items.stream().filter(i -> i.id().equals("uploads/job_d/d.csv")).findFirst().orElseThrow();

        assertThat(sh("rm -r '" + a.getParent() + "'")).isZero();
        assertThat(store.paths.scannedIdentity(a, aAttrs, aFolder)).isInstanceOf(PathFallbackDeleter.SharedAtScan.class);
        assertThat(store.deleteIfUnchanged(c, cutoff)).isEqualTo(Recheck.EXPIRED);
        Path lookAlike = Files.createDirectories(outside.resolve("job_b"));
        Files.move(b.getParent(), tmp.resolve("held"));
        Files.createSymbolicLink(b.getParent(), lookAlike);
        assertThat(store.paths.scannedIdentity(b, bAttrs, bFolder)).isInstanceOf(PathFallbackDeleter.SharedAtScan.class);

        Recheck answer = store.deleteIfUnchanged(d, cutoff);
        assertThat(answer.reason()).startsWith("not deleted: a folder on the way was swapped earlier in this run (folder uploads/job_b "
                + "was swapped while the scan read it");
        assertThat(tree.exists("uploads/job_d/d.csv")).isTrue();
    }

    @Test
    void whereNoIdentityCanBeEstablishedEveryItemIsKeptAndSaysWhy() throws Exception {
        Path file = tree.file("uploads/job/a.csv", old());
        LocalBlobStore store = store();
        // as on a file system with neither file keys nor creation times the platform vouches for
        store.paths.withoutFileKeys = true;
        Seen seen = walk(store);
        assertThat(seen.items).hasSize(1);

        Recheck answer = store.deleteIfUnchanged(seen.items.get(0), cutoff);

        assertThat(answer.state()).isEqualTo(Recheck.State.CHANGED);
        assertThat(answer.reason()).contains("cannot be told apart from a replacement");
        assertThat(file).exists();
        assertThat(store.removeEmptiedFolders(seen.items)).isZero();
    }

    @Test
    void onWindowsTheCreationTimeStandsInForTheMissingFileKey() {
        PathFallbackDeleter paths = new PathFallbackDeleter(tree.root());
        FileTime created = FileTime.fromMillis(1_700_000_000_000L);
        FileTime modified = FileTime.fromMillis(1_700_000_500_000L);
        // Windows' attributes: DOS attributes, no file key (a real NTFS file cannot be made here)
        Object file = paths.identity(windows(created, 10, modified), false);
        Object folder = paths.identity(windows(created, 0, modified), true);

        assertThat(file).isEqualTo(paths.identity(windows(created, 10, modified), false))
                .isNotEqualTo(paths.identity(windows(created, 11, modified), false))
                .isNotEqualTo(paths.identity(windows(FileTime.fromMillis(1_700_000_000_001L), 10, modified), false))
                .isNotEqualTo(paths.identity(windows(created, 10, FileTime.fromMillis(1_700_000_600_000L)), false));
        // a folder's mtime and size change as its entries go: the same folder still
        assertThat(folder).isEqualTo(paths.identity(windows(created, 4096, FileTime.fromMillis(1_700_000_900_000L)), true));
        // a creation time at the epoch is no creation time
        assertThat(paths.identity(windows(FileTime.fromMillis(0), 10, modified), false)).isNull();
    }

    private static DosFileAttributes windows(FileTime created, long size, FileTime modified) {
        return new DosFileAttributes() {
            @Override public boolean isReadOnly() { return false; }
            @Override public boolean isHidden() { return false; }
            @Override public boolean isArchive() { return false; }
            @Override public boolean isSystem() { return false; }
            @Override public FileTime lastModifiedTime() { return modified; }
            @Override public FileTime lastAccessTime() { return modified; }
            @Override public FileTime creationTime() { return created; }
            @Override public boolean isRegularFile() { return true; }
            @Override public boolean isDirectory() { return false; }
            @Override public boolean isSymbolicLink() { return false; }
            @Override public boolean isOther() { return false; }
            @Override public long size() { return size; }
            @Override public Object fileKey() { return null; }
        };
    }
}
