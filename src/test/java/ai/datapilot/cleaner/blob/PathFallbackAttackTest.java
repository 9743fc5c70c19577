package ai.datapilot.cleaner.blob;

import static ai.datapilot.cleaner.testing.StorageTree.old;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.datapilot.cleaner.blob.LocalStoreAttackTest.Seen;
import ai.datapilot.cleaner.store.Recheck;
import ai.datapilot.cleaner.store.ScannedItem;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Attacks on the path fallback (no folder handles) that its inherited tests do not make: the store
 * is forced onto it and driven directly. Every "outside" path is a folder this test made.
 */
class PathFallbackAttackTest extends PathFallbackFixture {

    /**
     * A file in the tree that is another name (hard link) of a file outside the root has that
     * file's identity: a job folder swapped for a link to the outside folder after the rename's
     * check, and back, and again (atomically, renameat2 RENAME_EXCHANGE, in a tight loop) makes
     * the outside name pass every identity check. It must never be removed.
     */
    @Test
    void anOutsideFilesOtherNameInTheTreeNeverLeadsToItsRemovalWhileTheFolderFlips() throws Exception {
        assumeFlipper();
        int names = 200;
        Path victims = Files.createDirectories(outside.resolve("victims"));
        Path job = Files.createDirectories(tree.path("uploads/job"));
        Outside tracked = new Outside(victims);
        for (int i = 0; i < names; i++) {
            Path victim = victims.resolve("v" + i + ".csv");
            Files.writeString(victim, "outside, keep");
            Files.setLastModifiedTime(victim, FileTime.from(old()));
            Files.createLink(job.resolve(victim.getFileName()), victim);
            tracked.add(victim);
        }
        // the other side of the exchange: a link to the outside folder, inside the root but outside the prefixes
        Path swap = Files.createSymbolicLink(tree.path("swap"), victims);
        Set<String> answers = new TreeSet<>();
        Set<String> removed = new TreeSet<>();
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        int rounds = 0;
        while (System.nanoTime() < until && removed.isEmpty()) {
            rounds++;
            LocalBlobStore store = store();
            Seen seen = LocalStoreAttackTest.walk(store);
            assertThat(seen.items).hasSizeGreaterThanOrEqualTo(names);
            deleteWhileFlipping(store, seen, job, swap, answers);
            assertThat(Files.isSymbolicLink(job)).as("the flipper left the job folder in place").isFalse();
            removed.addAll(tracked.removed());
            // the storage names deleted this round come back for the next
            for (String name : tracked.names.values()) {
                if (exists(victims.resolve(name)) && !exists(job.resolve(name))) {
                    Files.createLink(job.resolve(name), victims.resolve(name));
                }
            }
        }

        assertThat(removed).as("outside files removed after %d rounds (%d renamed and left, %d moved into the tree under a private name, put back by the test); answers: %s",
                rounds, tracked.renamedAndLeft, tracked.movedIn, answers).isEmpty();
    }

    @Test
    void aFileWithAnotherNameIsKeptAndSaysWhy() throws Exception {
        Path file = tree.file("uploads/job/a.csv", old());
        Path other = Files.createLink(outside.resolve("a.csv"), file);
        LocalBlobStore store = store();
        Seen seen = LocalStoreAttackTest.walk(store);

        Recheck answer = store.deleteIfUnchanged(seen.items.get(0), cutoff);

        assertThat(answer.state()).isEqualTo(Recheck.State.CHANGED);
        assertThat(answer.reason()).contains("had 2 names (hard links) when scanned", "kept");
        assertThat(file).exists();
        assertThat(other).exists();
        // the other name gone after the scan: still not in this run (the scan noted an identity an outside name shared)
        Files.delete(other);
        assertThat(store.deleteIfUnchanged(seen.items.get(0), cutoff).reason()).contains("had 2 names (hard links) when scanned");
        assertThat(file).exists();
        // the next run scans it with one name: an ordinary expired file
        seen = LocalStoreAttackTest.walk(store);
        assertThat(store.deleteIfUnchanged(seen.items.get(0), cutoff)).isEqualTo(Recheck.EXPIRED);
        assertThat(exists(file)).isFalse();
    }

