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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The run's stop at the first swap (path fallback, no folder handles), as in production: a
 * delete whose rename reached an outside file (moved it under a private name, outside or into the
 * tree) must end the run's deletes, or a tight swap loop gets one such chance per item instead of
 * one per run. Every "outside" path is a folder this test made.
 */
class PathFallbackAttack3Test extends PathFallbackFixture {

    /**
     * After the rename, the private name holds another file than the one checked right before:
     * by path, that is what a rename led out of the tree by a folder swapped at that instant
     * looks like (an outside file moved under the private name), and a file replaced at that
     * instant looks the same. It ends the run's deletes; the next run deletes as usual.
     */
    @Test
    void aPrivateNameHoldingAnotherFileAfterTheRenameEndsTheRunsDeletes() throws Exception {
        Path a = tree.file("uploads/job_a/a.csv", old());
        Path b = tree.file("uploads/job_b/b.csv", old());
        LocalBlobStore store = store();
        Seen seen = LocalStoreAttackTest.walk(store);
        seen.items.sort(java.util.Comparator.comparing(ScannedItem::id));
        Path other = Files.writeString(tmp.resolve("other.csv"), "another file");
        Files.setLastModifiedTime(other, FileTime.from(old()));
        store.seam = id -> {
            if (id.equals("uploads/job_a/a.csv")) {
                Files.move(other, a, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        };

        Recheck first = store.deleteIfUnchanged(seen.items.get(0), cutoff);
        Recheck then = store.deleteIfUnchanged(seen.items.get(1), cutoff);

        assertThat(first.state()).isEqualTo(Recheck.State.CHANGED);
        assertThat(first.reason()).contains("right before the delete");
        assertThat(Files.readString(a)).isEqualTo("another file");
        assertThat(then.state()).isEqualTo(Recheck.State.CHANGED);
        assertThat(then.reason()).contains("swapped earlier in this run");
        assertThat(b).exists();
        store.seam = id -> { };
        seen = LocalStoreAttackTest.walk(store);
        for (ScannedItem item : seen.items) {
            if (item.id().equals("uploads/job_b/b.csv")) {
                assertThat(store.deleteIfUnchanged(item, cutoff)).isEqualTo(Recheck.EXPIRED);
            }
        }
        assertThat(PathFallbackAttackTest.exists(b)).isFalse();
    }

    /**
     * A folder on the way gone right after the rename: a swap by plain renames (folder renamed
     * away, a link made, removed, the folder renamed back) passes through such moments. It ends
     * the run's deletes as a link seen there does.
     */
    @Test
    void aFolderOnTheWayGoneRightAfterTheRenameEndsTheRunsDeletes() throws Exception {
        Path a = tree.file("uploads/job_a/a.csv", old());
        Path b = tree.file("uploads/job_b/b.csv", old());
        LocalBlobStore store = store();
        Seen seen = LocalStoreAttackTest.walk(store);
        seen.items.sort(java.util.Comparator.comparing(ScannedItem::id));
        Path held = tmp.resolve("held");
        store.seam = new LocalBlobStore.Seam() {
            @Override
            public void beforeRemove(String id) {
            }

            @Override
            public void afterRename(Path aside) throws IOException {
                if (!Files.exists(held)) {
                    Files.move(a.getParent(), held);
                }
            }
        };

        Recheck first = store.deleteIfUnchanged(seen.items.get(0), cutoff);
        Recheck then = store.deleteIfUnchanged(seen.items.get(1), cutoff);

        assertThat(first.state()).isEqualTo(Recheck.State.CHANGED);
        assertThat(first.reason()).contains("the folders changed during the delete", "uploads/job_a");
        assertThat(then.reason()).startsWith("not deleted: a folder on the way was swapped earlier in this run");
        assertThat(b).exists();
        // the file is where the rename put it, in the folder moved away: nothing deleted
        try (java.util.stream.Stream<Path> left = Files.list(held)) {
            assertThat(left.toList()).hasSize(1);
        }
    }

    /** The same for an emptied folder: another folder under its private name after the rename ends the run's removals. */
    @Test
    void aPrivateNameHoldingAnotherFolderAfterTheRenameEndsTheRunsFolderRemovals() throws Exception {
        tree.file("uploads/job_a/a.csv", old());
        tree.file("uploads/job_b/b.csv", old());
        LocalBlobStore store = store();
        Seen seen = LocalStoreAttackTest.walk(store);
        List<ScannedItem> deleted = new ArrayList<>();
        for (ScannedItem item : seen.items) {
            assertThat(store.deleteIfUnchanged(item, cutoff)).isEqualTo(Recheck.EXPIRED);
            deleted.add(item);
        }
        Path otherFolder = Files.createDirectory(tmp.resolve("other-folder"));
        store.seam = id -> {
            if (id.equals("uploads/job_a/")) {
                Files.delete(tree.path("uploads/job_a"));
                Files.move(otherFolder, tree.path("uploads/job_a"));
            }
        };
        Map<String, String> kept = new java.util.TreeMap<>();

        int removed = store.removeEmptiedFolders(deleted, kept::put);

        assertThat(removed).isZero();
        assertThat(kept.get("uploads/job_a/")).contains("not the folder the scan saw");
        assertThat(kept.get("uploads/job_b/")).contains("swapped earlier in this run");
        assertThat(tree.path("uploads/job_b")).isDirectory();
    }

    /**
     * The job folder flips with a link to an outside folder of same-named files while its items are
     * deleted. A rename led out (or split between the two folders) shows, after it, a private name
     * holding another file than the scan saw: that is a swap, and no later item of the run may be
     * deleted or even renamed. {@code -DflipSeconds=N} for a longer soak.
     */
    @Test
    void aDeleteThatReachedAnOutsideFileEndsTheRunsDeletes() throws Exception {
        PathFallbackAttackTest.assumeFlipper();
        Path victims = Files.createDirectories(outside.resolve("victims"));
        Path job = Files.createDirectories(tree.path("uploads/job"));
        Map<Object, String> outsideFiles = new HashMap<>();
        for (int i = 0; i < 100; i++) {
            Path victim = victims.resolve("v" + i + ".csv");
            Files.writeString(victim, "outside, keep");
            Files.setLastModifiedTime(victim, FileTime.from(old()));
            outsideFiles.put(key(victim), victim.getFileName().toString());
        }
        Path swap = Files.createSymbolicLink(tree.path("swap"), victims);
        List<String> goneOn = new ArrayList<>();
        int rounds = 0;
        int reached = 0;
        int moved = 0;
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.getLong("flipSeconds", 6));
        while (System.nanoTime() < until) {
            rounds++;
            refill(outsideFiles.values());
            LocalBlobStore store = store();
            Seen seen = LocalStoreAttackTest.walk(store);
            List<String> answers = new ArrayList<>();
            Flipper flipper = Flipper.start(job, swap, tmp.resolve("stop"));
            try {
                for (ScannedItem item : seen.items) {
                    try {
                        Recheck answer = store.deleteIfUnchanged(item, cutoff);
                        answers.add(answer.state() + " " + answer.reason());
                    } catch (IOException e) {
                        answers.add("error " + e);
                    }
                }
            } finally {
                flipper.halt();
            }
            int first = -1;
            for (int i = 0; i < answers.size(); i++) {
                if (answers.get(i).contains("right before the delete: replaced")) {
                    first = i;
                    break;
                }
            }
            if (first >= 0) {
                reached++;
                for (String later : answers.subList(first + 1, answers.size())) {
                    if (!later.contains("swapped earlier in this run")) {
                        goneOn.add("round " + rounds + ": after \"" + answers.get(first) + "\": " + later);
                        break;
                    }
                }
            }
            moved += putOutsideFilesBack(victims, outsideFiles);
        }
        System.out.printf("rounds %d, a rename reached another file in %d, runs that went on deleting %d, outside files moved %d%n",
                rounds, reached, goneOn.size(), moved);
        assertThat(goneOn).as("runs that went on after a delete reached another file (of %d rounds)", rounds).isEmpty();
    }

    /**
     * The job folder swapped for a link to an outside folder of same-named files without an atomic
     * exchange (renamed away, a link made, the link removed, renamed back: a moment without it
     * after each), in a tight loop while its items are deleted. Each outside file a run moves is a
     * rename led out; a run may give at most one: the first must end its deletes.
     */
    @Test
    void aJobFolderSwappedByPlainRenamesGivesAtMostOneRenameOutPerRun() throws Exception {
        PathFallbackAttackTest.assumeFlipper();
        Path victims = Files.createDirectories(outside.resolve("victims"));
        Path job = Files.createDirectories(tree.path("uploads/job"));
        Map<Object, String> outsideFiles = new HashMap<>();
        for (int i = 0; i < 100; i++) {
            Path victim = victims.resolve("v" + i + ".csv");
            Files.writeString(victim, "outside, keep");
            Files.setLastModifiedTime(victim, FileTime.from(old()));
            outsideFiles.put(key(victim), victim.getFileName().toString());
        }
        Path held = tree.path("held");
        Path stop = tmp.resolve("stop");
        String script = "my ($job, $held, $to, $stop) = @ARGV; my $n = 0;"
                + " while (1) { for (1..64) { rename($job, $held) or die \"rename: $!\"; symlink($to, $job) or die \"symlink: $!\";"
                + " unlink($job) or die \"unlink: $!\"; rename($held, $job) or die \"back: $!\"; $n++ } last if -e $stop } print $n;";
        List<String> more = new ArrayList<>();
        int rounds = 0;
        int moved = 0;
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.getLong("flipSeconds", 6));
        while (System.nanoTime() < until) {
            rounds++;
            refill(outsideFiles.values());
            LocalBlobStore store = store();
            Seen seen = LocalStoreAttackTest.walk(store);
            Files.deleteIfExists(stop);
            Process flipper = new ProcessBuilder("perl", "-e", script, job.toString(), held.toString(), victims.toString(), stop.toString())
                    .redirectErrorStream(true).start();
            try {
                for (ScannedItem item : seen.items) {
                    try {
                        store.deleteIfUnchanged(item, cutoff);
                    } catch (IOException e) {
                        // a folder gone at the wrong moment: an error of that item
                    }
                }
            } finally {
                Files.writeString(stop, "stop");
                assertThat(flipper.waitFor(30, TimeUnit.SECONDS)).isTrue();
                String out = new String(flipper.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                assertThat(flipper.exitValue()).as(out).isZero();
            }
            int now = putOutsideFilesBack(victims, outsideFiles);
            moved += now;
            if (now > 1) {
                more.add("round " + rounds + ": " + now);
            }
        }
        System.out.printf("plain renames: rounds %d, outside files moved %d, runs that moved more than one %d%n", rounds, moved, more.size());
        assertThat(more).as("runs that led more than one rename out (of %d rounds)", rounds).isEmpty();
    }

    private static Object key(Path p) throws IOException {
        return Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
    }

    /** Moves each outside file found elsewhere under the test's folder back to its name; how many were moved. */
    private int putOutsideFilesBack(Path victims, Map<Object, String> outsideFiles) throws IOException {
        int moved = 0;
        List<Path> all;
        try (Stream<Path> walk = Files.walk(tmp)) {
            all = walk.toList();
        }
        for (Path p : all) {
            Object key;
            try {
                key = key(p);
            } catch (IOException e) {
                continue;
            }
            String name = outsideFiles.get(key);
            if (name != null && !p.equals(victims.resolve(name))) {
                moved++;
                if (Files.exists(victims.resolve(name), LinkOption.NOFOLLOW_LINKS)) {
                    Files.delete(p); // a second name of it
                } else {
                    Files.move(p, victims.resolve(name));
                }
            }
        }
        for (Map.Entry<Object, String> e : outsideFiles.entrySet()) {
            assertThat(key(victims.resolve(e.getValue()))).as("outside file %s", e.getValue()).isEqualTo(e.getKey());
        }
        return moved;
    }

    /** The storage names deleted in the last round come back, old, for the next. */
    private void refill(java.util.Collection<String> names) throws java.io.IOException {
        for (String name : names) {
            if (!Files.exists(tree.path("uploads/job/" + name), LinkOption.NOFOLLOW_LINKS)) {
                tree.file("uploads/job/" + name, old());
            }
        }
    }
}
