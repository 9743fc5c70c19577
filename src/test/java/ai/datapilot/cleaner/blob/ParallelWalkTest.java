package ai.datapilot.cleaner.blob;

import static org.assertj.core.api.Assertions.assertThat;

import ai.datapilot.cleaner.store.CleanerError;
import ai.datapilot.cleaner.store.Recheck;
import ai.datapilot.cleaner.store.ScanSink;
import ai.datapilot.cleaner.store.ScannedItem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;

/**
 * The walk hands the folders right below a prefix to a helper thread in batches. Generated trees
 * (many job folders, nested folders, old and young files) are walked and compared with an
 * independent listing: every old file is reported exactly once, nothing else is, each can be
 * re-checked through the folders the walk recorded, and no folder is left open, also when the
 * run asks the walk to stop halfway.
 */
class ParallelWalkTest {

    static final Instant CUTOFF = Instant.now().minusSeconds(24 * 3600);

    /** A generated tree: per job folder, how many files, how deep they sit, which are old. */
    record Shape(List<List<Integer>> jobs, long seed) {
    }

    @Provide
    Arbitrary<Shape> shapes() {
        // each job: a list of file depths (0 = in the job folder, 1-2 = in sub-folders)
        Arbitrary<List<Integer>> job = Arbitraries.integers().between(0, 2).list().ofMinSize(0).ofMaxSize(4);
        return Combinators.combine(job.list().ofMinSize(1).ofMaxSize(400), Arbitraries.longs()).as(Shape::new);
    }

    /** A generated tree on disk, its old files, a store on it and the folders open before the walk. */
    record World(Path dir, Set<String> old, LocalBlobStore store, long fdsBefore) {

        static World of(Shape shape) throws IOException {
            Path dir = Files.createTempDirectory("cleaner-parallel-walk-");
            Path root = Files.createDirectory(dir.resolve("storage")).toRealPath();
            Set<String> old = build(root, shape);
            return new World(dir, old, new LocalBlobStore(root, List.of("uploads", "results")), openFolders());
        }
    }

    @Property(tries = 15, shrinking = ShrinkingMode.BOUNDED)
    void everyOldFileIsReportedOnceAndEveryFolderClosed(@ForAll("shapes") Shape shape) throws Exception {
        World w = World.of(shape);
        try {
            Set<String> old = w.old();
            LocalBlobStore store = w.store();
            Collected seen = new Collected(Integer.MAX_VALUE);
            store.scan().drain(seen);

            assertThat(seen.errors).isEmpty();
            List<String> ids = seen.items.stream().map(ScannedItem::id).toList();
            assertThat(new HashSet<>(ids)).as("no file reported twice").hasSize(ids.size());
            assertThat(new HashSet<>(ids)).isEqualTo(old);
            for (ScannedItem item : seen.items) {
                assertThat(store.recheck(item, CUTOFF)).as(item.id()).isEqualTo(Recheck.EXPIRED);
            }
            assertThat(openFolders()).as("folders left open").isEqualTo(w.fdsBefore());
        } finally {
            removeAll(w.dir());
        }
    }

    @Property(tries = 10, shrinking = ShrinkingMode.BOUNDED)
    void aWalkStoppedHalfwayLeavesNoFolderOpen(@ForAll("shapes") Shape shape) throws Exception {
        World w = World.of(shape);
        try {
            Set<String> old = w.old();
            Collected seen = new Collected(old.size() / 2);
            w.store().scan().drain(seen);

            assertThat(seen.errors).isEmpty();
            // each walking thread (two prefixes, one helper) may report one item more before it looks again
            assertThat(seen.items.size()).isLessThanOrEqualTo(old.size() / 2 + 3);
            assertThat(old).containsAll(seen.items.stream().map(ScannedItem::id).toList());
            assertThat(openFolders()).as("folders left open").isEqualTo(w.fdsBefore());
        } finally {
            removeAll(w.dir());
        }
    }

    /** Builds the tree; returns the ids of its old files (the independent answer). */
    static Set<String> build(Path root, Shape shape) throws IOException {
        java.util.Random random = new java.util.Random(shape.seed());
        Set<String> old = new HashSet<>();
        Files.createDirectories(root.resolve("results"));
        for (int j = 0; j < shape.jobs().size(); j++) {
            Path job = Files.createDirectories(root.resolve("uploads/job_" + j));
            int f = 0;
            for (int depth : shape.jobs().get(j)) {
                Path folder = job;
                for (int d = 0; d < depth; d++) {
                    folder = folder.resolve("sub" + d);
                }
                Files.createDirectories(folder);
                Path file = Files.writeString(folder.resolve("f" + f++ + ".csv"), "x");
                boolean isOld = random.nextBoolean();
                Files.setLastModifiedTime(file, FileTime.from(isOld ? CUTOFF.minusSeconds(3600) : Instant.now()));
                if (isOld) {
                    old.add(root.relativize(file).toString());
                }
            }
            if (random.nextInt(4) == 0) {
                Path result = Files.writeString(root.resolve("results/job_" + j + ".json"), "{}");
                Files.setLastModifiedTime(result, FileTime.from(CUTOFF.minusSeconds(60)));
                old.add("results/job_" + j + ".json");
            }
        }
        return old;
    }

    /** Folders this process holds open, from /proc/self/fd (Linux, where the walk uses folder handles). */
    static long openFolders() throws IOException {
        long n = 0;
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    if (Files.isDirectory(Files.readSymbolicLink(fd)) && Files.readSymbolicLink(fd).toString().contains("cleaner-parallel-walk-")) {
                        n++;
                    }
                } catch (IOException e) {
                    // closed meanwhile
                }
            }
        }
        return n;
    }

    static void removeAll(Path world) throws IOException {
        try (Stream<Path> all = Files.walk(world)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** Thread-safe on its own, though the store serialises its calls; asks to stop after {@code stopAfter} items. */
    static final class Collected implements ScanSink {
        final List<ScannedItem> items = new ArrayList<>();
        final List<CleanerError> errors = new ArrayList<>();
        final int stopAfter;
        final AtomicInteger count = new AtomicInteger();

        Collected(int stopAfter) {
            this.stopAfter = stopAfter;
        }

        @Override
        public synchronized void scanned(ScannedItem item) {
            items.add(item);
            count.incrementAndGet();
        }

        @Override
        public boolean interested(Instant age) {
            return age.isBefore(CUTOFF);
        }

        @Override
        public void skipped(String id, String reason) {
            errors.add(CleanerError.blobScan(null, id, "skipped: " + reason));
        }

        @Override
        public synchronized void failed(CleanerError error) {
            errors.add(error);
        }

        @Override
        public boolean stopRequested() {
            return count.get() >= stopAfter;
        }
    }
}
