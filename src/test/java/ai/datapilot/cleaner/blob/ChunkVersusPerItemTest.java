package ai.datapilot.cleaner.blob;

import static org.assertj.core.api.Assertions.assertThat;

import ai.datapilot.cleaner.store.ChunkPartlyFailedException;
import ai.datapilot.cleaner.store.Recheck;
import ai.datapilot.cleaner.store.ScannedItem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;

/**
 * A chunked delete against the per-item semantics it replaced (one item per call: its folder
 * opened, the table read, the item checked and deleted, as before the change). Two identical
 * generated trees, each walked, then the same changes made to both between the walk and the
 * deletes (files removed, touched, replaced, turned into a FIFO or a folder, hard-linked to an
 * outside file, swapped with each other; job folders removed, re-made, moved inside the root,
 * swapped for a link to an outside twin; a sub-folder swapped for a file or a link). One tree is
 * then deleted in chunks of 200, the other item by item, and both emptied-folder sweeps run: the
 * answers (state and reason), the folders removed and kept, and what is left on disk, in the tree
 * and outside, must be the same. Changes made before a chunk starts must not tell the two apart.
 */
class ChunkVersusPerItemTest {

    static final Instant CUTOFF = Instant.now().minusSeconds(24 * 3600);
    static final Instant OLD = CUTOFF.minusSeconds(7200);
    /** The same "young" time in both trees, so reasons that quote it compare equal. */
    static final Instant YOUNG = CUTOFF.plusSeconds(7200);

    enum Change {
        NONE, DELETE_FILE, TOUCH_YOUNG, REPLACE_FILE, FIFO_FOR_FILE, FOLDER_FOR_FILE, HARD_LINK_TO_OUTSIDE, SWAP_TWO_FILES,
        REMOVE_JOB, RECREATE_JOB, LINK_JOB, MOVE_JOB_INSIDE, FILE_FOR_SUB, LINK_FOR_SUB
    }

    /** A job folder: the depth of each of its files (0: in the job folder, 1-2: in sub-folders), a change, which file. */
    record Job(List<Integer> files, Change change, int which) {
    }

    @Provide
    Arbitrary<List<Job>> trees() {
        Arbitrary<Job> job = Combinators.combine(Arbitraries.integers().between(0, 2).list().ofMinSize(1).ofMaxSize(4),
                Arbitraries.of(Change.class), Arbitraries.integers().between(0, 3)).as(Job::new);
        return job.list().ofMinSize(1).ofMaxSize(40);
    }

    @Property(tries = 40, shrinking = ShrinkingMode.BOUNDED)
    void aChunkedDeleteEndsAsTheOldOneItemAtATimeDelete(@ForAll("trees") List<Job> jobs) throws Exception {
        Path dir = Files.createTempDirectory("cleaner-chunk-vs-item-").toRealPath();
        try {
            Outcome chunked = run(Files.createDirectory(dir.resolve("a")), jobs, true);
            Outcome perItem = run(Files.createDirectory(dir.resolve("b")), jobs, false);

            assertThat(chunked.answers()).as("answers, chunked vs one item at a time").isEqualTo(perItem.answers());
            assertThat(chunked.foldersRemoved()).isEqualTo(perItem.foldersRemoved());
            assertThat(chunked.kept()).isEqualTo(perItem.kept());
            assertThat(chunked.disk()).as("left on disk").isEqualTo(perItem.disk());
            assertThat(chunked.outsideBefore()).as("outside files untouched").isEqualTo(chunked.outside());
            assertThat(ChunkOpenFailureTest.openIn(dir)).as("folder handles left open").isZero();
        } finally {
            ParallelWalkTest.removeAll(dir);
        }
    }

    record Outcome(Map<String, String> answers, int foldersRemoved, List<String> kept, Map<String, String> disk,
            Map<String, String> outsideBefore, Map<String, String> outside) {
    }

    static String file(int j, int f, int depth) {
        StringBuilder s = new StringBuilder("uploads/job_" + j + "/");
        for (int d = 0; d < depth; d++) {
            s.append("sub").append(d).append('/');
        }
        return s.append("f").append(f).append(".csv").toString();
    }

    static Outcome run(Path world, List<Job> jobs, boolean chunked) throws Exception {
        Path root = Files.createDirectory(world.resolve("storage")).toRealPath();
        Path outside = Files.createDirectory(world.resolve("outside")).toRealPath();
        for (int j = 0; j < jobs.size(); j++) {
            List<Integer> files = jobs.get(j).files();
            for (int f = 0; f < files.size(); f++) {
                String id = file(j, f, files.get(f));
                write(root.resolve(id), "inside " + id);
                // the outside twin: same names, same ages
                write(outside.resolve(id.substring("uploads/".length())), "outside " + id);
            }
        }
        Map<String, String> outsideBefore = snapshot(outside);
        LocalBlobStore store = new LocalBlobStore(root, List.of("uploads"));
        ParallelWalkTest.Collected seen = new ParallelWalkTest.Collected(Integer.MAX_VALUE);
        store.scan().drain(seen);
        assertThat(seen.errors).isEmpty();
        List<ScannedItem> items = new ArrayList<>(seen.items);
        items.sort(Comparator.comparing(ScannedItem::id));

        for (int j = 0; j < jobs.size(); j++) {
            change(root, outside, j, jobs.get(j));
        }

        Map<String, String> answers = new TreeMap<>();
        List<ScannedItem> deleted = new ArrayList<>();
        if (chunked) {
            for (int from = 0; from < items.size(); from += 200) {
                List<ScannedItem> chunk = items.subList(from, Math.min(items.size(), from + 200));
                List<Recheck> got;
                try {
                    got = store.deleteAllIfUnchanged(chunk, CUTOFF);
                } catch (ChunkPartlyFailedException e) {
                    got = e.answers();
                }
                for (int i = 0; i < chunk.size(); i++) {
                    record(answers, deleted, chunk.get(i), got.get(i));
                }
            }
        } else {
            for (ScannedItem item : items) {
                Recheck got;
                try {
                    got = store.deleteIfUnchanged(item, CUTOFF);
                } catch (IOException | RuntimeException e) {
                    got = null;
                }
                record(answers, deleted, item, got);
            }
        }
        List<String> kept = new ArrayList<>();
        int removed = store.removeEmptiedFolders(deleted, (id, why) -> kept.add(id + ": " + why));
        kept.sort(null);
        return new Outcome(answers, removed, kept, snapshot(root), outsideBefore, snapshot(outside));
    }

