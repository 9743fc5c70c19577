package ai.datapilot.cleaner.blob;

import static ai.datapilot.cleaner.testing.StorageTree.old;
import static org.assertj.core.api.Assertions.assertThat;

import ai.datapilot.cleaner.blob.LocalStoreAttackTest.Seen;
import ai.datapilot.cleaner.blob.PathFallbackAttackTest.Flipper;
import ai.datapilot.cleaner.store.Recheck;
import ai.datapilot.cleaner.store.ScannedItem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * More attacks on the path fallback: an outside file's identity laundered into the scan (a hard
 * link whose name in the tree is then removed, or a walk led out by a folder flipped while it
 * runs), and swaps that the run's stop-at-first-swap must see. Every "outside" path is a folder
 * this test made.
 */
class PathFallbackAttack2Test extends PathFallbackFixture {

    /** Each delete's own checks under a sustained attack (the run's stop at the first swap off); {@code -Dstress=false}: as in production. */
    static final boolean STRESS = !"false".equals(System.getProperty("stress"));

    static long seconds(long otherwise) {
        return Long.getLong("flipSeconds", otherwise);
    }

    /**
     * A folder on the way replaced by another plain folder (not a link) after the scan: by path, its
     * own folders may be links out of the tree, so it ends the run's deletes as a link would.
     */
    @Test
    void aFolderOnTheWayReplacedByAnotherPlainFolderEndsTheRunsDeletes() throws Exception {
        tree.file("uploads/a/x.csv", old());
        Path second = tree.file("uploads/b/y.csv", old());
        LocalBlobStore store = store();
        Seen seen = LocalStoreAttackTest.walk(store);
        seen.items.sort(java.util.Comparator.comparing(ScannedItem::id));
        assertThat(seen.items).extracting(ScannedItem::id).containsExactly("uploads/a/x.csv", "uploads/b/y.csv");
        Path held = Files.move(tree.path("uploads/a"), tree.path("held"));
        Files.createDirectory(tree.path("uploads/a"));

        Recheck first = store.deleteIfUnchanged(seen.items.get(0), cutoff);
        Files.delete(tree.path("uploads/a"));
        Files.move(held, tree.path("uploads/a"));
        Recheck then = store.deleteIfUnchanged(seen.items.get(1), cutoff);

        assertThat(first.reason()).contains("is not the folder the scan saw");
        assertThat(then.state()).isEqualTo(Recheck.State.CHANGED);
        assertThat(then.reason()).contains("swapped earlier in this run", "is not the folder the scan saw");
        assertThat(second).exists();
        // the next run starts afresh
        seen = LocalStoreAttackTest.walk(store);
        for (ScannedItem item : seen.items) {
            assertThat(store.deleteIfUnchanged(item, cutoff)).isEqualTo(Recheck.EXPIRED);
        }
        assertThat(PathFallbackAttackTest.exists(second)).isFalse();
    }

