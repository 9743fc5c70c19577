package ai.datapilot.cleaner;

import static ai.datapilot.cleaner.testing.CleanerRuns.env;
import static ai.datapilot.cleaner.testing.CleanerRuns.run;
import static ai.datapilot.cleaner.testing.StorageTree.old;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.datapilot.cleaner.testing.CleanerRuns.Result;
import ai.datapilot.cleaner.testing.RedisForTests;
import ai.datapilot.cleaner.testing.StorageTree;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Destructive runs while the storage tree is attacked: job folders swapped for links to the
 * outside over and over, bind mounts below a prefix. Every "outside" folder is one this test made;
 * nothing in it may ever be deleted.
 */
class LocalFilesUnderAttackTest {

    @RegisterExtension
    static RedisForTests redis = new RedisForTests();

    static final int JOBS = 3;
    static final int FILES = 200;

    @TempDir
    Path tmp;

    Path outside;
    StorageTree tree;

    @BeforeEach
    void dirs() throws IOException {
        tree = new StorageTree(Files.createDirectory(tmp.resolve("storage")));
        outside = Files.createDirectory(tmp.resolve("outside"));
    }

    private static String name(int i) {
        // half of each job's files one folder further down
        return (i % 2 == 0 ? "" : "sub/") + String.format("f%03d.csv", i);
    }

    private static void oldFile(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
        Files.setLastModifiedTime(file, FileTime.from(old()));
    }

