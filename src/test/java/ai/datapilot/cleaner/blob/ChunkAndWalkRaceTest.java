package ai.datapilot.cleaner.blob;

import static ai.datapilot.cleaner.testing.StorageTree.old;
import static ai.datapilot.cleaner.testing.StorageTree.recent;
import static org.assertj.core.api.Assertions.assertThat;

import ai.datapilot.cleaner.store.CleanerError;
import ai.datapilot.cleaner.store.Recheck;
import ai.datapilot.cleaner.store.ScanSink;
import ai.datapilot.cleaner.store.ScannedItem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The chunked deletes, the chunked sweep and the parallel walk, driven directly with the world
 * changed at the worst moments: a job folder moved out of the root in the middle of a chunk, link
 * swaps in the middle of a sweep that spans several chunks, thousands of job folders renamed,
 * removed and swapped for links while they are walked, a sink that throws on the helper thread.
 * Every "outside" folder is one this test made.
 */
class ChunkAndWalkRaceTest extends StoreFixture {

    /** The old items a walk found, in id order. */
    List<ScannedItem> oldItems(LocalBlobStore store) {
        ParallelWalkTest.Collected seen = new ParallelWalkTest.Collected(Integer.MAX_VALUE);
        store.scan().drain(seen);
        assertThat(seen.errors).isEmpty();
        List<ScannedItem> items = new ArrayList<>(seen.items);
        items.sort(Comparator.comparing(ScannedItem::id));
        return items;
    }

