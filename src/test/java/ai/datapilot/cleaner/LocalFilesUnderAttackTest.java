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
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A destructive run-once over bind mounts of the same device below a prefix (a folder whose name
 * needs escaping in the mount table, and a single file), and names that look like other paths.
 * Every "outside" folder is one this test made; nothing in it may ever be deleted.
 */
class LocalFilesUnderAttackTest {

    @RegisterExtension
    static RedisForTests redis = new RedisForTests();

    @TempDir
    Path tmp;

    Path outside;
    StorageTree tree;

    @BeforeEach
    void dirs() throws IOException {
        tree = new StorageTree(Files.createDirectory(tmp.resolve("storage")));
        outside = Files.createDirectory(tmp.resolve("outside"));
    }

    private static void oldFile(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
        Files.setLastModifiedTime(file, FileTime.from(old()));
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

    @Test
    void aBackslashInANameIsAuditedAsItselfNotAsAFolder() throws Exception {
        // on Unix "job_x\\a.csv" is one file name: the audit must not name the look-alike job_x/a.csv
        tree.file("uploads/job_x\\a.csv", old());
        Path lookAlike = tree.file("uploads/job_x/a.csv", StorageTree.recent());

        Result result = run(env(tree.root(), redis.url(), "CLEANER_DRY_RUN", "false"));

        assertThat(result.itemIds("deleted")).containsExactly("uploads/job_x\\a.csv");
        assertThat(tree.exists("uploads/job_x\\a.csv")).isFalse();
        assertThat(lookAlike).exists();
        assertThat(result.exitCode()).isZero();
    }

    private static int sh(String script) throws Exception {
        Process p = new ProcessBuilder("bash", "-c", script).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor();
    }
}
