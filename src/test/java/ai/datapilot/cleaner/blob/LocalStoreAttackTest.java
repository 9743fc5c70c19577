package ai.datapilot.cleaner.blob;

import static ai.datapilot.cleaner.testing.StorageTree.old;
import static ai.datapilot.cleaner.testing.StorageTree.recent;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.datapilot.cleaner.store.CleanerError;
import ai.datapilot.cleaner.store.Recheck;
import ai.datapilot.cleaner.store.ScanSink;
import ai.datapilot.cleaner.store.ScannedItem;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The local store driven directly (walk, re-check, delete), with the world changed by the test at
 * the worst moments. Every "outside" path is a folder this test made under its temp folder.
 */
class LocalStoreAttackTest extends StoreFixture {

    /** What a walk reported. */
    static final class Seen implements ScanSink {
        final List<ScannedItem> items = new ArrayList<>();
        final Map<String, String> skipped = new LinkedHashMap<>();
        final List<CleanerError> errors = new ArrayList<>();
        Consumer<ScannedItem> onScanned = item -> { };

        @Override
        public void scanned(ScannedItem item) {
            items.add(item);
            onScanned.accept(item);
        }

        @Override
        public void skipped(String id, String reason) {
            skipped.put(id, reason);
        }

        @Override
        public void failed(CleanerError error) {
            errors.add(error);
        }
    }

    static Seen walk(LocalBlobStore store) {
        Seen seen = new Seen();
        store.scan().drain(seen);
        return seen;
    }

    static Seen walk(LocalBlobStore store, Consumer<ScannedItem> onScanned) {
        Seen seen = new Seen();
        seen.onScanned = onScanned;
        store.scan().drain(seen);
        return seen;
    }

    private static Path oldFile(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
        Files.setLastModifiedTime(file, FileTime.from(old()));
        return file;
    }

    @Test
    void aRootFolderReplacedByALinkAfterTheStoreWasSetUpIsNotWalkedNorDeletedIn() throws Exception {
        tree.file("uploads/job/in.csv", old());
        Path victim = oldFile(outside.resolve("uploads/job/victim.csv"), "outside, keep");
        LocalBlobStore store = store();
        // the folder holding the root is writable by someone: the root's name now leads elsewhere
        Files.move(tree.root(), tmp.resolve("storage-held"), StandardCopyOption.ATOMIC_MOVE);
        Files.createSymbolicLink(tree.root(), outside);

        Seen seen = walk(store);
        for (ScannedItem item : seen.items) {
            store.deleteIfUnchanged(item, cutoff);
        }

        assertThat(victim).exists();
        assertThat(seen.items).isEmpty();
        assertThat(seen.errors).extracting(CleanerError::toString).anyMatch(e -> e.contains("storage root"));
    }

    @Test
    void aRootFolderReplacedBetweenTheWalkAndTheDeleteKeepsTheItems() throws Exception {
        tree.file("uploads/job/in.csv", old());
        Path victim = oldFile(outside.resolve("uploads/job/in.csv"), "outside, keep");
        LocalBlobStore store = store();
        Seen seen = walk(store);
        assertThat(seen.items).hasSize(1);
        // the same prefix folder moved under the look-alike: only the root differs
        Path held = tmp.resolve("storage-held");
        Files.move(tree.root(), held, StandardCopyOption.ATOMIC_MOVE);
        Files.createSymbolicLink(tree.root(), outside);

        Recheck answer = store.deleteIfUnchanged(seen.items.get(0), cutoff);

        assertThat(victim).exists();
        assertThat(held.resolve("uploads/job/in.csv")).exists();
        assertThat(answer.state()).isEqualTo(Recheck.State.CHANGED);
    }

    @Test
    void aBindMountCrossedByTheWalkAndHiddenOnlyWhileTheMountTableIsReadIsNotDeletedThrough() throws Exception {
        crossedMounts(false);
    }

    /** The same with the items deleted as one chunk: the table is read once, with every item's folder held open. */
    @Test
    void aBindMountCrossedByTheWalkIsNotDeletedThroughByAChunk() throws Exception {
        crossedMounts(true);
    }