    /**
     * Made at the chunk's first delete: job_b moved out of the root (to a folder of the same file
     * system), and in it one file replaced, one touched; a new job_b made in its place, as an
     * application re-running the job would. Returns the folder job_b went to.
     */
    private Path moveJobOutAndRemakeIt() throws IOException {
        Path moved = outside.resolve("archived_b");
        Files.move(tree.path("uploads/job_b"), moved, StandardCopyOption.ATOMIC_MOVE);
        Path fresh = Files.writeString(moved.resolve(".b.tmp"), "replaced");
        Files.setLastModifiedTime(fresh, FileTime.from(old()));
        Files.move(fresh, moved.resolve("b.csv"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        Files.setLastModifiedTime(moved.resolve("c.csv"), FileTime.from(recent()));
        Files.writeString(moved.resolve("new.csv"), "written there");
        tree.file("uploads/job_b/a.csv", old());
        return moved;
    }

    private Map<String, Recheck> deleteWithJobBMovedOutAtTheFirstDelete(boolean asOneChunk) throws Exception {
        for (String name : List.of("a.csv", "b.csv", "c.csv")) {
            tree.file("uploads/job_a/" + name, old());
            tree.file("uploads/job_b/" + name, old());
        }
        LocalBlobStore store = store();
        List<ScannedItem> items = oldItems(store);
        assertThat(items).hasSize(6);
        AtomicBoolean moved = new AtomicBoolean();
        store.seam = id -> {
            if (moved.compareAndSet(false, true)) {
                moveJobOutAndRemakeIt();
            }
        };
        Map<String, Recheck> answers = new HashMap<>();
        if (asOneChunk) {
            List<Recheck> all = store.deleteAllIfUnchanged(items, cutoff);
            for (int i = 0; i < items.size(); i++) {
                answers.put(items.get(i).id(), all.get(i));
            }
        } else {
            for (ScannedItem item : items) {
                answers.put(item.id(), store.deleteIfUnchanged(item, cutoff));
            }
        }
        assertThat(moved).isTrue();
        return answers;
    }

    /**
     * The residual docs/safety.md states for a chunk: a folder moved out of the root after the
     * chunk opened it is followed by its handle for the chunk's duration. What goes is exactly the
     * files the walk saw and that are still old; anything replaced, touched or new in the moved
     * folder stays, and so does the job folder made again under the old name. (Not covered before:
     * the existing swap tests move a folder for a link, within the root.)
     */
    @Test
    void aJobFolderMovedOutOfTheRootMidChunkLosesOnlyTheUnchangedFilesTheWalkSaw() throws Exception {
        Map<String, Recheck> answers = deleteWithJobBMovedOutAtTheFirstDelete(true);
        Path moved = outside.resolve("archived_b");

        // the unchanged one is deleted outside the root, through the handle, and reported deleted
        assertThat(answers.get("uploads/job_b/a.csv")).isEqualTo(Recheck.EXPIRED);
        assertThat(moved.resolve("a.csv")).doesNotExist();
        // replaced, touched, new: kept
        assertThat(answers.get("uploads/job_b/b.csv").reason()).isEqualTo("replaced by another file since the scan; kept");
        assertThat(answers.get("uploads/job_b/c.csv").reason()).startsWith("modified after the scan");
        assertThat(Files.readString(moved.resolve("b.csv"))).isEqualTo("replaced");
        assertThat(moved.resolve("c.csv")).exists();
        assertThat(moved.resolve("new.csv")).exists();
        // the job made again under the old name is not touched (the audit's "deleted" was the moved file)
        assertThat(tree.exists("uploads/job_b/a.csv")).isTrue();
        assertThat(listing(moved)).containsExactly("b.csv", "c.csv", "new.csv");
    }

    /** The same moment against one item at a time: each item opens its folder by name, and finds the new job_b. */
    @Test
    void theSameMoveAgainstOneItemAtATimeKeepsTheMovedFiles() throws Exception {
        Map<String, Recheck> answers = deleteWithJobBMovedOutAtTheFirstDelete(false);
        Path moved = outside.resolve("archived_b");

        for (String name : List.of("a.csv", "b.csv", "c.csv")) {
            assertThat(answers.get("uploads/job_b/" + name).reason()).as(name)
                    .isEqualTo("folder uploads/job_b/ is not the folder the scan saw (replaced, moved or mounted over since); kept");
        }
        assertThat(listing(moved)).containsExactly("a.csv", "b.csv", "c.csv", "new.csv");
        assertThat(tree.exists("uploads/job_b/a.csv")).isTrue();
    }

    /**
     * 780 emptied folders (three per job) are removed in four sweep chunks. At the sweep's first
     * rmdir, one job whose deepest folder is in the first chunk and one whose deepest folder is in
     * the second are swapped for links to an outside folder with the same empty sub-folders: the
     * first's parent handle was opened before the swap (its folder is removed where it was moved
     * to), the second's is opened through the link and refused. Nothing outside is removed, every
     * other emptied folder is, and no handle stays open.
     */
    @Test
    void aSweepOverSeveralChunksRemovesEveryEmptiedFolderAndNothingALinkLeadsTo() throws Exception {
        int jobs = 260;
        for (int j = 0; j < jobs; j++) {
            tree.file("uploads/job_" + j + "/a/b/f.csv", old());
        }
        Path twin = Files.createDirectories(outside.resolve("twin/a/b")).getParent().getParent();
        Files.writeString(twin.resolve("keep.txt"), "outside, keep");
        LocalBlobStore store = store();
        List<ScannedItem> items = oldItems(store);
        assertThat(items).hasSize(jobs);
        List<ScannedItem> deleted = new ArrayList<>();
        for (int from = 0; from < items.size(); from += 200) {
            List<ScannedItem> chunk = items.subList(from, Math.min(items.size(), from + 200));
            assertThat(store.deleteAllIfUnchanged(chunk, cutoff)).containsOnly(Recheck.EXPIRED);
            deleted.addAll(chunk);
        }
        // the sweep goes deepest first, then by id: the deepest folders of the first 200 jobs by id are its first chunk
        List<String> byId = items.stream().map(i -> i.id().split("/")[1]).toList();
        String inFirst = byId.get(10);
        String inSecond = byId.get(230);
        Map<String, Path> held = Map.of(inFirst, tree.path("held_first"), inSecond, tree.path("held_second"));
        AtomicBoolean swapped = new AtomicBoolean();
        store.seam = id -> {
            if (swapped.compareAndSet(false, true)) {
                for (Map.Entry<String, Path> e : held.entrySet()) {
                    LocalDeleteRaceTest.swapForLink(tree.path("uploads/" + e.getKey()), e.getValue(), twin);
                }
            }
        };
        List<String> kept = new ArrayList<>();
        long fdsBefore = ChunkOpenFailureTest.openIn(tree.root());

        int removed = store.removeEmptiedFolders(deleted, (id, why) -> kept.add(id + ": " + why));

        assertThat(swapped).isTrue();
        assertThat(twin.resolve("a/b")).isDirectory();
        assertThat(twin.resolve("keep.txt")).exists();
        // the first: its b went through the handle opened before the swap; a and the job folder are behind a link now
        assertThat(held.get(inFirst).resolve("a")).isDirectory();
        assertThat(held.get(inFirst).resolve("a/b")).doesNotExist();
        // the second: all three kept
        assertThat(held.get(inSecond).resolve("a/b")).isDirectory();
        assertThat(removed).isEqualTo(3 * jobs - 5);
        assertThat(kept).hasSize(5).allMatch(k -> k.contains("link"));
        assertThat(listing(tree.path("uploads"))).containsExactlyInAnyOrder(inFirst, inSecond);
        assertThat(ChunkOpenFailureTest.openIn(tree.root())).as("folder handles left open").isEqualTo(fdsBefore);
    }

    /**
     * Three thousand job folders (more than 90 batches for the helper) renamed, removed and swapped
     * for links to an outside folder while the walk runs. The walk may miss a job that moved, and
     * reports a folder it found swapped for a link between its look and its open as an error; it
     * must never report a file that is not in the tree, never enter a link, and close every folder.
     */
    @Test
    void thousandsOfJobFoldersChangedWhileTheyAreWalkedNeverLeadTheWalkOut() throws Exception {
        int jobs = 3000;
        for (int j = 0; j < jobs; j++) {
            tree.file("uploads/job_" + j + "/in.csv", old());
        }
        Path lure = Files.createDirectories(outside.resolve("lure"));
        // the same name as the job's file: a walk or delete led through a link would find it
        Files.writeString(lure.resolve("in.csv"), "outside, keep");
        Files.setLastModifiedTime(lure.resolve("in.csv"), FileTime.from(old()));
        Object lureKey = Files.readAttributes(lure.resolve("in.csv"), java.nio.file.attribute.BasicFileAttributes.class).fileKey();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong changes = new AtomicLong();
        Thread changer = new Thread(() -> {
            ThreadLocalRandom random = ThreadLocalRandom.current();
            while (!stop.get()) {
                int j = random.nextInt(jobs);
                Path job = tree.path("uploads/job_" + j);
                Path renamed = tree.path("uploads/renamed_" + j);
                Path held = tree.path("held_" + j);
                try {
                    // each job goes round: a folder, renamed or swapped for a link, back again; a few removed for good
                    if (Files.isSymbolicLink(job)) {
                        Files.delete(job);
                        Files.move(held, job, StandardCopyOption.ATOMIC_MOVE);
                    } else if (Files.isDirectory(renamed)) {
                        Files.move(renamed, job, StandardCopyOption.ATOMIC_MOVE);
                    } else if (random.nextInt(20) == 0) {
                        Files.delete(job.resolve("in.csv"));
                        Files.delete(job);
                    } else if (random.nextBoolean()) {
                        Files.move(job, renamed, StandardCopyOption.ATOMIC_MOVE);
                    } else {
                        Files.move(job, held, StandardCopyOption.ATOMIC_MOVE);
                        Files.createSymbolicLink(job, lure);
                    }
                    changes.incrementAndGet();
                } catch (IOException e) {
                    // removed for good earlier
                }
            }
        }, "job-folder-changer");
        LocalBlobStore store = store();
        long fdsBefore = ChunkOpenFailureTest.openIn(tree.root());
        ParallelWalkTest.Collected collected;
        int walks = 0;
        changer.start();
        try {
            // walks one after the other for two seconds, each checked, while the jobs keep changing
            long until = System.nanoTime() + 2_000_000_000L;
            do {
                collected = new ParallelWalkTest.Collected(Integer.MAX_VALUE);
                store.scan().drain(collected);
                walks++;
                Set<String> ids = new HashSet<>();
                for (ScannedItem item : collected.items) {
                    assertThat(item.id()).matches("uploads/(job|renamed)_\\d+/in\\.csv");
                    // never the outside file, whose identity the walk would have noted through a link
                    assertThat(((LocalBlobStore.BlobRef) item.ref()).key()).isNotEqualTo(lureKey);
                    assertThat(ids.add(item.id())).as("reported once: " + item.id()).isTrue();
                }
                for (CleanerError error : collected.errors) {
                    assertThat(error.toString()).contains("symbolic link");
                }
                assertThat(ChunkOpenFailureTest.openIn(tree.root())).as("folder handles left open").isEqualTo(fdsBefore);
            } while (System.nanoTime() < until);
        } finally {
            stop.set(true);
            changer.join();
        }
        assertThat(changes.get()).as("folders changed during the walks").isGreaterThan(1000);
        List<ScannedItem> items = collected.items;
        // and their deletes never reach the outside file
        for (int from = 0; from < items.size(); from += 200) {
            try {
                store.deleteAllIfUnchanged(items.subList(from, Math.min(items.size(), from + 200)), cutoff);
            } catch (ai.datapilot.cleaner.store.ChunkPartlyFailedException e) {
                throw new AssertionError("no item should fail: " + e.getMessage(), e);
            }
        }
        assertThat(Files.readString(lure.resolve("in.csv"))).isEqualTo("outside, keep");
        assertThat(ChunkOpenFailureTest.openIn(tree.root())).isEqualTo(fdsBefore);
    }

    /** A sink that throws on the helper thread: the scan says the prefix stopped, returns, and leaves no folder open. */
    @Test
    void aSinkThatThrowsOnTheHelperThreadEndsTheWalkWithAnErrorAndNoFolderOpen() throws Exception {
        for (int j = 0; j < 400; j++) {
            tree.file("uploads/job_" + j + "/a/in.csv", old());
        }
        AtomicInteger calls = new AtomicInteger();
        List<CleanerError> errors = new ArrayList<>();
        ScanSink throwing = new ScanSink() {
            @Override
            public void scanned(ScannedItem item) {
                if (calls.incrementAndGet() > 50 && Thread.currentThread().getName().contains("helper")) {
                    throw new IllegalStateException("sink broke on " + item.id());
                }
            }

            @Override
            public void skipped(String id, String reason) {
            }

            @Override
            public void failed(CleanerError error) {
                errors.add(error);
            }
        };
        long fdsBefore = ChunkOpenFailureTest.openIn(tree.root());

        store().scan().drain(throwing);

        assertThat(errors).isNotEmpty().allMatch(e -> e.toString().contains("sink broke"));
        assertThat(ChunkOpenFailureTest.openIn(tree.root())).as("folder handles left open").isEqualTo(fdsBefore);
    }

    /**
     * The walking thread interrupted while it waits for the helper's batches (a shutdown that
     * interrupts the run's thread): the scan must not return while the helper still walks, holds
     * folders open and reports items into the result the scan has already handed back.
     */
    @Test
    void aWalkInterruptedWhileTheHelperWalksDoesNotReturnBeforeTheHelperIsDone() throws Exception {
        for (int j = 0; j < 200; j++) {
            tree.file("uploads/job_" + j + "/in.csv", old());
        }
        LocalBlobStore store = new LocalBlobStore(tree.root(), List.of("uploads"));
        java.util.concurrent.CountDownLatch helperBusy = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        AtomicBoolean returned = new AtomicBoolean();
        List<String> afterReturn = java.util.Collections.synchronizedList(new ArrayList<>());
        ScanSink sink = new ScanSink() {
            @Override
            public void scanned(ScannedItem item) {
                if (returned.get()) {
                    afterReturn.add(item.id());
                }
            }

            /** Not serialised by the store (scanned is): the helper can be slow here without holding the other thread up. */
            @Override
            public boolean interested(Instant age) {
                if (Thread.currentThread().getName().equals("cleaner-blob-walk-helper") && helperBusy.getCount() > 0) {
                    helperBusy.countDown();
                    // the helper is slow on this one (a slow disk): uninterruptibly, as a system call would be
                    boolean interrupted = false;
                    while (true) {
                        try {
                            release.await();
                            break;
                        } catch (InterruptedException e) {
                            interrupted = true;
                        }
                    }
                    if (interrupted) {
                        Thread.currentThread().interrupt();
                    }
                }
                return true;
            }

            @Override
            public void skipped(String id, String reason) {
            }

            @Override
            public void failed(CleanerError error) {
            }
        };
        long fdsBefore = ChunkOpenFailureTest.openIn(tree.root());
        long[] fdsAtReturn = {-1};
        Thread walker = new Thread(() -> {
            store.scan().drain(sink);
            try {
                fdsAtReturn[0] = ChunkOpenFailureTest.openIn(tree.root());
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            returned.set(true);
        }, "run-thread");
        walker.start();
        assertThat(helperBusy.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        // the walking thread has walked the rest itself and now waits for the helper's batches
        long until = System.nanoTime() + 10_000_000_000L;
        while (java.util.Arrays.stream(walker.getStackTrace()).noneMatch(f -> f.getMethodName().equals("finish"))
                && System.nanoTime() < until) {
            Thread.sleep(5);
        }
        assertThat(walker.getStackTrace()).as("the walking thread waits in Subtrees.finish").anyMatch(f -> f.getMethodName().equals("finish"));
        walker.interrupt();
        walker.join(1000);
        release.countDown();
        walker.join(10_000);
        assertThat(walker.isAlive()).isFalse();
        Thread.sleep(500); // what the helper still had in hand

        assertThat(fdsAtReturn[0]).as("folders still open when the scan returned").isEqualTo(fdsBefore);
        assertThat(afterReturn).as("items reported after the scan returned").isEmpty();
    }

    private static List<String> listing(Path dir) throws IOException {
        try (var names = Files.list(dir)) {
            return names.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
