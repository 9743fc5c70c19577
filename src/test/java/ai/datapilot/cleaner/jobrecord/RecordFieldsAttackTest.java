package ai.datapilot.cleaner.jobrecord;

import static org.assertj.core.api.Assertions.assertThat;

import ai.datapilot.cleaner.rules.RulesFile;
import ai.datapilot.cleaner.rules.RunRules;
import ai.datapilot.cleaner.store.RecordFields;
import ai.datapilot.cleaner.store.ScannedItem;
import ai.datapilot.cleaner.store.StoreKind;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** String records whose watched field is there but not as one plain value: each is kept, and the audit says why. */
class RecordFieldsAttackTest {

    private static final RunRules RULES = RulesFile.parse("keep:\n  - {name: busy, field: status, in: [running, queued]}\n", 24, 1, "r")
            .rules().bind(Instant.now());

    private static RunRules.Kept kept(String json) {
        RecordFields fields = RecordFieldsRead.ofJson(json.getBytes(StandardCharsets.UTF_8), List.of("status"));
        return RULES.keptBy(new ScannedItem(StoreKind.REDIS, "job:1", Instant.EPOCH, "f", null, 10, fields, null));
    }

    @Test
    void aFieldThatCannotBeReadAsOneValueKeepsTheRecord() {
        String[][] cases = {
            {"{\"Status\":\"running\"}", "Status"},
            {"{\"status\":\"completed\",\"STATUS\":\"running\"}", "STATUS"},
            {"{\"status\":[\"running\"]}", "not a single value"},
            {"{\"status\":{\"state\":\"running\"}}", "not a single value"},
            {"{\"status\":null}", "null"},
            {"{\"status\":\"completed\"} {\"status\":\"running\"}", "JSON"},
            {"{\"status\":\"completed\",\"status\":\"running\"}", "unique"},
        };
        for (String[] c : cases) {
            RunRules.Kept kept = kept(c[0]);
            assertThat(kept).as(c[0]).isNotNull();
            assertThat(kept.reason()).as(c[0]).contains("could not be read", c[1]);
        }
    }

    @Test
    void aPlainValueIsComparedAsWritten() {
        assertThat(kept("{\"status\":\"\\u0072unning\"}")).isNotNull();
        assertThat(kept("{\"status\":\" running\"}")).isNotNull();
        assertThat(kept("{\"status\":\"completed\"}")).isNull();
        assertThat(kept("{\"status\":1}")).isNull();
        assertThat(kept("{\"state\":\"running\"}")).isNull();
        assertThat(kept("{}")).isNull();
    }
}
