package ai.datapilot.cleaner.blob;

import static ai.datapilot.cleaner.testing.StorageTree.old;
import static ai.datapilot.cleaner.testing.StorageTree.recent;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.datapilot.cleaner.blob.LocalStoreAttackTest.Seen;
import ai.datapilot.cleaner.store.ChunkPartlyFailedException;
import ai.datapilot.cleaner.store.Recheck;
import ai.datapilot.cleaner.store.ScannedItem;
import ai.datapilot.cleaner.testing.StorageTree;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A chunk holds one handle per folder, where one item at a time needed one: where the process
 * may open only a few more files (a low {@code ulimit -n}), some of a chunk's folders cannot be
 * opened. Failure injected for real: this JVM's own soft limit on open files is lowered (prlimit)
 * for the one chunk. As root, chmod 000 does not stop an open; running out of descriptors does.
 * Each folder that could not be opened must fail its own items only (null answers, retried), the
 * mount table must still be read (else every item would be kept as "changed"), nothing may stay
 * open, and the retry must then delete the rest.
 */
class ChunkOpenFailureTest {

    static final int JOBS = 60;
    /** Descriptors left free for the chunk: fewer than its folders. */
    static final int FREE = 20;

    @TempDir
    Path tmp;

    StorageTree tree;
    Instant cutoff;

    @BeforeEach
    void dirs() throws IOException {
        tree = new StorageTree(Files.createDirectory(tmp.resolve("storage")).toRealPath());
        cutoff = Instant.now().minus(StorageTree.TTL);
    }

    @Test
    void foldersAChunkCannotOpenFailOnlyTheirOwnItemsAndARetryDeletesThem() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/prlimit")), "prlimit is needed to lower this process's limit");
        for (int j = 0; j < JOBS; j++) {
            tree.file("uploads/job_" + j + "/a.csv", old());
            tree.file("uploads/job_" + j + "/sub/b.csv", old());
            tree.file("uploads/job_" + j + "/young.csv", recent());
        }
        LocalBlobStore store = new LocalBlobStore(tree.root(), List.of("uploads"));
        Seen seen = LocalStoreAttackTest.walk(store);
        assertThat(seen.errors).isEmpty();
        // the young files are seen too (this sink wants every age): only the old ones are for deleting
        List<ScannedItem> items = new ArrayList<>(seen.items.stream().filter(i -> i.age().isBefore(cutoff)).toList());
        items.sort(java.util.Comparator.comparing(ScannedItem::id));
        assertThat(items).hasSize(2 * JOBS);
        // every class a chunk touches loaded before descriptors run short
        store.recheckAll(items.subList(0, 2), cutoff);

        long before = openIn(tree.root());
        long hard = hardLimitOfOpenFiles();
        long open = countFds();
        ChunkPartlyFailedException failed;
        setSoftLimit(open + FREE, hard);
        try {
            failed = catchThrowableOfType(() -> store.deleteAllIfUnchanged(items, cutoff), ChunkPartlyFailedException.class);
        } finally {
            setSoftLimit(hard, hard);
        }

        assertThat(failed).as("some folders could not be opened").isNotNull();
        assertThat(failed.getCause()).hasMessageContaining("Too many open files");
        List<Recheck> answers = failed.answers();
        Map<Path, Boolean> folderFailed = new HashMap<>();
        List<ScannedItem> retry = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            ScannedItem item = items.get(i);
            Recheck answer = answers.get(i);
            Path folder = tree.path(item.id()).getParent();
            // a folder's items share its handle: all worked, or all failed
            Boolean earlier = folderFailed.putIfAbsent(folder, answer == null);
            assertThat(earlier == null || earlier == (answer == null)).as("items of %s answered alike", folder).isTrue();
            if (answer == null) {
                assertThat(tree.exists(item.id())).as("failed, so kept: " + item.id()).isTrue();
                retry.add(item);
            } else {
                // not "changed": the table was read, and nothing but the descriptors was wrong
                assertThat(answer).as(item.id()).isEqualTo(Recheck.EXPIRED);
                assertThat(tree.exists(item.id())).as("deleted: " + item.id()).isFalse();
            }
        }
        assertThat(retry).as("some items deleted, some failed").isNotEmpty().hasSizeLessThan(items.size());
        assertThat(openIn(tree.root())).as("folder handles left open").isEqualTo(before);

        // the route's retry: the failed items alone, now with descriptors enough
        assertThat(store.deleteAllIfUnchanged(retry, cutoff)).containsOnly(Recheck.EXPIRED);
        for (ScannedItem item : items) {
            assertThat(tree.exists(item.id())).as(item.id()).isFalse();
        }
        for (int j = 0; j < JOBS; j++) {
            assertThat(tree.exists("uploads/job_" + j + "/young.csv")).isTrue();
        }
        assertThat(openIn(tree.root())).isEqualTo(before);
    }

    /** This process's open descriptors that lead into {@code dir}. */
    static long openIn(Path dir) throws IOException {
        long n = 0;
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    if (Files.readSymbolicLink(fd).startsWith(dir)) {
                        n++;
                    }
                } catch (IOException e) {
                    // closed meanwhile
                }
            }
        }
        return n;
    }

    static long countFds() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    /** The hard limit on open files, from /proc/self/limits ("Max open files  <soft>  <hard>  files"). */
    static long hardLimitOfOpenFiles() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
            if (line.startsWith("Max open files")) {
                return Long.parseLong(line.substring("Max open files".length()).trim().split("\\s+")[1]);
            }
        }
        throw new IllegalStateException("no open-file limit in /proc/self/limits");
    }

    static void setSoftLimit(long soft, long hard) {
        long pid = ProcessHandle.current().pid();
        int rc = LocalDeleteRaceTest.sh("prlimit --pid " + pid + " --nofile=" + soft + ":" + hard);
        assertThat(rc).as("prlimit --nofile=%d:%d", soft, hard).isZero();
    }
}
