package ai.datapilot.cleaner.audit;

import static ai.datapilot.cleaner.testing.StorageTree.old;
import static org.assertj.core.api.Assertions.assertThat;

import ai.datapilot.cleaner.store.CleanerError;
import ai.datapilot.cleaner.testing.RedisForTests;
import ai.datapilot.cleaner.testing.RoutesHarness;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The settings check runs once when the service starts; a link made afterwards, from the audit
 * folder into a prefix, must not let a later run delete audit records: the walk never enters the
 * audit folder, wherever a link puts it, and says so as an error.
 */
class AuditFolderLinkedLaterTest extends RoutesHarness {

    @RegisterExtension
    static RedisForTests redis = new RedisForTests();

    @Override
    protected RedisForTests redis() {
        return redis;
    }

    @Test
    void theWalkNeverDeletesAuditRecordsReachedThroughALinkMadeAfterTheSettingsWereChecked() throws Exception {
        Path previousAudit = tree.file("uploads/audit/cleaner_20200101_000000_000_aaaaaaaa.json", old());
        tree.file("uploads/job_old/data.csv", old());
        Files.createDirectories(tree.path("maintenance"));
        Files.createSymbolicLink(tree.path("maintenance/cleaner_runs"), tree.path("uploads/audit"));
        context.start();

        CleanerRun run = runOnce();

        assertThat(previousAudit).exists();
        assertThat(outcome(run, "uploads/audit/cleaner_20200101_000000_000_aaaaaaaa.json")).isEqualTo("none");
        assertThat(outcome(run, "uploads/job_old/data.csv")).isEqualTo("deleted");
        assertThat(run.errors()).extracting(CleanerError::type, CleanerError::path)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("blob_scan_failed", "uploads/audit"));
        assertThat(run.errors().get(0).message()).contains("audit folder");
        assertThat(run.exitCode()).isEqualTo(1);
    }
}