    private void crossedMounts(boolean asOneChunk) throws Exception {
        int jobs = 20;
        Path victim = Files.createDirectories(outside.resolve("bound"));
        oldFile(victim.resolve("x.csv"), "outside, keep");
        oldFile(victim.resolve("only-outside.csv"), "outside, keep");
        List<Path> jobFolders = new ArrayList<>();
        // one job with many sub-folders: a job folder's own tree is walked in order, one folder at a time
        for (int k = 0; k < jobs; k++) {
            tree.file("uploads/job/sub" + k + "/x.csv", old());
            jobFolders.add(tree.path("uploads/job/sub" + k));
        }
        assumeBindMounts();
        LocalBlobStore store = store();
        try {
            // the mount appears once the walk has read the mount table and is under way
            Seen seen = walk(store, item -> {
                if (!isMountPoint(jobFolders.get(0)) && !isMountPoint(jobFolders.get(1))) {
                    for (Path job : jobFolders) {
                        if (!item.id().startsWith("uploads/job/" + job.getFileName() + "/")) {
                            mount(victim, job);
                        }
                    }
                }
            });
            List<ScannedItem> crossed = seen.items.stream().filter(i -> i.id().endsWith("/only-outside.csv")).toList();
            assumeTrue(!crossed.isEmpty(), "the walk reached every job folder before the first file; nothing crossed");
            unmountAll(jobFolders);
            Map<String, Recheck> answers = new LinkedHashMap<>();
            if (asOneChunk) {
                for (ScannedItem item : crossed) {
                    mount(victim, jobFolders.get(0).resolveSibling(item.id().split("/")[2]));
                }
                List<Recheck> all = store.deleteAllIfUnchanged(seen.items, cutoff);
                for (int i = 0; i < all.size(); i++) {
                    answers.put(seen.items.get(i).id(), all.get(i));
                }
            } else {
                // the first re-check reads the mount table: no mount now
                ScannedItem inside = seen.items.stream().filter(i -> !isUnder(i, crossed)).findFirst().orElseThrow();
                store.deleteIfUnchanged(inside, cutoff);
                // and the mounts are back for the deletes that follow
                for (ScannedItem item : crossed) {
                    mount(victim, jobFolders.get(0).resolveSibling(item.id().split("/")[2]));
                }
                for (ScannedItem item : seen.items) {
                    if (item != inside) {
                        answers.put(item.id(), store.deleteIfUnchanged(item, cutoff));
                    }
                }
            }
            for (ScannedItem item : crossed) {
                assertThat(answers.get(item.id()).state()).as(item.id()).isEqualTo(Recheck.State.CHANGED);
                assertThat(answers.get(item.id()).reason()).as(item.id()).contains("is a mount point now");
            }

            assertThat(victim.resolve("only-outside.csv")).as("a file outside the root, reached through a bind mount").exists();
            assertThat(victim.resolve("x.csv")).as("a file outside the root, reached through a bind mount").exists();
        } finally {
            unmountAll(jobFolders);
        }
    }