    private static void record(Map<String, String> answers, List<ScannedItem> deleted, ScannedItem item, Recheck got) {
        answers.put(item.id(), got == null ? "failed" : got.state() + (got.reason() == null ? "" : ": " + got.reason()));
        if (got != null && got.state() != Recheck.State.CHANGED) {
            deleted.add(item);
        }
    }

    /** The same change in either tree. */
    static void change(Path root, Path outside, int j, Job job) throws IOException {
        Path folder = root.resolve("uploads/job_" + j);
        List<Integer> files = job.files();
        int f = job.which() % files.size();
        Path target = root.resolve(file(j, f, files.get(f)));
        switch (job.change()) {
            case NONE -> { }
            case DELETE_FILE -> Files.delete(target);
            case TOUCH_YOUNG -> Files.setLastModifiedTime(target, FileTime.from(YOUNG));
            case REPLACE_FILE -> {
                Path fresh = target.resolveSibling(".fresh");
                write(fresh, "replaced");
                Files.move(fresh, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
            case FIFO_FOR_FILE -> {
                Files.delete(target);
                assertThat(LocalDeleteRaceTest.sh("mkfifo '" + target + "' && touch -d '3 days ago' '" + target + "'")).isZero();
            }
            case FOLDER_FOR_FILE -> {
                Files.delete(target);
                Files.createDirectory(target);
                Files.setLastModifiedTime(target, FileTime.from(OLD));
            }
            case HARD_LINK_TO_OUTSIDE -> {
                Files.delete(target);
                Files.createLink(target, outside.resolve(root.resolve("uploads").relativize(target)));
            }
            case SWAP_TWO_FILES -> {
                // two files of one folder trade names (each keeps its own identity)
                Path other = null;
                for (int g = 0; g < files.size(); g++) {
                    if (g != f && files.get(g).equals(files.get(f))) {
                        other = root.resolve(file(j, g, files.get(g)));
                    }
                }
                if (other != null) {
                    Path aside = target.resolveSibling(".aside");
                    Files.move(target, aside);
                    Files.move(other, target);
                    Files.move(aside, other);
                }
            }
            case REMOVE_JOB -> ParallelWalkTest.removeAll(folder);
            case RECREATE_JOB -> {
                // made before the old one goes: a freed inode number reused at the same name would be
                // the same identity (device and inode), in one tree and not the other
                Path fresh = root.resolve("uploads/fresh_" + j);
                for (int g = 0; g < files.size(); g++) {
                    write(fresh.resolve(root.resolve("uploads/job_" + j).relativize(root.resolve(file(j, g, files.get(g))))), "made again");
                }
                ParallelWalkTest.removeAll(folder);
                Files.move(fresh, folder);
            }
            case LINK_JOB -> {
                Files.move(folder, root.resolve("held_" + j));
                Files.createSymbolicLink(folder, outside.resolve("job_" + j));
            }
            case MOVE_JOB_INSIDE -> Files.move(folder, root.resolve("uploads/moved_" + j));
            case FILE_FOR_SUB, LINK_FOR_SUB -> {
                Path sub = folder.resolve("sub0");
                if (Files.isDirectory(sub, LinkOption.NOFOLLOW_LINKS)) {
                    Files.move(sub, root.resolve("held_sub_" + j));
                    if (job.change() == Change.FILE_FOR_SUB) {
                        write(sub, "a file now");
                    } else {
                        Files.createSymbolicLink(sub, outside.resolve("job_" + j + "/sub0"));
                    }
                }
            }
            default -> throw new IllegalStateException(job.change().toString());
        }
    }

    static void write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
        Files.setLastModifiedTime(file, FileTime.from(OLD));
    }

    /** Every path below {@code top} with what it is (and a file's text), by relative path. */
    static Map<String, String> snapshot(Path top) throws IOException {
        Map<String, String> all = new TreeMap<>();
        try (Stream<Path> paths = Files.walk(top)) {
            for (Path p : paths.toList()) {
                String what;
                if (Files.isSymbolicLink(p)) {
                    // the world's own path differs between the two trees
                    what = "link -> " + Files.readSymbolicLink(p).toString().replace(top.getParent().toString(), "<world>");
                } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    what = "folder";
                } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    what = "file " + Files.readString(p);
                } else {
                    what = "other";
                }
                all.put(top.relativize(p).toString(), what);
            }
        }
        return all;
    }
}
