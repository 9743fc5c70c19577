package ai.datapilot.cleaner.rules;

import static org.assertj.core.api.Assertions.assertThat;

import ai.datapilot.cleaner.testing.CleanerRuns;
import ai.datapilot.cleaner.testing.RedisForTests;
import ai.datapilot.cleaner.testing.StorageTree;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * An operator's route step in the delete split that edits the batch (removes, adds, reorders or
 * alters items) never makes delete-candidate delete anything that was not planned for that batch
 * and re-checked; what a step held back is kept, and the audit says so.
 */
class BatchEditAttackTest {

    @RegisterExtension
    static RedisForTests redis = new RedisForTests();

    @TempDir
    Path tmp;

    private StorageTree tree;

    @BeforeEach
    void makeTree() throws Exception {
        tree = new StorageTree(Files.createDirectories(tmp.resolve("storage")));
    }

    private static Instant daysAgo(int days) {
        return Instant.now().minusSeconds(days * 86_400L);
    }

    private void putBlob(String id, Instant modified) throws Exception {
        Files.writeString(tree.file(id, modified), "x");
        Files.setLastModifiedTime(tree.path(id), java.nio.file.attribute.FileTime.from(modified));
    }

    private CleanerRuns.Result runWithStep(String steps, String... overrides) throws Exception {
        Path routes = Files.createDirectories(tmp.resolve("routes"));
        String main = Files.readString(Path.of("routes", "cleaner.camel.yaml"));
        String deleteStep = "              - bean:\n                  id: delete-candidate\n";
        assertThat(main).contains(deleteStep);
        Files.writeString(routes.resolve("cleaner.camel.yaml"), main.replace(deleteStep, steps + deleteStep));
        Map<String, String> env = new HashMap<>(Map.of("LOCAL_STORAGE_ROOT", tree.root().toString(), "REDIS_URL", redis.url(),
                "CLEANER_DRY_RUN", "false", "CLEANER_DELETES_PER_SECOND", "0", "JOB_TTL_HOURS", "24", "CLEANER_ROUTES_DIR", routes.toString()));
        for (int i = 0; i < overrides.length; i += 2) {
            env.put(overrides[i], overrides[i + 1]);
        }
        return CleanerRuns.run(env);
    }

    private static List<String> outcomes(CleanerRuns.Result result, String id) {
        List<String> found = new ArrayList<>();
        for (JsonNode item : result.audit().get("items")) {
            if (item.get("id").asText().equals(id)) {
                found.add(item.get("outcome").asText() + "/" + (item.hasNonNull("rule") ? item.get("rule").asText() : ""));
            }
        }
        return found;
    }

    @Test
    void aStepThatRewritesARecordKeyInPlaceDeletesNoOtherKey() throws Exception {
        String value = "{\"updatedAt\":\"" + daysAgo(10) + "\"}";
        redis.setJob("job:1", value);
        // not a job record, never scanned: the same value under the key the step turns job:1 into
        redis.setJob("jjb:1", value);

        CleanerRuns.Result result = runWithStep("""
                              - bean:
                                  id: operator-mutates-key
                                  beanType: java.lang.System
                                  method: "arraycopy(${body[0].ref}, 0, ${body[0].ref}, 1, 1)"
                """);

        assertThat(redis.exists("jjb:1")).as(result.stdout()).isTrue();
        assertThat(redis.exists("job:1")).isFalse();
        assertThat(outcomes(result, "job:1")).hasSize(1);
    }

    @Test
    void anItemAStepHeldBackAndSlippedIntoALaterBatchIsNotDeleted() throws Exception {
        putBlob("uploads/job_1/keep-me.csv", daysAgo(20));
        putBlob("uploads/job_2/input.csv", daysAgo(10));

        CleanerRuns.Result result = runWithStep("""
                              - choice:
                                  id: operator-holds
                                  when:
                                    - simple: "${body[0].id} contains 'keep-me'"
                                      steps:
                                        - setVariable:
                                            name: "global:held"
                                            simple: "${body}"
                                        - stop: {}
                                  otherwise:
                                    steps:
                                      - setBody:
                                          simple: "${variable.global:held}"
                """, "CLEANER_DELETES_PER_SECOND", "1000");

        assertThat(tree.exists("uploads/job_1/keep-me.csv")).as(result.stdout()).isTrue();
        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.summary().get("errors").toString()).contains("not planned for it", "uploads/job_1/keep-me.csv");
        assertThat(outcomes(result, "uploads/job_1/keep-me.csv")).containsExactly("kept/route");
        // the batch the step replaced was never passed on: kept, and the audit says so
        assertThat(tree.exists("uploads/job_2/input.csv")).isTrue();
        assertThat(outcomes(result, "uploads/job_2/input.csv")).containsExactly("kept/route");
        assertThat(result.summary().get("keptBlobs").asLong()).isEqualTo(2);
    }

    @Test
    void aBatchOfMadeUpPathsOrRepeatedItemsDeletesNothingNew() throws Exception {
        putBlob("uploads/job_1/a.csv", daysAgo(10));
        putBlob("uploads/job_1/b.csv", daysAgo(11));
        putBlob("uploads/job_9/fresh.csv", Instant.now());

        CleanerRuns.Result result = runWithStep("""
                              - setBody:
                                  id: operator-makes-up
                                  simple: "${body.ids}"
                """);

        assertThat(tree.exists("uploads/job_9/fresh.csv")).isTrue();
        assertThat(tree.exists("uploads/job_1/a.csv")).as(result.stdout()).isTrue();
        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(tree.exists("uploads/job_1/b.csv")).isTrue();
        assertThat(outcomes(result, "uploads/job_1/a.csv")).containsExactly("kept/route");
        assertThat(outcomes(result, "uploads/job_1/b.csv")).containsExactly("kept/route");
    }
}
