package ai.datapilot.cleaner.blob;

import static ai.datapilot.cleaner.testing.StorageTree.old;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.datapilot.cleaner.blob.LocalStoreAttackTest.Seen;
import ai.datapilot.cleaner.store.Recheck;
import ai.datapilot.cleaner.store.ScannedItem;
import ai.datapilot.cleaner.testing.StorageTree;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Attacks on the path fallback (no folder handles) that its inherited tests do not make: the store
 * is forced onto it and driven directly. Every "outside" path is a folder this test made.
 */
class PathFallbackAttackTest {

    @TempDir
    Path tmp;

    Path outside;
    StorageTree tree;
    Instant cutoff;

    @BeforeEach
    void dirs() throws IOException {
        tree = new StorageTree(Files.createDirectory(tmp.resolve("storage")).toRealPath());
        outside = Files.createDirectory(tmp.resolve("outside")).toRealPath();
        cutoff = Instant.now().minus(StorageTree.TTL);
    }

    LocalBlobStore store() {
        LocalBlobStore store = new LocalBlobStore(tree.root(), List.of("uploads", "results"));
        store.forcePathFallback = true;
        return store;
    }

    /**
     * A file in the tree that is another name (hard link) of a file outside the root has that
     * file's identity: a job folder swapped for a link to the outside folder after the rename's
     * check, and back, and again (atomically, renameat2 RENAME_EXCHANGE, in a tight loop) makes
     * the outside name pass every identity check. It must never be removed.
     */
    @Test
    void anOutsideFilesOtherNameInTheTreeNeverLeadsToItsRemovalWhileTheFolderFlips() throws Exception {
        assumeTrue(exchangeSyscall() > 0, "renameat2 number not known for this architecture");
        assumeTrue(sh("command -v perl >/dev/null") == 0, "perl is not installed");
        int names = 200;
        Path victims = Files.createDirectories(outside.resolve("victims"));
        Path job = Files.createDirectories(tree.path("uploads/job"));
        for (int i = 0; i < names; i++) {
            Path victim = victims.resolve("v" + i + ".csv");
            Files.writeString(victim, "outside, keep");
            Files.setLastModifiedTime(victim, FileTime.from(old()));
            Files.createLink(job.resolve(victim.getFileName()), victim);
        }
        // the other side of the exchange: a link to the outside folder, inside the root but outside the prefixes
        Path swap = Files.createSymbolicLink(tree.path("swap"), victims);
        Map<Object, String> victimNames = new HashMap<>();
        for (int i = 0; i < names; i++) {
            Path victim = victims.resolve("v" + i + ".csv");
            victimNames.put(Files.readAttributes(victim, BasicFileAttributes.class).fileKey(), victim.getFileName().toString());
        }
        Set<String> answers = new TreeSet<>();
        Set<String> removed = new TreeSet<>();
        int renamedAndLeft = 0;
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        int rounds = 0;
        while (System.nanoTime() < until && removed.isEmpty()) {
            rounds++;
            LocalBlobStore store = store();
            Seen seen = LocalStoreAttackTest.walk(store);
            assertThat(seen.items).hasSizeGreaterThanOrEqualTo(names);
            Flipper flipper = Flipper.start(job, swap, tmp.resolve("stop"));
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
            assertThat(Files.isSymbolicLink(job)).as("the flipper left the job folder in place").isFalse();
            // which outside files still have a name there (under theirs, or under a private name left behind)
            Set<Object> present = new HashSet<>();
            try (Stream<Path> listed = Files.list(victims)) {
                for (Path p : listed.toList()) {
                    Object key = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
                    present.add(key);
                    String name = victimNames.get(key);
                    if (name != null && !p.getFileName().toString().equals(name)) {
                        renamedAndLeft++;
                        Files.move(p, victims.resolve(name));
                    }
                }
            }
            victimNames.forEach((key, name) -> {
                if (!present.contains(key)) {
                    removed.add(name);
                }
            });
            // the storage names deleted this round come back for the next
            for (String name : victimNames.values()) {
                if (exists(victims.resolve(name)) && !exists(job.resolve(name))) {
                    Files.createLink(job.resolve(name), victims.resolve(name));
                }
            }
        }

        assertThat(removed).as("outside files removed after %d rounds (%d renamed and left, put back by the test); answers: %s",
                rounds, renamedAndLeft, answers).isEmpty();
    }

    @Test
    void aFileWithAnotherNameIsKeptAndSaysWhy() throws Exception {
        Path file = tree.file("uploads/job/a.csv", old());
        Path other = Files.createLink(outside.resolve("a.csv"), file);
        LocalBlobStore store = store();
        Seen seen = LocalStoreAttackTest.walk(store);

        Recheck answer = store.deleteIfUnchanged(seen.items.get(0), cutoff);

        assertThat(answer.state()).isEqualTo(Recheck.State.CHANGED);
        assertThat(answer.reason()).contains("has 2 names (hard links)", "kept");
        assertThat(file).exists();
        assertThat(other).exists();
        // once the other name is gone, it is an ordinary expired file
        Files.delete(other);
        assertThat(store.deleteIfUnchanged(seen.items.get(0), cutoff)).isEqualTo(Recheck.EXPIRED);
        assertThat(exists(file)).isFalse();
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
    private record Flipper(Process process, Path stop) {
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