    /**
     * The prefix folder flipped with a link to an outside folder while walks start: the walk may
     * begin at the link itself. Nothing found that way is deleted and nothing fails unexpectedly.
     */
    @Test
    void aPrefixFolderFlippedWithALinkWhileWalksStartNeverLeadsOut() throws Exception {
        assumeFlipper();
        Path victims = Files.createDirectories(outside.resolve("victims"));
        Path victim = victims.resolve("a.csv");
        Files.writeString(victim, "outside, keep");
        Files.setLastModifiedTime(victim, FileTime.from(old()));
        tree.file("uploads/a.csv", old());
        Path swap = Files.createSymbolicLink(tree.path("swap"), victims);
        assertThat(sh("touch -h -d '3 days ago' '" + swap + "'")).isZero();
        Path uploads = tree.path("uploads");
        Set<String> seenIds = new TreeSet<>();
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(6);
        while (System.nanoTime() < until) {
            LocalBlobStore store = store();
            Flipper flipper = Flipper.start(uploads, swap, tmp.resolve("stop"));
            Seen seen;
            try {
                seen = LocalStoreAttackTest.walk(store);
            } finally {
                flipper.halt();
            }
            for (ScannedItem item : seen.items) {
                seenIds.add(item.id());
                Recheck answer = store.deleteIfUnchanged(item, cutoff);
                if (answer.state() == Recheck.State.EXPIRED) {
                    tree.file("uploads/a.csv", old());
                }
            }
            assertThat(Files.readString(victim)).isEqualTo("outside, keep");
            assertThat(Files.isSymbolicLink(swap)).isTrue();
        }
        assertThat(seenIds).as("the walks saw").contains("uploads/a.csv");
    }

    /** The emptied-folder sweep while the job folder flips with a link to an outside folder holding a same-named empty folder. */
    @Test
    void theFolderSweepNeverRemovesAnOutsideFolderWhileTheJobFolderFlips() throws Exception {
        assumeFlipper();
        Path victims = Files.createDirectories(outside.resolve("victims"));
        Path job = Files.createDirectories(tree.path("uploads/job"));
        Path swap = Files.createSymbolicLink(tree.path("swap"), victims);
        List<String> subs = new ArrayList<>();
        Outside tracked = new Outside(victims);
        for (int i = 0; i < 50; i++) {
            subs.add("s" + i);
            tracked.add(Files.createDirectory(victims.resolve("s" + i)));
        }
        Set<String> answers = new TreeSet<>();
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(6);
        while (System.nanoTime() < until) {
            for (String sub : subs) {
                if (!exists(job.resolve(sub))) {
                    tree.file("uploads/job/" + sub + "/a.csv", old());
                }
            }
            LocalBlobStore store = store();
            Seen seen = LocalStoreAttackTest.walk(store);
            List<ScannedItem> deleted = new ArrayList<>();
            for (ScannedItem item : seen.items) {
                if (store.deleteIfUnchanged(item, cutoff) == Recheck.EXPIRED) {
                    deleted.add(item);
                }
            }
            Flipper flipper = Flipper.start(job, swap, tmp.resolve("stop"));
            try {
                store.removeEmptiedFolders(deleted, (id, why) -> answers.add(why.replaceAll("[0-9a-f]{16,}", "…")));
            } finally {
                flipper.halt();
            }
            assertThat(tracked.removed()).as("outside folders removed (%d renamed and left, %d moved into the tree under a private name, put back by the test); answers %s",
                    tracked.renamedAndLeft, tracked.movedIn, answers).isEmpty();
        }
    }

