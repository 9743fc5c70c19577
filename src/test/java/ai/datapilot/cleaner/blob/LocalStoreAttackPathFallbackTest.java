package ai.datapilot.cleaner.blob;

import static ai.datapilot.cleaner.testing.StorageTree.old;
import static org.assertj.core.api.Assertions.assertThat;

import ai.datapilot.cleaner.store.Recheck;
import ai.datapilot.cleaner.store.ScannedItem;
import java.nio.file.Files;
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
