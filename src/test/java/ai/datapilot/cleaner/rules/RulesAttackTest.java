package ai.datapilot.cleaner.rules;

import static org.assertj.core.api.Assertions.assertThat;

import ai.datapilot.cleaner.store.RecordFields;
import ai.datapilot.cleaner.store.ScannedItem;
import ai.datapilot.cleaner.store.StoreKind;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** An outside attack on the rules file: every file that could widen a delete or silently keep nothing is refused. */
class RulesAttackTest {

    @TempDir
    Path tmp;

    private static RulesFile.Read parse(String yaml) {
        return RulesFile.parse(yaml, 24, 1, "rules.yaml");
    }

    private static ScannedItem blob(String id) {
        return new ScannedItem(StoreKind.BLOB, id, Instant.EPOCH, "f", null);
    }

    private static ScannedItem record(Map<String, String> fields) {
        return new ScannedItem(StoreKind.REDIS, "job:1", Instant.EPOCH, "f", null, 10, new RecordFields(fields, null), null);
    }

    @Test
    void aTtlWithAUnitOrInHexIsRefusedNotReadAsHours() {
        // Double.parseDouble takes "7d" as 7 (hours): an operator meaning 7 days would lose data
        for (String ttl : new String[] {"7d", "\"7d\"", "\"24f\"", "\"0x18p0\"", "\"1e3\"", "true", "[24]", "{h: 24}", ".nan", ".inf", "-.inf",
                "-1", "0", "1e308", "\"NaN\"", "\"Infinity\"", "0.5"}) {
            RulesFile.Read read = parse("retention:\n  - {name: r1, match: \"uploads/**\", ttlHours: " + ttl + "}\n");
            assertThat(read.problems()).as(ttl).isNotEmpty();
            assertThat(read.problems().get(0)).as(ttl).contains("'r1'", "fix: ");
        }
        assertThat(parse("retention:\n  - {name: r1, match: \"uploads/**\", ttlHours: 1.5}\n").problems()).isEmpty();
        assertThat(parse("retention:\n  - {name: r1, match: \"uploads/**\", ttlHours: 168}\n").problems()).isEmpty();
    }

    @Test
    void aMatchThatIsNotOnePatternIsRefused() {
        for (String match : new String[] {"[uploads/legal-hold/**, archive/**]", "{a: b}", "\"uploads/legal-hold/\"", "\"./uploads/**\"",
                "\"uploads//hold/**\"", "\"uploads/./hold/**\"", "\"uploads/\u200Bhold/**\"", "\"uploads/hold\u202E/**\"", "\"\uFEFFuploads/**\"",
                "\"/uploads/**\"", "\"uploads/../x\"", "\"uploads\\\\x\"", "\"..\"", "\"\""}) {
            RulesFile.Read keep = parse("keep:\n  - {name: k1, match: " + match + "}\n");
            assertThat(keep.problems()).as(match).isNotEmpty();
            assertThat(keep.problems().get(0)).as(match).contains("'k1'", "fix: ");
            RulesFile.Read retention = parse("retention:\n  - {name: r1, match: " + match + ", ttlHours: 2}\n");
            assertThat(retention.problems()).as(match).isNotEmpty();
        }
    }

    @Test
    void aKeepRuleNamingAFolderKeepsWhatIsInIt() {
        // as in .gitignore: a pattern that matches a folder keeps everything under it
        RunRules rules = parse("keep:\n  - {name: hold, match: \"uploads/legal-hold\"}\n  - {name: star, match: \"archive/*\"}\n")
                .rules().bind(Instant.now());
        assertThat(rules.keptBy(blob("uploads/legal-hold/job_1/a.pdf"))).isNotNull();
        assertThat(rules.keptBy(blob("uploads/legal-hold"))).isNotNull();
        assertThat(rules.keptBy(blob("archive/2024/a.pdf"))).isNotNull();
        assertThat(rules.keptBy(blob("Uploads/Legal-Hold/job_1/a.pdf"))).isNotNull();
        assertThat(rules.keptBy(blob("uploads/legal-hold-2/a.pdf"))).isNull();
        assertThat(rules.keptBy(blob("uploads/x/a.pdf"))).isNull();
    }