    /**
     * The storage root itself flipped with a link to an outside look-alike (same folders, same
     * names, other files) while items are deleted: no outside file is removed.
     *
     * <p>An outside file was lost this way when a file was put back by a rename, which replaces
     * what the swapped path leads to: files are now put back by a hard link only. For a longer
     * soak: {@code -Dtest='PathFallbackAttackTest#theRoot*' -DargLine=-DflipSeconds=300}.
     */
    @Test
    void theRootFlippedWithALinkToALookAlikeNeverLeadsADeleteOut() throws Exception {
        assumeFlipper();
        Path mirror = Files.createDirectories(outside.resolve("mirror/uploads/job"));
        Outside tracked = new Outside(mirror);
        for (int i = 0; i < 100; i++) {
            Path victim = mirror.resolve("v" + i + ".csv");
            Files.writeString(victim, "outside, keep");
            Files.setLastModifiedTime(victim, FileTime.from(old()));
            tracked.add(victim);
        }
        Path swap = Files.createSymbolicLink(tmp.resolve("swap-root"), outside.resolve("mirror"));
        Set<String> answers = new TreeSet<>();
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.getLong("flipSeconds", 6));
        while (System.nanoTime() < until) {
            for (String name : tracked.names.values()) {
                if (!exists(tree.path("uploads/job/" + name))) {
                    tree.file("uploads/job/" + name, old());
                }
            }
            LocalBlobStore store = store();
            Seen seen = LocalStoreAttackTest.walk(store);
            deleteWhileFlipping(store, seen, tree.root(), swap, answers);
            assertThat(tracked.removed()).as("outside files removed (%d renamed and left, %d moved into the tree under a private name "
                    + "(%d of them under more than one), put back by the test); answers %s",
                    tracked.renamedAndLeft, tracked.movedIn, tracked.movedInUnderMoreNames, answers).isEmpty();
        }
        assertThat(answers).as("some deletes went through").anyMatch(a -> a.startsWith("EXPIRED"));
    }

    /**
     * A file that changed right before its delete is put back under its name; an application
     * writing a new file under that name at that moment (after the name was found free, before the
     * put-back) must keep its new file. Random delays sweep the writer across the put-back.
     */
    @Test
    void aNewFileWrittenUnderTheNameWhileTheOldOneIsPutBackIsNeverOverwritten() throws Exception {
        Path job = Files.createDirectories(tree.path("uploads/job"));
        Path file = job.resolve("a.csv");
        Random random = new Random(7);
        ExecutorService writer = Executors.newSingleThreadExecutor();
        int trials = 0;
        int wroteFirst = 0;
        List<String> lost = new ArrayList<>();
        try {
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(8);
            while (System.nanoTime() < until && lost.isEmpty()) {
                trials++;
                try (Stream<Path> left = Files.list(job)) {
                    for (Path p : left.toList()) {
                        Files.delete(p);
                    }
                }
                tree.file("uploads/job/a.csv", old());
                LocalBlobStore store = store();
                Seen seen = LocalStoreAttackTest.walk(store);
                long delay = random.nextInt(400_000);
                List<Future<Boolean>> wrote = new ArrayList<>();
                store.seam = id -> {
                    // the file is written to right before its delete: it will be put back
                    Files.setLastModifiedTime(file, FileTime.from(Instant.now()));
                    long start = System.nanoTime();
                    wrote.add(writer.submit(() -> {
                        while (System.nanoTime() - start < delay) {
                            Thread.onSpinWait();
                        }
                        try {
                            Files.writeString(file, "new upload", StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                            return true;
                        } catch (FileAlreadyExistsException taken) {
                            return false;
                        }
                    }));
                };
                Recheck answer = store.deleteIfUnchanged(seen.items.get(0), cutoff);
                assertThat(answer.state()).isEqualTo(Recheck.State.CHANGED);
                if (wrote.get(0).get()) {
                    wroteFirst++;
                    if (!Files.readString(file).equals("new upload")) {
                        lost.add(answer.reason());
                    }
                }
            }
        } finally {
            writer.shutdownNow();
        }
        assertThat(wroteFirst).as("the writer got the name in some of %d trials", trials).isPositive();
        assertThat(lost).as("new files replaced by the old one put back, in %d trials", trials).isEmpty();
    }

    @Test
    void aFolderWrittenToRightBeforeItsRemovalIsKeptWithItsNewFile() throws Exception {
        tree.file("uploads/job/sub/old.csv", old());
        LocalBlobStore store = store();
        Seen seen = LocalStoreAttackTest.walk(store);
        assertThat(store.deleteIfUnchanged(seen.items.get(0), cutoff)).isEqualTo(Recheck.EXPIRED);
        Path fresh = tree.path("uploads/job/sub/fresh.csv");
        store.seam = id -> Files.writeString(fresh, "just uploaded");
        Map<String, String> kept = new HashMap<>();

        int removed = store.removeEmptiedFolders(seen.items, kept::put);

        assertThat(Files.readString(fresh)).isEqualTo("just uploaded");
        assertThat(removed).isZero();
        assertThat(kept.get("uploads/job/sub/")).contains("written to right before its removal", "put back");
    }

    @Test
    void aLinkChangedRightBeforeItsDeleteIsPutBackPointingWhereItDid() throws Exception {
        Path target = outside.resolve("target.csv");
        Files.writeString(target, "outside, keep");
        Path link = Files.createSymbolicLink(Files.createDirectories(tree.path("uploads/job")).resolve("l.csv"), target);
        assertThat(sh("touch -h -d '3 days ago' '" + link + "'")).isZero();
        LocalBlobStore store = store();
        Seen seen = LocalStoreAttackTest.walk(store);
        store.seam = id -> assertThat(sh("touch -h '" + link + "'")).isZero();

        Recheck answer = store.deleteIfUnchanged(seen.items.get(0), cutoff);

        assertThat(answer.state()).isEqualTo(Recheck.State.CHANGED);
        assertThat(answer.reason()).contains("put back (as a new link to the same place)");
        assertThat(Files.readSymbolicLink(link)).isEqualTo(target);
        assertThat(Files.readString(target)).isEqualTo("outside, keep");
        try (Stream<Path> left = Files.list(link.getParent())) {
            assertThat(left.toList()).containsExactly(link);
        }
    }

    /**
     * Private names (made beforehand by an attacker, left by a crash, or an outside item moved in by
     * a rename that a swapped folder split): never items, never entered, never deleted; reported.
     */
    @Test
    void privateNamesAreLeftAloneAndReported() throws Exception {
        Path target = outside.resolve("target.csv");
        Files.writeString(target, "outside, keep");
        Path job = Files.createDirectories(tree.path("uploads/job"));
        Path link = Files.createSymbolicLink(job.resolve(".datapilot-cleaner-deleting-0"), target);
        assertThat(sh("touch -h -d '3 days ago' '" + link + "'")).isZero();
        Path crashed = tree.file("uploads/job/.datapilot-cleaner-deleting-left-by-a-crash", old());
        Path movedIn = tree.file("uploads/job/.datapilot-cleaner-deleting-1/from-outside.csv", old());
        // an outside file moved in by two split renames in two runs: two private names, no other
        Path twice = tree.file("uploads/job/.datapilot-cleaner-deleting-2", old());
        Path twiceToo = Files.createLink(twice.resolveSibling(".datapilot-cleaner-deleting-3"), twice);
        tree.file("uploads/job/a.csv", old());
        LocalBlobStore store = store();
        Seen seen = LocalStoreAttackTest.walk(store);

        assertThat(seen.items).extracting(ScannedItem::id).containsExactly("uploads/job/a.csv");
        assertThat(seen.skipped).containsOnlyKeys("uploads/job/.datapilot-cleaner-deleting-0",
                "uploads/job/.datapilot-cleaner-deleting-left-by-a-crash", "uploads/job/.datapilot-cleaner-deleting-1/",
                "uploads/job/.datapilot-cleaner-deleting-2", "uploads/job/.datapilot-cleaner-deleting-3");
        assertThat(seen.skipped.values()).allMatch(why -> why.contains("never deleted, check it by hand"));
        assertThat(store.deleteIfUnchanged(seen.items.get(0), cutoff)).isEqualTo(Recheck.EXPIRED);
        assertThat(store.removeEmptiedFolders(seen.items)).isZero();
        assertThat(Files.readString(target)).isEqualTo("outside, keep");
        assertThat(exists(link)).isTrue();
        assertThat(crashed).exists();
        assertThat(movedIn).exists();
        assertThat(Files.isSameFile(twice, twiceToo)).isTrue();
    }

    /** An outside file bind-mounted over a file of the tree: the walk by path lists it, the re-check keeps it. */
    @Test
    void anOutsideFileBindMountedOverAFileInTheTreeIsNeverDeleted() throws Exception {
        Path victim = outside.resolve("victim.csv");
        Files.writeString(victim, "outside, keep");
        Files.setLastModifiedTime(victim, FileTime.from(old()));
        Path file = tree.file("uploads/job/a.csv", old());
        assumeTrue(sh("mount --bind '" + victim + "' '" + file + "'") == 0, "mount --bind is not permitted here");
        try {
            LocalBlobStore store = store();
            Seen seen = LocalStoreAttackTest.walk(store);
            for (ScannedItem item : seen.items) {
                Recheck answer = store.deleteIfUnchanged(item, cutoff);
                assertThat(answer.state()).isEqualTo(Recheck.State.CHANGED);
                assertThat(answer.reason()).contains("a mount point now");
            }
            assertThat(Files.readString(file)).isEqualTo("outside, keep");
        } finally {
            LocalDeleteRaceTest.unmount(file);
        }
        assertThat(Files.readString(victim)).isEqualTo("outside, keep");
    }

    /** Newlines, backslashes, and two names that differ only in Unicode normalisation (NFC, NFD): each is itself. */
    @Test
    void oddNamesAreDeletedAsThemselvesAndTheirLookAlikesStay() throws Exception {
        String nfc = "caf\u00e9.csv";
        String nfd = "cafe\u0301.csv";
        Path oldOne = tree.file("uploads/job/" + nfc, old());
        Path young = tree.file("uploads/job/" + nfd, LocalStoreAttackTest.young());
        Path newline = tree.file("uploads/job/a\nb\\c.csv", old());
        Path lookAlike = tree.file("uploads/job/a\nb\\c.csv\n", LocalStoreAttackTest.young());
        LocalBlobStore store = store();
        Seen seen = LocalStoreAttackTest.walk(store);

        for (ScannedItem item : seen.items) {
            store.deleteIfUnchanged(item, cutoff);
        }

        assertThat(exists(oldOne)).isFalse();
        assertThat(exists(newline)).isFalse();
        assertThat(young).exists();
        assertThat(lookAlike).exists();
    }

    /** A path that fits the platform's limit while the private name beside it does not: kept, an error of the delete. */
    @Test
    void aFileWhosePrivateNameWouldBeTooLongIsKeptAndAnError() throws Exception {
        Path dir = tree.path("uploads");
        StringBuilder built = new StringBuilder();
        // folders of 200 bytes up to just under PATH_MAX (4096, counting the final NUL)
        while (tree.root().toString().length() + built.length() + 8 + 201 < 4095 - 10) {
            built.append('/').append("d".repeat(200));
        }
        dir = Files.createDirectories(Path.of(dir + built.toString()));
        int room = 4095 - dir.toString().length() - 1;
        Path file = dir.resolve("f".repeat(Math.min(room, 20)));
        Files.writeString(file, "old");
        Files.setLastModifiedTime(file, FileTime.from(old()));
        try {
            LocalBlobStore store = store();
            Seen seen = LocalStoreAttackTest.walk(store);
            assertThat(seen.items).hasSize(1);

            assertThatThrownBy(() -> store.deleteIfUnchanged(seen.items.get(0), cutoff))
                    .isInstanceOf(FileSystemException.class).hasMessageContaining("File name too long");

            assertThat(exists(file)).isTrue();
        } finally {
            sh("rm -rf '" + tree.path("uploads") + "'");
        }
    }

    /** Files or folders the test made in an outside folder, known by identity. */
    private final class Outside {
        final Path dir;
        final Map<Object, String> names = new HashMap<>();
        int renamedAndLeft;
        int movedIn;
        int movedInUnderMoreNames;

        Outside(Path dir) {
            this.dir = dir;
        }

        void add(Path p) throws IOException {
            names.put(Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey(), p.getFileName().toString());
        }

        /** Where under the test's temp folder a file or folder with this identity is now. */
        private List<Path> whereIs(Object key) throws IOException {
            try (Stream<Path> all = Files.walk(tmp)) {
                return all.filter(p -> {
                    try {
                        return key.equals(Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey());
                    } catch (IOException e) {
                        return false;
                    }
                }).toList();
            }
        }

        /**
         * The names of those with no name left anywhere, or moved into the tree under an ordinary
         * name; those left under another name, or moved in under a private name, are put back and counted.
         */
        Set<String> removed() throws IOException {
            Set<Object> present = new HashSet<>();
            try (Stream<Path> listed = Files.list(dir)) {
                for (Path p : listed.toList()) {
                    Object key = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
                    present.add(key);
                    String name = names.get(key);
                    if (name != null && !p.getFileName().toString().equals(name)) {
                        renamedAndLeft++;
                        Files.move(p, dir.resolve(name));
                    }
                }
            }
            Set<String> removed = new TreeSet<>();
            for (Map.Entry<Object, String> e : names.entrySet()) {
                if (present.contains(e.getKey())) {
                    continue;
                }
                // a rename whose two paths a swapped folder led to different folders can move it into the tree:
                // only ever under a private name, which no walk takes as an item
                List<Path> now = whereIs(e.getKey());
                // more than one: a private name left from an earlier round (a put-back that could not drop it) and
                // the outside name moved in by a later split rename; every name private, none deleted (safety.md)
                Path inTree = tmp.resolve("storage");
                boolean privateOnly = !now.isEmpty() && now.stream().allMatch(p -> p.startsWith(inTree) && PathFallbackDeleter.isPrivateName(p.getFileName()));
                // or, in the documented race of a swap between the last check and the put-back, under its own name:
                // moved, not deleted; this test is about deletes
                if (privateOnly || now.size() == 1 && now.get(0).getFileName().toString().equals(e.getValue()) && !now.get(0).startsWith(dir)) {
                    movedIn++;
                    if (now.size() > 1) {
                        movedInUnderMoreNames++;
                    }
                    // back to one name: the others are further names of the same file, so removing them loses nothing
                    Files.move(now.get(0), dir.resolve(e.getValue()));
                    for (Path extra : now.subList(1, now.size())) {
                        Files.delete(extra);
                    }
                } else {
                    removed.add(e.getValue() + " (now " + now + ")");
                }
            }
            return removed;
        }
    }

    /** Deletes every item seen while {@code folder} and {@code link} are swapped over and over; the answers, private names folded. */
    private void deleteWhileFlipping(LocalBlobStore store, Seen seen, Path folder, Path link, Set<String> answers) throws Exception {
        // each delete's own checks under a sustained attack: the run's stop at the first swap seen is tested on its own
        store.paths.keepDeletingAfterASwap = true;
        Flipper flipper = Flipper.start(folder, link, tmp.resolve("stop"));
        try {
            for (ScannedItem item : seen.items) {
                try {
                    Recheck answer = store.deleteIfUnchanged(item, cutoff);
                    answers.add(answer.state() + " " + String.valueOf(answer.reason()).replaceAll("[0-9a-f]{16,}", "…"));
                } catch (IOException e) {
                    answers.add("error " + e.getClass().getSimpleName());
                }
            }
        } finally {
            flipper.halt();
        }
    }

    static void assumeFlipper() {
        assumeTrue(exchangeSyscall() > 0, "renameat2 number not known for this architecture");
        assumeTrue(sh("command -v perl >/dev/null") == 0, "perl is not installed");
    }

    /** The syscall number of renameat2 (0 where not known). */
    private static int exchangeSyscall() {
        return switch (System.getProperty("os.arch")) {
            case "amd64", "x86_64" -> 316;
            case "aarch64" -> 276;
            default -> 0;
        };
    }

    /**
     * Swaps two names atomically (renameat2 RENAME_EXCHANGE) over and over until told to stop,
     * then leaves them as they were: an attacker's tight loop, in a separate process.
     */
    record Flipper(Process process, Path stop) {
        static Flipper start(Path a, Path b, Path stop) throws IOException {
            String script = "my ($a, $b, $stop, $nr) = @ARGV; my $n = 0;"
                    + " while (1) { for (1..64) { syscall($nr, -100, $a, -100, $b, 2) == 0 or die \"renameat2: $!\"; $n++ }"
                    + " last if -e $stop }"
                    + " print $n;";
            Files.deleteIfExists(stop);
            Process p = new ProcessBuilder("perl", "-e", script, a.toString(), b.toString(), stop.toString(),
                    String.valueOf(exchangeSyscall())).redirectErrorStream(true).start();
            return new Flipper(p, stop);
        }

        void halt() throws Exception {
            Files.writeString(stop, "stop");
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(process.exitValue()).as(out).isZero();
        }
    }

    static boolean exists(Path p) {
        return Files.exists(p, LinkOption.NOFOLLOW_LINKS);
    }

    static int sh(String script) {
        return LocalDeleteRaceTest.sh(script);
    }
}
