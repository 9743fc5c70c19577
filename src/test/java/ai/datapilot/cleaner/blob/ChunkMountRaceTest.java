package ai.datapilot.cleaner.blob;

import static ai.datapilot.cleaner.testing.StorageTree.old;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.datapilot.cleaner.blob.LocalStoreAttackTest.Seen;
import ai.datapilot.cleaner.store.Recheck;
import ai.datapilot.cleaner.store.ScannedItem;
import ai.datapilot.cleaner.testing.StorageTree;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chunk's claim (docs/safety.md): its folders are opened first, then the mount table is read
 * once "while they are all held open: a mount any of them lies in cannot be unmounted meanwhile,
 * so every mount on the way to any item is in the table". A plain umount is refused (EBUSY), but a
 * busy mount can still be moved away ({@code mount --move}) or detached ({@code umount -l}), and
 * the handle stays inside it. Here the walk crosses a bind mount of an outside folder that
 * appeared after it read the table (as in LocalStoreAttackTest); at the deletes the mount is there
 * while the chunk opens that folder, and is moved or detached before the chunk reads the table,
 * while the chunk still opens its other (deep) folders. Every mount source, target and "outside"
 * folder is one this test made under its temp folder.
 *
 * <p>A third variant leaves the mount alone and renames the job folder above it: the table then lists
 * the mount under the new name, and the chunk compares ids (paths), so only a rename by someone who
 * may write in the tree is needed once such a mount is there.
 *
 * <p>All three failed as of 40ea816: the outside file was deleted through the handle. The per-item
 * reads before it had the same hole in a smaller window (one folder's open to its table read): an
 * attacker re-triggered by each re-check of the crossed items won in 7 of 13 runs of a variant of
 * this test. The chunk now also reads the table before its opens, which a mount already there
 * cannot pass, and keeps a prefix's items while either read shows a mount point below it that its
 * walk did not start with (which the renames of the fifth test cannot hide). The fourth test is
 * what is left, and fails: a mount outside the prefix at both reads and on the folder's path at
 * its open (moved in after the first, moved out before the second). Closing that needs the mount
 * of each handle (mnt_id), which Java does not give.
 */
class ChunkMountRaceTest {

    @TempDir
    Path tmp;

    Path outside;
    StorageTree tree;
    Instant cutoff;
    final List<Path> mounted = new ArrayList<>();

    /** Folders of the deep chain holding one old file each: what keeps the chunk opening folders for a while. */
    static final int DEPTH = 1000;
    static final int DEEP_FILES = 150;
    static final int SUBS = 4;

    @BeforeEach
    void dirs() throws IOException {
        tree = new StorageTree(Files.createDirectory(tmp.resolve("storage")).toRealPath());
        outside = Files.createDirectory(tmp.resolve("outside")).toRealPath();
        cutoff = Instant.now().minus(StorageTree.TTL);
    }

    @Test
    void aCrossedMountMovedAwayWhileTheChunkOpensItsFoldersIsNotDeletedThrough() throws Exception {
        Path parked = Files.createDirectories(outside.resolve("parked"));
        crossedMountLeavesDuringTheOpens(sub -> "mount --move '" + sub + "' '" + Files.createDirectories(parked.resolve(sub.getFileName())) + "'");
    }

    @Test
    void aCrossedMountDetachedWhileTheChunkOpensItsFoldersIsNotDeletedThrough() throws Exception {
        crossedMountLeavesDuringTheOpens(sub -> "umount -l '" + sub + "'");
    }

    /**
     * Nothing done to the mount: the job folder above it is renamed (a plain rename, by whoever may
     * write in the tree), so the table lists the mount under the new name while the chunk looks for
     * the folder's id, the old one. Once is enough for every sub-folder.
     */
    @Test
    void aCrossedMountWhoseJobFolderIsRenamedWhileTheChunkOpensItsFoldersIsNotDeletedThrough() throws Exception {
        boolean[] once = {false};
        crossedMountLeavesDuringTheOpens(sub -> {
            if (once[0]) {
                return "true";
            }
            once[0] = true;
            return "mv '" + sub.getParent() + "' '" + sub.getParent().resolveSibling("job-renamed") + "'";
        });
    }

    /**
     * What the fix (a second read, before the opens) leaves: a mount that arrives after the chunk's
     * first read, is opened through, and leaves (here: moved away) before its second. Two timed
     * steps by someone who may mount; the chunk's deep folders give both plenty of time. Still
     * fails: closing it needs the mount of each handle (mnt_id), which Java does not give. A known
     * residual (docs/safety.md, "What remains"), so it runs only when asked for:
     * {@code -Dtest=ChunkMountRaceTest -DargLine=-Dattack.residual=true}.
     */
    @Test
    @EnabledIfSystemProperty(named = "attack.residual", matches = "true", disabledReason = "a known residual (docs/safety.md): run with -Dattack.residual=true")
    void aCrossedMountThatArrivesAfterTheFirstReadAndLeavesBeforeTheSecondIsNotDeletedThrough() throws Exception {
        Crossed c = crossTheWalk();
        try {
            StringBuilder arrive = new StringBuilder("true");
            StringBuilder leave = new StringBuilder("true");
            for (Path sub : c.subs()) {
                arrive.append("; mount --bind '").append(c.victim()).append("' '").append(sub).append("'");
                leave.append("; mount --move '").append(sub).append("' '")
                        .append(Files.createDirectories(outside.resolve("parked").resolve(sub.getFileName()))).append("'");
            }
            // half the deep folders, the crossed ones, the other half: the mounts arrive while the first half is opened
            List<ScannedItem> chunk = new ArrayList<>(c.deep().subList(0, DEEP_FILES / 2));
            chunk.addAll(c.inCrossed());
            chunk.addAll(c.deep().subList(DEEP_FILES / 2, DEEP_FILES));
            String deepFolder = tree.path("uploads/deep").toString();
            attack(c, chunk, List.of(
                    new Step(held -> held.stream().anyMatch(h -> h.startsWith(deepFolder)), arrive.toString()),
                    new Step(held -> held.stream().anyMatch(c.folders()::contains), leave.toString())));
        } finally {
            cleanUp();
        }
    }

    /**
     * The same with renames only, once such a mount is there: its job folder is under another name
     * at the chunk's first read, back under its own when the chunk opens it, away again at the
     * second read. No mounting at delete time: write access in the tree would be enough, but the
     * mount stays below the prefix, which both reads show.
     */
    @Test
    void aCrossedMountWhoseJobFolderIsRenamedBackAndAwayAroundTheOpensIsNotDeletedThrough() throws Exception {
        Crossed c = crossTheWalk();
        try {
            for (Path sub : c.subs()) {
                mount(c.victim(), sub);
            }
            Path job = tree.path("uploads/job");
            Path away = tree.path("uploads/job-away");
            Files.move(job, away);
            List<ScannedItem> chunk = new ArrayList<>(c.deep().subList(0, DEEP_FILES / 2));
            chunk.addAll(c.inCrossed());
            chunk.addAll(c.deep().subList(DEEP_FILES / 2, DEEP_FILES));
            String deepFolder = tree.path("uploads/deep").toString();
            attack(c, chunk, List.of(
                    new Step(held -> held.stream().anyMatch(h -> h.startsWith(deepFolder)), "mv '" + away + "' '" + job + "'"),
                    new Step(held -> held.stream().anyMatch(c.folders()::contains), "mv '" + job + "' '" + away + "'")));
        } finally {
            cleanUp();
        }
    }

    interface Leave {
        String command(Path sub) throws IOException;
    }

    /** What a walk that crossed bind mounts of {@code victim} left: the crossed folders and items, and the deep ones. */
    record Crossed(LocalBlobStore store, Path victim, List<Path> subs, Set<String> folders, List<ScannedItem> inCrossed,
            List<ScannedItem> deep, ScannedItem last) {
    }

    /** A shell command run once {@code when} holds for the paths of this process's open descriptors. */
    record Step(java.util.function.Predicate<List<String>> when, String command) {
    }

    /** Builds the tree and walks it while bind mounts of an outside folder appear over sub-folders not yet walked; unmounts them. */
    private Crossed crossTheWalk() throws Exception {
        LocalDeleteRaceTest.assumeBindMounts(tmp);
        Path victim = Files.createDirectories(outside.resolve("bound"));
        oldFile(victim.resolve("x.csv"));
        oldFile(victim.resolve("only-outside.csv"));
        List<Path> subs = new ArrayList<>();
        for (int k = 0; k < SUBS; k++) {
            tree.file("uploads/job/sub" + k + "/x.csv", old());
            subs.add(tree.path("uploads/job/sub" + k));
        }
        // a chain DEPTH folders deep, an old file in each of its last DEEP_FILES folders
        Path deep = tree.path("uploads/deep");
        for (int d = 0; d < DEPTH; d++) {
            deep = deep.resolve("d");
        }
        Files.createDirectories(deep);
        Path f = deep;
        for (int i = 0; i < DEEP_FILES; i++, f = f.getParent()) {
            oldFile(f.resolve("f.csv"));
        }
        // in another prefix: deleted last in every chunk, whatever the chunk keeps under uploads/ (see attack)
        tree.file("results/last.json", old());
        LocalBlobStore store = new LocalBlobStore(tree.root(), List.of("uploads", "results"));
        // the walk has read the table and is under way: the bind mounts appear (as in LocalStoreAttackTest)
        Seen seen = LocalStoreAttackTest.walk(store, item -> {
            if (!isMountPoint(subs.get(0)) && !isMountPoint(subs.get(1))) {
                for (Path sub : subs) {
                    if (!item.id().startsWith("uploads/job/" + sub.getFileName() + "/")) {
                        mount(victim, sub);
                    }
                }
            }
        });
        assertThat(seen.errors).isEmpty();
        List<ScannedItem> crossed = seen.items.stream().filter(i -> i.id().endsWith("/only-outside.csv")).toList();
        assumeTrue(!crossed.isEmpty(), "the walk crossed no mount");
        unmountAll();
        List<Path> crossedSubs = crossed.stream().map(i -> tree.path(i.id()).getParent()).toList();
        Set<String> folders = crossedSubs.stream().map(Path::toString).collect(Collectors.toSet());
        List<ScannedItem> inCrossed = seen.items.stream().filter(i -> folders.contains(tree.path(i.id()).getParent().toString())).toList();
        List<ScannedItem> deepItems = seen.items.stream().filter(i -> i.id().startsWith("uploads/deep/")).toList();
        assertThat(deepItems).hasSize(DEEP_FILES);
        ScannedItem last = seen.items.stream().filter(i -> i.id().equals("results/last.json")).findFirst().orElseThrow();
        return new Crossed(store, victim, crossedSubs, folders, inCrossed, deepItems, last);
    }

    private void crossedMountLeavesDuringTheOpens(Leave leave) throws Exception {
        Crossed c = crossTheWalk();
        try {
            // the mounts are back before the deletes start; the chunk opens the crossed folders first
            for (Path sub : c.subs()) {
                mount(c.victim(), sub);
            }
            List<ScannedItem> chunk = new ArrayList<>(c.inCrossed());
            chunk.addAll(c.deep());
            // once a crossed folder is held open, its mount leaves (moved, detached, or renamed along)
            StringBuilder script = new StringBuilder("true");
            for (Path sub : c.subs()) {
                script.append("; ").append(leave.command(sub));
            }
            attack(c, chunk, List.of(new Step(held -> held.stream().anyMatch(c.folders()::contains), script.toString())));
        } finally {
            cleanUp();
        }
    }

    /** Deletes {@code chunk} as one while {@code steps} run, each once its moment comes; checks the outside folder. */
    private void attack(Crossed c, List<ScannedItem> items, List<Step> steps) throws Exception {
        // the last item is the first delete when everything under uploads/ is kept: its seam call tells when the chunk's reads were done
        List<ScannedItem> chunk = new ArrayList<>(items);
        chunk.add(c.last());
        AtomicInteger done = new AtomicInteger();
        Thread attacker = new Thread(() -> {
            for (Step step : steps) {
                while (!step.when().test(heldOpen())) {
                    Thread.onSpinWait();
                }
                if (LocalDeleteRaceTest.sh(step.command()) != 0) {
                    throw new IllegalStateException("failed: " + step.command());
                }
                done.incrementAndGet();
            }
        }, "mount-attacker");
        attacker.setDaemon(true);
        attacker.start();
        int[] doneBeforeTheRemoves = {-1};
        c.store().seam = id -> {
            if (doneBeforeTheRemoves[0] < 0) {
                doneBeforeTheRemoves[0] = done.get();
            }
        };

        List<Recheck> answers = c.store().deleteAllIfUnchanged(chunk, cutoff);
        attacker.join(10_000);

        assumeTrue(doneBeforeTheRemoves[0] == steps.size(), "the attacker was not done before the chunk's first delete (timing); nothing shown");
        List<String> crossedAnswers = new ArrayList<>();
        for (int i = 0; i < chunk.size(); i++) {
            if (chunk.get(i).id().endsWith("/only-outside.csv")) {
                crossedAnswers.add(chunk.get(i).id() + ": " + answers.get(i));
            }
        }
        assertThat(c.victim().resolve("only-outside.csv")).as("a file outside the root, reached through a mount crossed by the walk; "
                + "answers: " + crossedAnswers).exists();
        assertThat(c.victim().resolve("x.csv")).as("a file outside the root, reached through a mount crossed by the walk").exists();
    }

    private void cleanUp() throws Exception {
        // every mount this test made, wherever it went (moved, or renamed along with its job folder)
        mounted.clear();
        unmountEverythingUnder(tmp);
        LocalDeleteRaceTest.sh("rm -rf '" + tree.path("uploads/deep") + "'");
    }

    /** Every mount below {@code dir} (this test's own: moved, renamed along), deepest first. */
    private static void unmountEverythingUnder(Path dir) throws Exception {
        Path real = dir.toRealPath();
        List<String> points = new ArrayList<>(MountPoints.parse(Files.readAllBytes(MountPoints.MOUNTINFO), real.toString()));
        points.sort(java.util.Comparator.comparingInt(String::length).reversed());
        for (String point : points) {
            LocalDeleteRaceTest.unmount(real.resolve(point));
        }
        assertThat(MountPoints.parse(Files.readAllBytes(MountPoints.MOUNTINFO), real.toString())).as("mounts left").isEmpty();
    }

    /** Where this process's open descriptors lead. */
    private static List<String> heldOpen() {
        List<String> held = new ArrayList<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    held.add(Files.readSymbolicLink(fd).toString());
                } catch (IOException e) {
                    // closed meanwhile
                }
            }
        } catch (IOException e) {
            // try again
        }
        return held;
    }

    private static void oldFile(Path file) throws IOException {
        Files.writeString(file, "outside, keep");
        Files.setLastModifiedTime(file, FileTime.from(old()));
    }

    private void mount(Path from, Path onto) {
        if (LocalDeleteRaceTest.sh("mount --bind '" + from + "' '" + onto + "'") != 0) {
            throw new IllegalStateException("mount --bind " + from + " " + onto + " failed");
        }
        mounted.add(onto);
    }

    private void unmountAll() throws Exception {
        for (Path p : mounted) {
            while (isMountPoint(p)) {
                LocalDeleteRaceTest.unmount(p);
            }
        }
        mounted.clear();
    }

    private static boolean isMountPoint(Path where) {
        try {
            return LocalDeleteRaceTest.isMountPoint(where);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
