package ai.datapilot.cleaner.audit;

import static ai.datapilot.cleaner.testing.CleanerRuns.env;
import static ai.datapilot.cleaner.testing.CleanerRuns.run;
import static ai.datapilot.cleaner.testing.RedisForTests.job;
import static ai.datapilot.cleaner.testing.StorageTree.old;
import static org.assertj.core.api.Assertions.assertThat;

import ai.datapilot.cleaner.testing.CleanerRuns.Result;
import ai.datapilot.cleaner.testing.RedisForTests;
import ai.datapilot.cleaner.testing.StorageTree;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An audit folder that is, or lies through, a link into a cleaned prefix was accepted (the check
 * was on text), and the next run deleted the previous audit. Where the folders really are decides:
 * such settings are refused (exit 2) before anything is touched.
 */
class AuditFolderLinkTest {

    @RegisterExtension
    static RedisForTests redis = new RedisForTests();

    @TempDir
    Path tmp;

    StorageTree tree;

    @BeforeEach
    void data() throws IOException {
        tree = new StorageTree(Files.createDirectory(tmp.resolve("storage")));
        tree.file("uploads/job_old/data.csv", old());
        tree.file("results/job_old.json", old());
        redis.setJob("job:job_old", job("job_old", old()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"the audit folder is a link into uploads/", "a folder above it is a link into uploads/",
        "the audit folder is a link to the root", "uploads/ is a link to the audit folder", "the audit folder is a dangling link"})
    void anAuditFolderThatReallyLiesInOrAroundAPrefixIsRefusedBeforeAnythingIsDeleted(String layout) throws Exception {
        Path previousAudit = null;
        switch (layout) {
            case "the audit folder is a link into uploads/" -> {
                previousAudit = tree.file("uploads/audit/cleaner_20200101_000000_000_aaaaaaaa.json", old());
                Files.createDirectories(tree.path("maintenance"));
                Files.createSymbolicLink(tree.path("maintenance/cleaner_runs"), tree.path("uploads/audit"));
            }
            case "a folder above it is a link into uploads/" -> {
                previousAudit = tree.file("uploads/meta/cleaner_runs/cleaner_20200101_000000_000_aaaaaaaa.json", old());
                Files.createSymbolicLink(tree.path("maintenance"), tree.path("uploads/meta"));
            }
            case "the audit folder is a link to the root" -> {
                Files.createDirectories(tree.path("maintenance"));
                Files.createSymbolicLink(tree.path("maintenance/cleaner_runs"), tree.root());
            }
            case "uploads/ is a link to the audit folder" -> {
                previousAudit = tree.file("maintenance/cleaner_runs/cleaner_20200101_000000_000_aaaaaaaa.json", old());
                tree.file("maintenance/cleaner_runs/job_old/data.csv", old());
                try (Stream<Path> old = Files.walk(tree.path("uploads"))) {
                    for (Path p : old.sorted(java.util.Comparator.reverseOrder()).toList()) {
                        Files.delete(p);
                    }
                }
                Files.createSymbolicLink(tree.path("uploads"), tree.path("maintenance/cleaner_runs"));
            }
            default -> {
                Files.createDirectories(tree.path("maintenance"));
                Files.createSymbolicLink(tree.path("maintenance/cleaner_runs"), tmp.resolve("nowhere"));
            }
        }
        List<Path> before = everyFile();

        Result result = run(env(tree.root(), redis.url(), "CLEANER_DRY_RUN", "false", "CLEANER_AUDIT_BLOB_PATH", "maintenance/cleaner_runs/"));

        assertThat(result.exitCode()).as(result.stdout()).isEqualTo(2);
        String message = result.summary().get("errors").get(0).get("message").asText();
        assertThat(message).contains("CLEANER_AUDIT_BLOB_PATH=\"maintenance/cleaner_runs/\" refused").contains("fix:");
        assertThat(result.summary().get("errors").get(0).get("variable").asText()).isEqualTo("CLEANER_AUDIT_BLOB_PATH");
        // nothing deleted, and the refusal's own record was not written through the link either
        assertThat(everyFile()).containsExactlyElementsOf(before);
        assertThat(redis.exists("job:job_old")).isTrue();
        if (previousAudit != null) {
            assertThat(previousAudit).exists();
        }
        assertThat(result.summary().get("auditFile").isNull()).isTrue();
    }

    private List<Path> everyFile() throws IOException {
        try (Stream<Path> paths = Files.walk(tmp)) {
            return paths.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().equals(".datapilot-cleaner.lock"))
                    .sorted().toList();
        }
    }
}
