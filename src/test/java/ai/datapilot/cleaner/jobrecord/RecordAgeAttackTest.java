package ai.datapilot.cleaner.jobrecord;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Values an outsider can write that a reader other than the cleaner's may age differently. Go's
 * encoding/json matches object keys without regard to case (and a Go struct without tags writes
 * "UpdatedAt"), so a Go service may read a fresh "UpdatedAt" where the cleaner sees only an old
 * "updatedAt" or "createdAt": such a record must be kept, never aged from the field the cleaner saw.
 */
class RecordAgeAttackTest {

    static final String OLD = "\"2020-01-01T00:00:00Z\"";
    static final String NOW = "\"" + Instant.now().truncatedTo(ChronoUnit.SECONDS) + "\"";

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "{\"createdAt\":OLD,\"updatedAt\":OLD,\"UpdatedAt\":NOW}",
        "{\"createdAt\":OLD,\"UpdatedAt\":NOW}",
        "{\"createdAt\":OLD,\"updatedat\":NOW}",
        "{\"createdAt\":OLD,\"UPDATEDAT\":NOW}",
        "{\"createdAt\":OLD,\"CreatedAt\":NOW}",
        "{\"CreatedAt\":NOW,\"createdAt\":OLD}",
        "{\"updatedAt\":OLD,\"Updated\\u0041t\":NOW}",
    })
    void aFieldThatDiffersFromUpdatedAtOrCreatedAtOnlyInCaseLeavesTheAgeUnknown(String template) {
        String json = template.replace("OLD", OLD).replace("NOW", NOW);

        RecordAge.Result age = RecordAge.ofJson(json.getBytes(StandardCharsets.UTF_8));

        assertThat(age.isKnown()).as("%s read as %s", json, age.age()).isFalse();
        assertThat(age.unknownReason()).contains("only in case");
    }
}
