package ai.datapilot.cleaner.audit;

import static ai.datapilot.cleaner.testing.CleanerRuns.env;
import static ai.datapilot.cleaner.testing.CleanerRuns.run;
import static ai.datapilot.cleaner.testing.StorageTree.old;
import static org.assertj.core.api.Assertions.assertThat;

import ai.datapilot.cleaner.testing.CleanerRuns.Result;
import ai.datapilot.cleaner.testing.RedisForTests;
import ai.datapilot.cleaner.testing.StorageTree;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audit folder is under the storage root; a link on its way to a folder outside the root was
 * accepted (only a prefix was looked for where the link led), and every run then wrote, synced and
 * cleaned up its temp files outside the root. Nothing below the root is followed out of it.
 */
class AuditFolderOutsideTheRootTest {

    @RegisterExtension
    static RedisForTests redis = new RedisForTests();

    @TempDir
    Path tmp;

    @Test
    void anAuditFolderLinkedOutsideTheRootIsRefusedAndNothingIsWrittenThere() throws Exception {
        StorageTree tree = new StorageTree(Files.createDirectory(tmp.resolve("store")));
        tree.file("uploads/job_old/data.csv", old());
        Path outside = Files.createDirectory(tmp.resolve("outside"));
        Files.createDirectories(tree.path("maintenance"));
        Files.createSymbolicLink(tree.path("maintenance/cleaner_runs"), outside);

        Result result = run(env(tree.root(), redis.url(), "CLEANER_DRY_RUN", "false"));

        try (Stream<Path> written = Files.list(outside)) {
            assertThat(written).as("files the run left outside the root").isEmpty();
        }
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(tree.exists("uploads/job_old/data.csv")).as("a refused run deletes nothing").isTrue();
        assertThat(result.summary().get("errors").get(0).get("message").asText())
                .startsWith("CLEANER_AUDIT_BLOB_PATH=").contains("outside the storage root").contains("fix: ");
    }
}
