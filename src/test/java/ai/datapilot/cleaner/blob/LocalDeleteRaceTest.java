package ai.datapilot.cleaner.blob;

import static ai.datapilot.cleaner.testing.StorageTree.old;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.datapilot.cleaner.audit.CleanerRun;
import ai.datapilot.cleaner.audit.ItemOutcome;
import ai.datapilot.cleaner.deletion.CandidateDeleter;
import ai.datapilot.cleaner.deletion.DeleteGate;
import ai.datapilot.cleaner.deletion.EmptyFolderSweep;
import ai.datapilot.cleaner.settings.CleanerSettings;
import ai.datapilot.cleaner.store.Recheck;
import ai.datapilot.cleaner.store.ScannedItem;
import ai.datapilot.cleaner.testing.ForwardingBlobStore;
import ai.datapilot.cleaner.testing.RedisForTests;
import ai.datapilot.cleaner.testing.RoutesHarness;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The world changed at the worst moments of a destructive run: between the walk and the re-check,
 * and between the re-check and the delete (the store's seam). Whatever is swapped in, the cleaner
 * deletes only what it checked, never anything outside the root, and says so in the audit.
 * Every "outside" folder is one this test made.
 */
class LocalDeleteRaceTest extends RoutesHarness {

    @RegisterExtension
    static RedisForTests redis = new RedisForTests();

    static final List<String> NAMES = List.of("a.csv", "b.csv", "c.csv", "d.csv", "e.csv");

    @TempDir
    Path outside;

    LocalBlobStore store;
    /** Runs just before the real store's re-check and delete of an item. */
    Consumer<ScannedItem> beforeDelete = item -> { };
    /** Runs just after an item's delete returned. */
    Consumer<ScannedItem> afterDelete = item -> { };

    @Override
    protected RedisForTests redis() {
        return redis;
    }

    @Override
    protected void replaceBeans(Map<String, Object> replacements, CleanerSettings settings) {
        store = localStore(settings);
        BlobStore blobs = new ForwardingBlobStore(store) {
            @Override
            public Recheck deleteIfUnchanged(ScannedItem candidate, Instant cutoff) throws Exception {
                beforeDelete.accept(candidate);
                Recheck answer = real.deleteIfUnchanged(candidate, cutoff);
                afterDelete.accept(candidate);
                return answer;
            }
        };
        replacements.put("blobStore", blobs);
        replacements.put("candidateDeleter", new CandidateDeleter(blobs, configuration.jobRecordStore(), new DeleteGate(false)));
        replacements.put("emptyFolderSweep", new EmptyFolderSweep(blobs));
    }

    LocalBlobStore localStore(CleanerSettings settings) {
        return new LocalBlobStore(settings.storageRoot(), settings.blobPrefixes());
    }

    /** Old files of the same names in a job folder and in a folder outside the root. */
    Path jobAndVictim(String job, Path victim) throws IOException {
        Files.createDirectories(victim);
        for (int i = 0; i < NAMES.size(); i++) {
            Instant age = old().minusSeconds(100 - i); // distinct ages: deletes go in name order
            tree.file(job + "/" + NAMES.get(i), age);
            Files.writeString(victim.resolve(NAMES.get(i)), "outside, keep");
            Files.setLastModifiedTime(victim.resolve(NAMES.get(i)), FileTime.from(age));
        }
        return tree.path(job);
    }

    /** Swaps {@code folder} for a link to {@code target}, moving the real folder to {@code held} (both inside the root). */
    static void swapForLink(Path folder, Path held, Path target) {
        try {
            Files.createDirectories(held.getParent());
            Files.move(folder, held, StandardCopyOption.ATOMIC_MOVE);
            Files.createSymbolicLink(folder, target);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void swapBack(Path folder, Path held) {
        try {
            if (Files.isSymbolicLink(folder)) {
                Files.delete(folder);
                Files.move(held, folder, StandardCopyOption.ATOMIC_MOVE);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void assertAllThere(Path victim) throws IOException {
        for (String name : NAMES) {
            assertThat(victim.resolve(name)).as("outside file %s", name).exists();
            assertThat(Files.readString(victim.resolve(name))).isEqualTo("outside, keep");
        }
    }

    static List<ItemOutcome> itemsUnder(CleanerRun run, String folder) {
        return run.items().stream().filter(i -> i.id().startsWith(folder + "/")).toList();
    }

    @Test
    void aJobFolderSwappedForALinkAfterTheReCheckIsNotFollowedByTheDelete() throws Exception {
        Path victim = outside.resolve("victim");
        Path job = jobAndVictim("uploads/job_swap", victim);
        Path held = tree.path("swap/held");
        // once the first item has been re-checked, the folder becomes a link to the outside for good
        store.seam = id -> {
            if (!Files.isSymbolicLink(job)) {
                swapForLink(job, held, victim);
            }
        };
        context.start();

        CleanerRun run = runOnce();

        assertAllThere(victim);
        List<ItemOutcome> items = itemsUnder(run, "uploads/job_swap");
        assertThat(items).hasSize(NAMES.size());
        // the first was deleted through the folder it was checked in (now moved to swap/held)
        assertThat(items.get(0).outcome()).isEqualTo("deleted");
        assertThat(held.resolve(NAMES.get(0))).doesNotExist();
        // the others: the folder is a link when re-checked; kept, and said why
        for (ItemOutcome item : items.subList(1, items.size())) {
            assertThat(item.outcome()).as(item.id()).isEqualTo("skipped");
            assertThat(item.reason()).contains("uploads/job_swap was replaced by a link");
            assertThat(held.resolve(item.id().substring("uploads/job_swap/".length()))).exists();
        }
        assertThat(run.exitCode()).isZero();
    }

    @Test
    void aSwapBetweenEveryReCheckAndItsDeleteStillDeletesOnlyWhatWasChecked() throws Exception {
        Path victim = outside.resolve("victim");
        Path job = jobAndVictim("uploads/job_flip", victim);
        Path held = tree.path("swap/held");
        // each re-check sees the real folder; right after it, the folder is a link to the outside
        beforeDelete = item -> swapBack(job, held);
        store.seam = id -> swapForLink(job, held, victim);
        context.start();

        CleanerRun run = runOnce();
        swapBack(job, held);

        assertAllThere(victim);
        List<ItemOutcome> items = itemsUnder(run, "uploads/job_flip");
        assertThat(items).extracting(ItemOutcome::outcome).containsOnly("deleted");
        assertThat(items).hasSize(NAMES.size());
        // what was deleted is what was checked: the files inside the root
        for (String name : NAMES) {
            assertThat(job.resolve(name)).doesNotExist();
        }
    }

    @Test
    void aParentFolderSwappedForALinkBeforeTheSweepKeepsTheOutsideFolder() throws Exception {
        tree.file("uploads/job_p/sub/old.csv", old());
        Path victim = Files.createDirectories(outside.resolve("victim_p"));
        Path outsideEmpty = Files.createDirectories(victim.resolve("sub"));
        Files.writeString(victim.resolve("keep.txt"), "keep");
        Path job = tree.path("uploads/job_p");
        // the file is deleted; before the sweep, its job folder becomes a link to the outside
        afterDelete = item -> swapForLink(job, tree.path("swap/held_p"), victim);
        context.start();

        CleanerRun run = runOnce();

        assertThat(outsideEmpty).isDirectory();
        assertThat(victim.resolve("keep.txt")).exists();
        assertThat(outcome(run, "uploads/job_p/sub/old.csv")).isEqualTo("deleted");
        assertThat(run.foldersRemoved()).isZero();
        assertThat(run.skipped()).contains(
                "uploads/job_p/sub/: folder uploads/job_p was replaced by a link after the scan; kept",
                "uploads/job_p/: replaced by a link after the scan; kept");
        assertThat(Files.isSymbolicLink(job)).isTrue();
    }

    @Test
    void aParentFolderSwappedForALinkRightBeforeTheRmdirRemovesOnlyTheCheckedFolder() throws Exception {
        tree.file("uploads/job_q/sub/old.csv", old());
        Path victim = Files.createDirectories(outside.resolve("victim_q"));
        Path outsideEmpty = Files.createDirectories(victim.resolve("sub"));
        Path job = tree.path("uploads/job_q");
        Path held = tree.path("swap/held_q");
        store.seam = id -> {
            if (id.equals("uploads/job_q/sub/")) {
                swapForLink(job, held, victim);
            }
        };
        context.start();

        CleanerRun run = runOnce();

        assertThat(outsideEmpty).isDirectory();
        // removed through the parent handle: the folder that was checked, now under swap/held_q
        assertThat(held.resolve("sub")).doesNotExist();
        assertThat(held).isDirectory();
        assertThat(run.foldersRemoved()).isEqualTo(1);
        assertThat(run.skipped()).contains("uploads/job_q/: replaced by a link after the scan; kept");
    }

    @Test
    void aBindMountAppearingAfterTheWalkIsNotDeletedThrough() throws Exception {
        Path victim = outside.resolve("bound");
        Path job = jobAndVictim("uploads/job_m", victim);
        assumeBindMounts();
        boolean[] mounted = {false};
        beforeDelete = item -> {
            if (!mounted[0]) {
                mounted[0] = sh("mount --bind '" + victim + "' '" + job + "'") == 0;
            }
        };
        context.start();
        try {
            CleanerRun run = runOnce();

            assertThat(mounted[0]).isTrue();
            assertAllThere(victim);
            List<ItemOutcome> items = itemsUnder(run, "uploads/job_m");
            assertThat(items).hasSize(NAMES.size()).extracting(ItemOutcome::outcome).containsOnly("skipped");
            assertThat(items).extracting(ItemOutcome::reason).allMatch(r -> r.contains("uploads/job_m/ is not the folder the scan saw (replaced, moved or mounted over since)"));
        } finally {
            unmount(job);
        }
        // the files under the mount point were never touched either
        for (String name : NAMES) {
            assertThat(job.resolve(name)).exists();
        }
    }

    @Test
    void aBindMountAppearingAfterTheReCheckDoesNotRedirectTheDelete() throws Exception {
        Path victim = outside.resolve("bound");
        Path job = jobAndVictim("uploads/job_n", victim);
        assumeBindMounts();
        boolean[] mounted = {false};
        store.seam = id -> {
            if (!mounted[0]) {
                mounted[0] = sh("mount --bind '" + victim + "' '" + job + "'") == 0;
            }
        };
        context.start();
        CleanerRun run;
        try {
            run = runOnce();

            assertThat(mounted[0]).isTrue();
            assertAllThere(victim);
        } finally {
            unmount(job);
        }
        List<ItemOutcome> items = itemsUnder(run, "uploads/job_n");
        // the first went through the handle opened before the mount: the checked file, under it
        assertThat(items.get(0).outcome()).isEqualTo("deleted");
        assertThat(job.resolve(NAMES.get(0))).doesNotExist();
        for (ItemOutcome item : items.subList(1, items.size())) {
            assertThat(item.outcome()).as(item.id()).isEqualTo("skipped");
            assertThat(tree.exists(item.id())).isTrue();
        }
    }

    /** Skips the test, saying why, where this process may not make a bind mount. */
    void assumeBindMounts() throws Exception {
        assumeBindMounts(outside);
    }

    /** The same, probing with two folders made in {@code scratch} (a folder of the test's). */
    static void assumeBindMounts(Path scratch) throws Exception {
        Path from = Files.createDirectories(scratch.resolve("probe-from"));
        Path to = Files.createDirectories(scratch.resolve("probe-to"));
        boolean permitted = sh("mount --bind '" + from + "' '" + to + "'") == 0;
        if (permitted) {
            unmount(to);
        }
        assumeTrue(permitted, "mount --bind is not permitted here (needs root or CAP_SYS_ADMIN)");
    }

    static final int SWAPPED_JOBS = 1;
    static final int SWAPPED_FILES = 400;

    /** Swaps job folders for links to the outside and back (atomic renames), until stopped. */
    final class Swapper extends Thread {
        final AtomicBoolean started = new AtomicBoolean();
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicLong swaps = new AtomicLong();

        Swapper() {
            super("folder-link-swapper");
            setDaemon(true);
        }

        void startOnce() {
            if (started.compareAndSet(false, true)) {
                start();
            }
        }

        void finish() throws InterruptedException {
            stop.set(true);
            if (started.get()) {
                join();
            }
        }

        @Override
        public void run() {
            ThreadLocalRandom random = ThreadLocalRandom.current();
            while (!stop.get()) {
                int k = random.nextInt(SWAPPED_JOBS);
                busy(random.nextLong(50_000)); // a real folder for a while
                try {
                    Files.move(swapJob(k), swapHeld(k), StandardCopyOption.ATOMIC_MOVE);
                    try {
                        Files.move(swapLink(k), swapJob(k), StandardCopyOption.ATOMIC_MOVE);
                        swaps.incrementAndGet();
                        busy(random.nextLong(20_000)); // a link to the outside for a moment
                        Files.move(swapJob(k), swapLink(k), StandardCopyOption.ATOMIC_MOVE);
                    } finally {
                        Files.move(swapHeld(k), swapJob(k), StandardCopyOption.ATOMIC_MOVE);
                    }
                } catch (IOException e) {
                    // the sweep removed an emptied folder: restored and refilled before the next run
                }
            }
        }

        private void busy(long nanos) {
            long until = System.nanoTime() + nanos;
            while (System.nanoTime() < until) {
                Thread.onSpinWait();
            }
        }
    }

    private Path swapJob(int k) {
        return tree.path("uploads/job_" + k);
    }

    private Path swapHeld(int k) {
        return tree.path("swap/held_" + k);
    }

    private Path swapLink(int k) {
        return tree.path("swap/link_" + k);
    }

    private static String swapName(int i) {
        // job folders hold files at several depths, most of them deep
        return (i % 4 == 0 ? "" : "results/by-step/" + (i % 4) + "/a/b/c/d/e/") + String.format("f%03d.csv", i);
    }

    private void restore(int k) {
        try {
            if (Files.isSymbolicLink(swapJob(k))) {
                Files.move(swapJob(k), swapLink(k), StandardCopyOption.ATOMIC_MOVE);
            }
            if (Files.isDirectory(swapHeld(k), LinkOption.NOFOLLOW_LINKS)) {
                Files.move(swapHeld(k), swapJob(k), StandardCopyOption.ATOMIC_MOVE);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Files by identity: a file put back by path under swaps can keep its private name as a second name. */
    private static long countFiles(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).map(p -> {
                try {
                    return Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).distinct().count();
        }
    }

    /** Every job folder real and full of old files again, every link in its waiting place. */
    private long refill() throws IOException {
        for (int k = 0; k < SWAPPED_JOBS; k++) {
            restore(k);
            if (!Files.isSymbolicLink(swapLink(k))) {
                Files.createDirectories(swapLink(k).getParent());
                Files.createSymbolicLink(swapLink(k), outside.resolve("victim_" + k));
            }
            for (int i = 0; i < SWAPPED_FILES; i++) {
                if (!tree.exists("uploads/job_" + k + "/" + swapName(i))) {
                    tree.file("uploads/job_" + k + "/" + swapName(i), old().minusSeconds(i));
                }
            }
        }
        return countFiles(tree.path("uploads"));
    }

    /** The outside files {@link #foldersSwappedForLinksOverAndOverDuringDestructiveRunsNeverLeadOutsideTheRoot} made, by identity. */
    private final Map<Object, Path> victims = new HashMap<>();

    private static Object key(Path p) throws IOException {
        return Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
    }

    /**
     * Without folder handles, a rename or link whose two paths a folder swapped at that very instant
     * leads to two folders moves a file across, or leaves a second name, always under a private name
     * (docs/safety.md): every outside file must still exist (under its name, a private name outside,
     * or a private name in the tree); each is put back, and a tree file moved out goes back in.
     */
    private void putBackSplitRenames() throws IOException {
        List<Path> privateNames;
        try (Stream<Path> all = Stream.concat(Files.walk(outside), Files.walk(tree.path("uploads")))) {
            privateNames = all.filter(p -> p.getFileName().toString().startsWith(".datapilot-cleaner-deleting-")
                    && Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).toList();
        }
        for (Path p : privateNames) {
            Path original = victims.get(key(p));
            if (original != null) {
                if (Files.exists(original, LinkOption.NOFOLLOW_LINKS)) {
                    assertThat(Files.isSameFile(original, p)).as("%s is a second name of %s", p, original).isTrue();
                    Files.delete(p);
                } else {
                    Files.move(p, original);
                }
            } else if (p.startsWith(outside)) {
                Path relative = outside.relativize(p);
                Path job = tree.path("uploads/" + relative.getName(0).toString().replace("victim_", "job_"));
                Files.move(p, job.resolve(relative.subpath(1, relative.getNameCount())));
            }
        }
        for (Map.Entry<Object, Path> v : victims.entrySet()) {
            assertThat(Files.exists(v.getValue(), LinkOption.NOFOLLOW_LINKS) && key(v.getValue()).equals(v.getKey()))
                    .as("outside file %s still there", v.getValue()).isTrue();
        }
    }

    @Test
    void foldersSwappedForLinksOverAndOverDuringDestructiveRunsNeverLeadOutsideTheRoot() throws Exception {
        for (int k = 0; k < SWAPPED_JOBS; k++) {
            for (int i = 0; i < SWAPPED_FILES; i++) {
                Path victim = outside.resolve("victim_" + k).resolve(swapName(i));
                Files.createDirectories(victim.getParent());
                Files.writeString(victim, "outside, keep");
                Files.setLastModifiedTime(victim, FileTime.from(old()));
                victims.put(key(victim), victim);
            }
        }
        context.start();
        long deadline = System.nanoTime() + 4_000_000_000L;
        int runs = 0;
        long swaps = 0;
        long deletedInside = 0;
        while (runs < 2 || System.nanoTime() < deadline) {
            long before = refill();
            Swapper swapper = new Swapper();
            // the walk sees the real folders; the swapping starts with the deletes
            beforeDelete = item -> swapper.startOnce();
            CleanerRun run;
            try {
                run = runOnce();
            } finally {
                swapper.finish();
            }
            swaps += swapper.swaps.get();
            runs++;
            for (int k = 0; k < SWAPPED_JOBS; k++) {
                restore(k);
            }
            putBackSplitRenames();
            for (int k = 0; k < SWAPPED_JOBS; k++) {
                assertThat(countFiles(outside.resolve("victim_" + k))).as("outside files of victim_%d after run %d", k, runs)
                        .isEqualTo(SWAPPED_FILES);
            }
            // what the audit calls deleted (no "already gone") is exactly what left the root
            long reallyDeleted = run.items().stream().filter(i -> i.outcome().equals("deleted") && i.reason() == null).count();
            assertThat(countFiles(tree.path("uploads"))).as("files left in the root after run %d", runs)
                    .isEqualTo(before - reallyDeleted);
            assertThat(run.errors()).isEmpty();
            deletedInside += reallyDeleted;
        }
        assertThat(swaps).as("the swapper really swapped").isGreaterThan(100);
        assertThat(deletedInside).as("files inside the root were still cleaned").isPositive();
    }

    static void unmount(Path where) throws Exception {
        for (int i = 0; i < 5 && isMountPoint(where); i++) {
            if (sh("umount '" + where + "'") != 0) {
                Thread.sleep(200);
            }
        }
        assertThat(isMountPoint(where)).as("unmounted " + where).isFalse();
    }

    static boolean isMountPoint(Path where) throws IOException {
        return MountPoints.parse(Files.readAllBytes(MountPoints.MOUNTINFO), where.getParent().toRealPath().toString())
                .contains(where.getFileName().toString());
    }

    static int sh(String script) {
        try {
            Process p = new ProcessBuilder("bash", "-c", script).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }
}