    /**
     * The attacker links outside files into the job folder (hard links they may make), lets the
     * scan see them, then removes those names: the scanned identity is now an outside file's, with
     * one name (outside). Deletes while the job folder flips with a link to the outside folder:
     * no outside file may lose its name there.
     */
    @Test
    void anOutsideFileLinkedInForTheScanAndUnlinkedBeforeTheDeleteKeepsItsName() throws Exception {
        PathFallbackAttackTest.assumeFlipper();
        Path victims = Files.createDirectories(outside.resolve("victims"));
        Path job = Files.createDirectories(tree.path("uploads/job"));
        Victims tracked = new Victims(victims, 100);
        Path swap = Files.createSymbolicLink(tree.path("swap"), victims);
        Set<String> answers = new TreeSet<>();
        Set<String> lost = new TreeSet<>();
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds(10));
        int rounds = 0;
        while (System.nanoTime() < until && lost.isEmpty()) {
            rounds++;
            for (String name : tracked.names.values()) {
                Files.deleteIfExists(job.resolve(name));
                Files.createLink(job.resolve(name), victims.resolve(name));
            }
            LocalBlobStore store = store();
            Seen seen = LocalStoreAttackTest.walk(store);
            for (String name : tracked.names.values()) {
                Files.delete(job.resolve(name));
            }
            deleteWhileFlipping(store, seen.items, job, swap, answers);
            lost.addAll(tracked.lost());
        }
        System.out.printf("linked-in: %d rounds, %d moved in under a private name, lost %s%n", rounds, tracked.movedInPrivate, lost);
        assertThat(lost).as("outside files that lost their name outside, after %d rounds (%d moved into the tree under a private name); answers %s",
                rounds, tracked.movedInPrivate, answers).isEmpty();
    }

    /**
     * The job folder flips with a link to an outside folder of same-named expired files while the
     * walk runs and while the deletes run: a walk by path can note an outside file's identity under
     * a name of the tree. No outside file may lose its name there, with the run's stop at the first
     * swap on: a walk under a flipping folder sees the swap and the run deletes nothing more.
     */
    @Test
    void aWalkLedOutByAFlippingFolderNeverCostsAnOutsideFile() throws Exception {
        PathFallbackAttackTest.assumeFlipper();
        Path victims = Files.createDirectories(outside.resolve("victims"));
        Path job = Files.createDirectories(tree.path("uploads/job"));
        Victims tracked = new Victims(victims, 100);
        Path swap = Files.createSymbolicLink(tree.path("swap"), victims);
        Set<String> answers = new TreeSet<>();
        Set<String> lost = new TreeSet<>();
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds(10));
        int rounds = 0;
        int outsideIdentities = 0;
        while (System.nanoTime() < until && lost.isEmpty()) {
            rounds++;
            for (String name : tracked.names.values()) {
                if (!PathFallbackAttackTest.exists(job.resolve(name))) {
                    tree.file("uploads/job/" + name, old());
                }
            }
            LocalBlobStore store = store();
            // the run's stop on, as shipped: with it off, each led-out item faces only its own looks, and one outside
            // file was lost in 191 rounds (690 items noted with an outside identity); -Dstress=walk turns it off
            store.paths.keepDeletingAfterASwap = "walk".equals(System.getProperty("stress"));
            Flipper flipper = Flipper.start(job, swap, tmp.resolve("stop"));
            Seen seen;
            try {
                seen = LocalStoreAttackTest.walk(store);
                for (ScannedItem item : seen.items) {
                    if (tracked.names.containsKey(((LocalBlobStore.BlobRef) item.ref()).key())) {
                        outsideIdentities++;
                    }
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
            lost.addAll(tracked.lost());
        }
        System.out.printf("walk led out: %d rounds, %d outside identities, %d moved in under a private name, lost %s%n", rounds, outsideIdentities, tracked.movedInPrivate, lost);
        assertThat(lost).as("outside files that lost their name outside, after %d rounds (%d items scanned with an outside identity, %d moved into the tree under a private name); answers %s",
                rounds, outsideIdentities, tracked.movedInPrivate, answers).isEmpty();
    }

    /**
     * As above, with the run's stop at the first swap on (as in production), and the flip one level
     * up: the prefix folder is exchanged with a plain folder of the tree whose {@code job} is a link
     * to the outside folder. A check that looks while the plain folder is there sees a folder, not
     * a link: that must end the run's deletes as a link does, or each item is one more chance.
     */
    @Test
    void aPrefixExchangedWithAPlainFolderEndsTheRunsDeletesAsALinkDoes() throws Exception {
        PathFallbackAttackTest.assumeFlipper();
        Path victims = Files.createDirectories(outside.resolve("victims"));
        Path job = Files.createDirectories(tree.path("uploads/job"));
        Victims tracked = new Victims(victims, 100);
        Path plain = Files.createDirectories(tree.path("plain"));
        Files.createSymbolicLink(plain.resolve("job"), victims);
        Set<String> lost = new TreeSet<>();
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds(20));
        int runs = 0;
        int attempts = 0;
        while (System.nanoTime() < until && lost.isEmpty()) {
            runs++;
            for (String name : tracked.names.values()) {
                Files.deleteIfExists(job.resolve(name));
                Files.createLink(job.resolve(name), victims.resolve(name));
            }
            LocalBlobStore store = store();
            Seen seen = LocalStoreAttackTest.walk(store);
            for (String name : tracked.names.values()) {
                Files.delete(job.resolve(name));
            }
            Flipper flipper = Flipper.start(tree.path("uploads"), plain, tmp.resolve("stop"));
            try {
                for (ScannedItem item : seen.items) {
                    String why = String.valueOf(store.deleteIfUnchanged(item, cutoff).reason());
                    if (why.contains("swapped earlier in this run")) {
                        break;
                    }
                    if (why.contains("not the folder the scan saw") || why.contains("replaced by a link")) {
                        attempts++;
                    }
                }
            } catch (IOException e) {
                // a path that led nowhere: the next run
            } finally {
                flipper.halt();
            }
            lost.addAll(tracked.lost());
        }
        System.out.printf("prefix exchanged: %d runs, %d swaps seen, %d moved in under a private name, lost %s%n", runs, attempts, tracked.movedInPrivate, lost);
        assertThat(lost).as("outside files that lost their name outside, after %d runs", runs).isEmpty();
        assertThat(attempts).as("swaps seen by the deletes of %d runs: the first ends the run's deletes", runs).isLessThanOrEqualTo(runs);
    }

    /** Outside files the test made, known by identity. */
    private final class Victims {
        final Path dir;
        final Map<Object, String> names = new HashMap<>();

        Victims(Path dir, int count) throws IOException {
            this.dir = dir;
            for (int i = 0; i < count; i++) {
                Path victim = dir.resolve("v" + i + ".csv");
                Files.writeString(victim, "outside, keep");
                Files.setLastModifiedTime(victim, FileTime.from(old()));
                names.put(key(victim), victim.getFileName().toString());
            }
        }

        /** Moved into the tree under a private name (the documented residue), put back by the test. */
        int movedInPrivate;

        /**
         * Those with no name left, or only names in the tree that are not private names (a later run
         * would delete such a file as an ordinary item). One under a private name (in its folder, or
         * moved into the tree: the documented residue) is put back under its name and counted.
         */
        Set<String> lost() throws IOException {
            Map<Object, Path> present = new HashMap<>();
            try (Stream<Path> listed = Files.list(dir)) {
                for (Path p : listed.toList()) {
                    present.put(key(p), p);
                }
            }
            Set<String> lost = new TreeSet<>();
            for (Map.Entry<Object, String> e : names.entrySet()) {
                Path at = present.get(e.getKey());
                if (at == null) {
                    List<Path> now = whereIs(e.getKey());
                    List<Path> aside = now.stream().filter(p -> PathFallbackDeleter.isPrivateName(p.getFileName())).toList();
                    if (aside.isEmpty()) {
                        lost.add(e.getValue() + " (now " + now + ")");
                    } else {
                        movedInPrivate++;
                        Files.move(aside.get(0), dir.resolve(e.getValue()));
                        for (Path other : now) {
                            if (!other.equals(aside.get(0))) {
                                Files.delete(other);
                            }
                        }
                    }
                } else if (!at.getFileName().toString().equals(e.getValue())) {
                    Files.move(at, dir.resolve(e.getValue()));
                }
            }
            return lost;
        }

        private List<Path> whereIs(Object key) throws IOException {
            try (Stream<Path> all = Files.walk(tmp)) {
                return all.filter(p -> {
                    try {
                        return key.equals(key(p));
                    } catch (IOException e) {
                        return false;
                    }
                }).toList();
            }
        }
    }

    static Object key(Path p) throws IOException {
        return Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
    }

    /** Deletes the items while {@code folder} and {@code link} are swapped over and over, each delete's own checks on their own. */
    private void deleteWhileFlipping(LocalBlobStore store, List<ScannedItem> items, Path folder, Path link, Set<String> answers) throws Exception {
        store.paths.keepDeletingAfterASwap = STRESS;
        Flipper flipper = Flipper.start(folder, link, tmp.resolve("stop"));
        try {
            for (ScannedItem item : items) {
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
}