    @Test
    void aFileRewrittenByAnAtomicRenameBetweenTheReCheckAndTheDeleteIsKept() throws Exception {
        Path file = tree.file("uploads/job/result.json", old());
        LocalBlobStore store = store();
        Seen seen = walk(store);
        // the application rewrites its result the usual way (write aside, rename over) at that moment
        store.seam = id -> {
            Path fresh = tree.file("uploads/job/.result.json.tmp", young());
            Files.writeString(fresh, "fresh result");
            Files.move(fresh, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        };

        Recheck answer = store.deleteIfUnchanged(seen.items.get(0), cutoff);

        assertThat(file).exists();
        assertThat(Files.readString(file)).isEqualTo("fresh result");
        assertThat(answer.state()).isEqualTo(Recheck.State.CHANGED);
        assertThat(listing(tree.path("uploads/job"))).containsExactly("result.json");
    }

    @Test
    void aFileReplacedByAHardLinkToAnOutsideFileBetweenTheReCheckAndTheDeleteIsKept() throws Exception {
        Path file = tree.file("uploads/job/a.csv", old());
        Path victim = oldFile(outside.resolve("victim.csv"), "outside, keep");
        LocalBlobStore store = store();
        Seen seen = walk(store);
        store.seam = id -> {
            Files.delete(file);
            Files.createLink(file, victim);
        };

        Recheck answer = store.deleteIfUnchanged(seen.items.get(0), cutoff);

        assertThat(Files.readString(victim)).isEqualTo("outside, keep");
        assertThat(answer.state()).isEqualTo(Recheck.State.CHANGED);
        // the name the application made is left as it made it
        assertThat(Files.isSameFile(file, victim)).isTrue();
    }

    @Test
    void aFileWrittenToInPlaceBetweenTheReCheckAndTheDeleteIsKept() throws Exception {
        Path file = tree.file("uploads/job/log.txt", old());
        LocalBlobStore store = store();
        Seen seen = walk(store);
        store.seam = id -> Files.writeString(file, "appended just now");

        Recheck answer = store.deleteIfUnchanged(seen.items.get(0), cutoff);

        assertThat(file).exists();
        assertThat(answer.state()).isEqualTo(Recheck.State.CHANGED);
        assertThat(listing(tree.path("uploads/job"))).containsExactly("log.txt");
    }

    @Test
    void aFifoPutInPlaceOfAFileBeforeTheReCheckIsKept() throws Exception {
        Path file = tree.file("uploads/job/a.csv", old());
        LocalBlobStore store = store();
        Seen seen = walk(store);
        Files.delete(file);
        assertThat(sh("mkfifo '" + file + "' && touch -d '3 days ago' '" + file + "'")).isZero();

        Recheck answer = store.deleteIfUnchanged(seen.items.get(0), cutoff);

        assertThat(exists(file)).isTrue();
        assertThat(answer.state()).isEqualTo(Recheck.State.CHANGED);
    }

    @Test
    void aCheckedFileIsStillDeletedAndNothingIsLeftBeside() throws Exception {
        tree.file("uploads/job/a.csv", old());
        Path link = tree.path("uploads/job/l.csv");
        Path target = oldFile(outside.resolve("target.csv"), "outside, keep");
        Files.createSymbolicLink(link, target);
        assertThat(sh("touch -h -d '3 days ago' '" + link + "'")).isZero();
        tree.file("uploads/job/new.csv", young());
        LocalBlobStore store = store();
        Seen seen = walk(store);
        assertThat(seen.items).hasSize(3);

        for (ScannedItem item : seen.items) {
            Recheck answer = store.deleteIfUnchanged(item, cutoff);
            assertThat(answer.state()).as(item.id()).isEqualTo(item.id().endsWith("new.csv") ? Recheck.State.CHANGED : Recheck.State.EXPIRED);
        }

        assertThat(listing(tree.path("uploads/job"))).containsExactly("new.csv");
        assertThat(Files.readString(target)).isEqualTo("outside, keep");
    }

    @Test
    void aTreeFourThousandFoldersDeepIsWalkedAndCleaned() throws Exception {
        // deeper than PATH_MAX, so built from the bottom up, wrapping the chain one folder at a time
        Path chain = Files.createDirectory(tmp.resolve("chain"));
        oldFile(chain.resolve("f.csv"), "old");
        for (int i = 1; i < 4000; i++) {
            Path wrapper = Files.createDirectory(tmp.resolve("wrapper"));
            Files.move(chain, wrapper.resolve("d"));
            Files.move(wrapper, chain);
        }
        Files.createDirectories(tree.path("uploads"));
        Files.move(chain, tree.path("uploads/d"));
        tree.file("results/job/old.csv", old());
        Path victim = oldFile(outside.resolve("d/f.csv"), "outside, keep");
        try {
            LocalBlobStore store = store();
            // two prefixes: each walked on a pool thread, whose stack a recursive walk overflowed
            Seen seen = walk(store);

            assertThat(seen.errors).isEmpty();
            assertThat(seen.items).hasSize(2);
            for (ScannedItem item : seen.items) {
                assertThat(store.deleteIfUnchanged(item, cutoff)).as(item.id()).isEqualTo(Recheck.EXPIRED);
            }
            assertThat(tree.exists("results/job/old.csv")).isFalse();
            assertThat(victim).exists();
            // the sweep re-opens every folder from the root (depth squared); measured: ~50 s for 4000
        } finally {
            sh("rm -rf '" + tree.path("uploads") + "'");
        }
    }

    @Test
    void bindMountsOnFoldersWhoseNamesTheMountTableEscapesAreNotCrossed() throws Exception {
        Path victim = Files.createDirectories(outside.resolve("bound"));
        oldFile(victim.resolve("a.csv"), "outside, keep");
        // the kernel writes these as \011, \012, \134, \040 in the mount table; the last two are look-alikes
        List<String> names = List.of("tab\tx", "new\nline", "back\\134slash", "sp ace", "\\040");
        List<Path> points = new ArrayList<>();
        for (String name : names) {
            points.add(Files.createDirectories(tree.path("uploads/" + name)));
        }
        tree.file("uploads/plain/old.csv", old());
        assumeBindMounts();
        try {
            for (Path point : points) {
                mount(victim, point);
            }
            LocalBlobStore store = store();
            Seen seen = walk(store);

            assertThat(seen.items).extracting(ScannedItem::id).containsExactly("uploads/plain/old.csv");
            for (Path point : points) {
                assertThat(seen.skipped).containsKey("uploads/" + point.getFileName() + "/");
            }
        } finally {
            unmountAll(points);
        }
    }

    @Test
    void withoutFolderHandlesNorFileIdentitiesEveryItemIsKeptAndNoFolderIsRemoved() throws Exception {
        // a zip file system: no SecureDirectoryStream, no file keys, no creation times it vouches for
        Path zip = tmp.resolve("store.zip");
        try (var fs = java.nio.file.FileSystems.newFileSystem(zip, Map.of("create", "true"))) {
            Path root = fs.getPath("/store");
            Path file = root.resolve("uploads/job/a.csv");
            Files.createDirectories(file.getParent());
            Files.writeString(file, "old");
            Files.setLastModifiedTime(file, FileTime.from(old()));
            LocalBlobStore store = new LocalBlobStore(root, List.of("uploads"));

            Seen seen = walk(store);
            assertThat(seen.items).extracting(ScannedItem::id).containsExactly("uploads/job/a.csv");
            Recheck answer = store.deleteIfUnchanged(seen.items.get(0), cutoff);

            assertThat(answer.state()).isEqualTo(Recheck.State.CHANGED);
            assertThat(answer.reason()).contains("cannot be told apart from a replacement");
            assertThat(file).exists();
            assertThat(store.removeEmptiedFolders(seen.items)).isZero();
            assertThat(file.getParent()).isDirectory();
        }
    }

    private static List<String> listing(Path dir) throws IOException {
        try (var names = Files.list(dir)) {
            return names.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static boolean isUnder(ScannedItem item, List<ScannedItem> crossed) {
        String folder = item.id().substring(0, item.id().lastIndexOf('/') + 1);
        return crossed.stream().anyMatch(c -> c.id().startsWith(folder));
    }

    private void mount(Path from, Path onto) {
        if (sh("mount --bind '" + from + "' '" + onto + "'") != 0) {
            throw new IllegalStateException("mount --bind " + from + " " + onto + " failed");
        }
    }

    private static void unmountAll(List<Path> folders) throws Exception {
        for (Path f : folders) {
            while (isMountPoint(f)) {
                LocalDeleteRaceTest.unmount(f);
            }
        }
    }

    private static boolean isMountPoint(Path where) {
        try {
            return LocalDeleteRaceTest.isMountPoint(where);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void assumeBindMounts() throws Exception {
        Path from = Files.createDirectories(tmp.resolve("probe-from"));
        Path to = Files.createDirectories(tmp.resolve("probe-to"));
        boolean permitted = sh("mount --bind '" + from + "' '" + to + "'") == 0;
        if (permitted) {
            LocalDeleteRaceTest.unmount(to);
        }
        assumeTrue(permitted, "mount --bind is not permitted here (needs root or CAP_SYS_ADMIN)");
    }

    static int sh(String script) {
        return LocalDeleteRaceTest.sh(script);
    }

    static boolean exists(Path p) {
        return Files.exists(p, LinkOption.NOFOLLOW_LINKS);
    }

    static Instant young() {
        return recent();
    }
}
