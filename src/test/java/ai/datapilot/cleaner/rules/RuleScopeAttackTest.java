package ai.datapilot.cleaner.rules;

import static org.assertj.core.api.Assertions.assertThat;

import ai.datapilot.cleaner.testing.CleanerRuns;
import ai.datapilot.cleaner.testing.RedisForTests;
import ai.datapilot.cleaner.testing.StorageTree;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** A rule as wide as a rule can be ("**" at MIN_TTL_HOURS) still deletes only what the scan of the prefixes found. */
class RuleScopeAttackTest {

    @RegisterExtension
    static RedisForTests redis = new RedisForTests();

    @TempDir
    Path tmp;

    @Test
    void aRuleMatchingEverythingDeletesNothingOutsideThePrefixesNorTheAudit() throws Exception {
        StorageTree tree = new StorageTree(Files.createDirectories(tmp.resolve("storage")));
        Instant old = Instant.now().minusSeconds(30 * 86_400L);
        for (String id : new String[] {"uploads/job_1/a.csv", "other/job_2/b.csv", "maintenance/cleaner_runs/old.json", "top.csv"}) {
            Files.writeString(tree.file(id, old), "x");
            Files.setLastModifiedTime(tree.path(id), java.nio.file.attribute.FileTime.from(old));
        }
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        Files.writeString(outside.resolve("c.csv"), "x");
        Files.setLastModifiedTime(outside.resolve("c.csv"), java.nio.file.attribute.FileTime.from(old));
        redis.setJob("job:1", RedisForTests.job("1", old.toString()));
        redis.setJob("other:1", RedisForTests.job("1", old.toString()));
        Path rules = tmp.resolve("rules.yaml");
        Files.writeString(rules, "retention:\n  - {name: all, match: \"**\", ttlHours: 1}\n  - {name: star, match: \"*\", ttlHours: 1}\n");

        CleanerRuns.Result result = CleanerRuns.run(Map.of("LOCAL_STORAGE_ROOT", tree.root().toString(), "REDIS_URL", redis.url(),
                "CLEANER_DRY_RUN", "false", "CLEANER_DELETES_PER_SECOND", "0", "JOB_TTL_HOURS", "24", "MIN_TTL_HOURS", "1",
                "CLEANER_RULES_FILE", rules.toString()));

        assertThat(result.exitCode()).as(result.stdout()).isZero();
        assertThat(tree.exists("uploads/job_1/a.csv")).isFalse();
        assertThat(redis.exists("job:1")).isFalse();
        assertThat(tree.exists("other/job_2/b.csv")).isTrue();
        assertThat(tree.exists("maintenance/cleaner_runs/old.json")).isTrue();
        assertThat(tree.exists("top.csv")).isTrue();
        assertThat(Files.exists(outside.resolve("c.csv"))).isTrue();
        assertThat(redis.exists("other:1")).isTrue();
    }
}