    @Test
    void aFieldValueThatOnlyLooksDifferentKeepsTheRecord() {
        RunRules rules = parse("keep:\n  - {name: busy, field: status, in: [running]}\n").rules().bind(Instant.now());
        for (String value : new String[] {"running", " running", "running\n", "Running", "RUNNING"}) {
            assertThat(rules.keptBy(record(Map.of("status", value)))).as("'" + value + "'").isNotNull();
        }
        assertThat(rules.keptBy(record(Map.of("status", "completed")))).isNull();
        assertThat(rules.keptBy(record(Map.of()))).isNull();
    }

    @Test
    void aNameInAnotherUnicodeFormIsKeptAndGetsTheLongerRetention() {
        RunRules rules = parse("retention:\n  - {name: archiv, match: \"uploads/caf\u00e9/**\", ttlHours: 720}\n"
                + "  - {name: uploads, match: \"uploads/**\", ttlHours: 2}\n"
                + "keep:\n  - {name: hold, match: \"hold/caf\u00e9/**\"}\n").rules().bind(Instant.now());
        // the same name as a macOS client writes it: e and a combining acute accent
        String nfd = "cafe\u0301";
        assertThat(rules.keptBy(blob("hold/" + nfd + "/a.pdf"))).isNotNull();
        assertThat(rules.retentionFor(blob("uploads/" + nfd + "/a.pdf")).rule()).isEqualTo("archiv");
        assertThat(rules.retentionFor(blob("uploads/cafe/a.pdf")).rule()).isEqualTo("uploads");
        assertThat(parse("keep:\n  - {name: k, match: \"hold/" + nfd + "/**\"}\n").problems()).singleElement().asString().contains("NFC", "fix: ");
    }

    @Test
    void aliasBombsAndDuplicateKeysAreRefused() {
        StringBuilder bomb = new StringBuilder("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        char prev = 'a';
        for (char c = 'b'; c <= 'j'; c++) {
            bomb.append(c).append(": &").append(c).append(" [");
            for (int i = 0; i < 10; i++) {
                bomb.append(i == 0 ? "" : ", ").append('*').append(prev);
            }
            bomb.append("]\n");
            prev = c;
        }
        assertThat(parse(bomb.toString()).problems()).singleElement().asString().contains("fix: ");
        assertThat(parse("retention:\n  - {name: r, name: s, match: \"a/**\", ttlHours: 2}\n").problems()).singleElement().asString()
                .contains("fix: ");
        assertThat(parse("retention: []\nretention: []\n").problems()).isNotEmpty();
        assertThat(parse("retention:\n  - &r {name: r, match: \"a/**\", ttlHours: 2}\n  - *r\n").problems()).isNotEmpty();
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void anEndlessFileIsRefusedWithoutReadingItAll() throws Exception {
        // a FIFO (or a device) has no size: the 1 MB limit must hold while reading
        Path fifo = tmp.resolve("rules.yaml");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assertThat(mkfifo.waitFor()).isZero();
        Thread writer = new Thread(() -> {
            try (OutputStream out = Files.newOutputStream(fifo)) {
                byte[] line = "# padding padding padding padding padding padding padding padding padding\n".getBytes();
                for (int i = 0; i < 2_000_000; i++) {
                    out.write(line);
                }
            } catch (Exception e) {
                // the reader stopped reading: what the test wants
            }
        });
        writer.setDaemon(true);
        writer.start();
        RulesFile.Read read = RulesFile.read(fifo, 24, 1);
        assertThat(read.rules()).isNull();
        assertThat(read.problems()).singleElement().asString().contains("larger than 1 MB", "fix: ");
    }
}