    private static long countFiles(Path dir) throws IOException {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).count();
        }
    }

    /** Swaps job folders for links to the outside and back, by atomic renames, until stopped. */
    final class Swapper extends Thread {
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicLong swaps = new AtomicLong();

        Swapper() {
            super("folder-link-swapper");
            setDaemon(true);
        }

        @Override
        public void run() {
            ThreadLocalRandom random = ThreadLocalRandom.current();
            while (!stop.get()) {
                int k = random.nextInt(JOBS);
                try {
                    toLink(k);
                    swaps.incrementAndGet();
                    for (int spin = random.nextInt(2000); spin > 0; spin--) {
                        Thread.onSpinWait();
                    }
                } catch (IOException e) {
                    // the sweep may have removed an emptied folder: the next round restores it
                } finally {
                    try {
                        toFolder(k);
                    } catch (IOException e) {
                        // as above
                    }
                }
            }
        }
    }

    private Path job(int k) {
        return tree.path("uploads/job_" + k);
    }

    private Path held(int k) {
        return tree.path("swap/held_" + k);
    }

    private Path link(int k) {
        return tree.path("swap/link_" + k);
    }

    private void toLink(int k) throws IOException {
        Files.move(job(k), held(k), StandardCopyOption.ATOMIC_MOVE);
        Files.move(link(k), job(k), StandardCopyOption.ATOMIC_MOVE);
    }

    private void toFolder(int k) throws IOException {
        if (Files.isSymbolicLink(job(k))) {
            Files.move(job(k), link(k), StandardCopyOption.ATOMIC_MOVE);
        }
        if (Files.isDirectory(held(k), LinkOption.NOFOLLOW_LINKS)) {
            Files.move(held(k), job(k), StandardCopyOption.ATOMIC_MOVE);
        }
    }

    /** Every job folder real and full of old files again, every link in its waiting place. */
    private long refill() throws IOException {
        Files.createDirectories(tree.path("swap"));
        for (int k = 0; k < JOBS; k++) {
            toFolder(k);
            if (!Files.isSymbolicLink(link(k))) {
                Files.createSymbolicLink(link(k), outside.resolve("victim_" + k));
            }
            for (int i = 0; i < FILES; i++) {
                if (!Files.exists(job(k).resolve(name(i)), LinkOption.NOFOLLOW_LINKS)) {
                    oldFile(job(k).resolve(name(i)), "inside");
                }
            }
        }
        return countFiles(tree.path("uploads"));
    }

    @Test
    void foldersSwappedForLinksDuringDestructiveRunsNeverLeadOutsideTheRoot() throws Exception {
        for (int k = 0; k < JOBS; k++) {
            for (int i = 0; i < FILES; i++) {
                oldFile(outside.resolve("victim_" + k).resolve(name(i)), "outside, keep");
            }
        }
        long deadline = System.nanoTime() + 5_000_000_000L;
        int runs = 0;
        long swaps = 0;
        long deletedInside = 0;
        while (runs < 2 || System.nanoTime() < deadline) {
            long before = refill();
            Swapper swapper = new Swapper();
            swapper.start();
            Result result;
            try {
                result = run(env(tree.root(), redis.url(), "CLEANER_DRY_RUN", "false", "CLEANER_MAX_DELETE_BATCH", "100000"));
            } finally {
                swapper.stop.set(true);
                swapper.join();
            }
            swaps += swapper.swaps.get();
            runs++;
            for (int k = 0; k < JOBS; k++) {
                toFolder(k);
                assertThat(countFiles(outside.resolve("victim_" + k))).as("outside files of victim_%d after run %d", k, runs).isEqualTo(FILES);
            }
            // what the audit says was deleted is exactly what disappeared from the root
            List<String> reallyDeleted = new ArrayList<>();
            result.audit().get("items").forEach(i -> {
                if (i.get("outcome").asText().equals("deleted") && !i.has("reason")) {
                    reallyDeleted.add(i.get("id").asText());
                }
            });
            assertThat(countFiles(tree.path("uploads"))).as("files left in the root after run %d", runs)
                    .isEqualTo(before - reallyDeleted.size());
            assertThat(result.exitCode()).isZero();
            deletedInside += reallyDeleted.size();
        }
        assertThat(swaps).as("the swapper really swapped").isGreaterThan(100);
        assertThat(deletedInside).as("files inside the root were still cleaned").isPositive();
        try (Stream<Path> files = Files.walk(outside)) {
            assertThat(files.filter(p -> p.toString().endsWith(".csv")).count()).isEqualTo((long) JOBS * FILES);
        }
    }

    @Test
    void bindMountsBelowAPrefixAreNotCrossedAndAreReported() throws Exception {
        Path bound = Files.createDirectories(outside.resolve("bound"));
        oldFile(bound.resolve("a.csv"), "outside, keep");
        oldFile(bound.resolve("deeper/b.csv"), "outside, keep");
        Path boundFile = outside.resolve("bound-file.csv");
        oldFile(boundFile, "outside, keep");
        // same device as the root: only the mount table tells these apart; a space is \040 there
        Path folderMount = Files.createDirectories(tree.path("uploads/job bound"));
        Path fileMount = tree.path("uploads/job_plain/bound.csv");
        oldFile(fileMount, "placeholder");
        tree.file("uploads/job_plain/old.csv", old());
        assumeTrue(sh("mount --bind '" + bound + "' '" + folderMount + "'") == 0, "mount --bind is not permitted here (needs root or CAP_SYS_ADMIN)");
        try {
            assertThat(sh("mount --bind '" + boundFile + "' '" + fileMount + "'")).isZero();
            try {
                Result result = run(env(tree.root(), redis.url(), "CLEANER_DRY_RUN", "false"));

                assertThat(bound.resolve("a.csv")).exists();
                assertThat(bound.resolve("deeper/b.csv")).exists();
                assertThat(Files.readString(boundFile)).isEqualTo("outside, keep");
                assertThat(result.itemIds("deleted")).containsExactly("uploads/job_plain/old.csv");
                assertThat(result.audit().get("skipped").toString())
                        .contains("uploads/job bound/: mount point")
                        .contains("uploads/job_plain/bound.csv: mount point");
                assertThat(result.audit().get("errors")).isEmpty();
                assertThat(result.exitCode()).isZero();
            } finally {
                sh("umount '" + fileMount + "'");
            }
        } finally {
            sh("umount '" + folderMount + "'");
        }
        assertThat(sh("grep -qF 'job\\040bound' /proc/self/mountinfo")).as("unmounted").isNotZero();
    }

    private static int sh(String script) throws Exception {
        Process p = new ProcessBuilder("bash", "-c", script).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor();
    }
}
