package ai.datapilot.cleaner.rules;

import static org.assertj.core.api.Assertions.assertThat;

import ai.datapilot.cleaner.store.ScannedItem;
import ai.datapilot.cleaner.store.StoreKind;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The rules file's checks, each refusal naming the rule and the fix, and the path patterns. */
class RulesFileTest {

    private static RulesFile.Read parse(String yaml) {
        return RulesFile.parse(yaml, 24, 1, "rules.yaml");
    }

    @Test
    void patternsMatchTheWholeIdWithStarsThatStopAtSlashes() {
        assertThat(PathGlob.of("uploads/legal-hold/**").matches("uploads/legal-hold/a/b.pdf")).isTrue();
        assertThat(PathGlob.of("uploads/legal-hold/**").matches("uploads/legal-hold-2/a.pdf")).isFalse();
        assertThat(PathGlob.of("results/*_error.json").matches("results/x_error.json")).isTrue();
        assertThat(PathGlob.of("results/*_error.json").matches("results/j/x_error.json")).isFalse();
        assertThat(PathGlob.of("results/**/*_error.json").matches("results/x_error.json")).isTrue();
        assertThat(PathGlob.of("results/**/*_error.json").matches("results/a/b/x_error.json")).isTrue();
        assertThat(PathGlob.of("job:?").matches("job:1")).isTrue();
        assertThat(PathGlob.of("uploads/(a)+[b].csv").matches("uploads/(a)+[b].csv")).isTrue();
        assertThat(PathGlob.of("uploads/(a)+[b].csv").matches("uploads/aa[b].csv")).isFalse();
    }

    @Test
    void theFirstMatchingRetentionRuleDecidesAndKeepRulesWin() {
        RulesFile.Read read = parse("""
                retention:
                  - {name: short, match: "uploads/tmp/**", ttlHours: 2}
                  - {name: uploads, match: "uploads/**", ttlHours: 48}
                keep:
                  - {name: hold, match: "uploads/hold/**"}
                """);
        assertThat(read.problems()).isEmpty();
        Instant start = Instant.parse("2026-01-10T00:00:00Z");
        RunRules rules = read.rules().bind(start);
        assertThat(rules.retentionFor(blob("uploads/tmp/a")).rule()).isEqualTo("short");
        assertThat(rules.retentionFor(blob("uploads/tmp/a")).cutoff()).isEqualTo(start.minusSeconds(2 * 3600));
        assertThat(rules.retentionFor(blob("uploads/x/a")).rule()).isEqualTo("uploads");
        assertThat(rules.retentionFor(blob("results/x")).rule()).isEqualTo("default");
        assertThat(rules.latestCutoff()).isEqualTo(start.minusSeconds(2 * 3600));
        assertThat(rules.keptBy(blob("uploads/hold/a")).rule()).isEqualTo("hold");
        assertThat(rules.keptBy(blob("uploads/x/a"))).isNull();
    }

    @Test
    void aFieldRuleKeepsARecordWhoseFieldCannotBeRead() {
        RunRules rules = parse("keep:\n  - {name: busy, field: status, in: [running]}\n").rules().bind(Instant.now());
        ScannedItem unread = new ScannedItem(StoreKind.REDIS, "job:1", Instant.EPOCH, "f", null, 10,
                ai.datapilot.cleaner.store.RecordFields.unreadable("not JSON"), null);
        assertThat(rules.keptBy(unread).reason()).contains("could not be read", "not JSON");
        ScannedItem done = new ScannedItem(StoreKind.REDIS, "job:2", Instant.EPOCH, "f", null, 10,
                new ai.datapilot.cleaner.store.RecordFields(java.util.Map.of("status", "completed"), null), null);
        assertThat(rules.keptBy(done)).isNull();
        // a field rule never applies to files
        assertThat(rules.keptBy(blob("uploads/a"))).isNull();
    }

    @Test
    void everyProblemIsReportedWithTheRuleAndTheFix() {
        RulesFile.Read read = parse("""
                retention:
                  - {name: fast, match: "uploads/**", ttlHours: 0.5}
                  - {name: fast, match: "/etc/**", ttlHours: 24}
                  - {match: "results/**", ttlHours: soon}
                keep:
                  - {name: odd, field: status}
                  - {name: nothing}
                  - {name: typo, mach: "uploads/**"}
                extra: 1
                """);
        assertThat(read.rules()).isNull();
        assertThat(read.problems()).allSatisfy(p -> assertThat(p).contains("; fix: "));
        assertThat(String.join("\n", read.problems())).contains(
                "retention rule 'fast': ttlHours 0.5 is less than MIN_TTL_HOURS (1h)",
                "name used twice",
                "match '/etc/**' must be a relative pattern",
                "ttlHours 'soon' is not a number",
                "'in' must be a list of values",
                "neither match nor field",
                "unknown key 'mach'",
                "unknown section 'extra'");
    }

    @Test
    void notYamlIsRefused() {
        assertThat(parse("retention: [ {name: a").problems()).singleElement().asString().contains("is not valid YAML");
        assertThat(parse("- a\n- b\n").problems()).singleElement().asString().contains("is not a mapping");
        assertThat(parse("").rules().isDefaultOnly()).isTrue();
    }

    private static ScannedItem blob(String id) {
        return new ScannedItem(StoreKind.BLOB, id, Instant.EPOCH, null, null);
    }
}
