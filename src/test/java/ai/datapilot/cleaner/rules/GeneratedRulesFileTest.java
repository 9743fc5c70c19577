package ai.datapilot.cleaner.rules;

import static org.assertj.core.api.Assertions.assertThat;

import ai.datapilot.cleaner.store.ScannedItem;
import ai.datapilot.cleaner.store.StoreKind;
import java.math.BigDecimal;
import java.text.Normalizer;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Generated rules files checked against a small independent oracle: an accepted ttlHours is the
 * plain number written, never below MIN_TTL_HOURS; an accepted pattern stays under the root and
 * a keep rule keeps every id it (or one of its folders) matches.
 */
class GeneratedRulesFileTest {

    private static final double MIN = 1;

    @Provide
    Arbitrary<String> ttls() {
        Arbitrary<String> number = Arbitraries.doubles().between(-10, 2_000_000).ofScale(3).map(d -> BigDecimal.valueOf(d).toPlainString());
        Arbitrary<String> suffix = Arbitraries.of("", "d", "h", "f", "e3", "e308", "e-3", " ", "_0", "0x", ".5.5");
        Arbitrary<String> special = Arbitraries.of(".nan", ".inf", "-.inf", "NaN", "Infinity", "0x18", "1_000", "true", "~", "[24]", "''",
                "0o17", "+24", "24.", ".5", "1e3");
        Arbitrary<String> built = net.jqwik.api.Combinators.combine(number, suffix, Arbitraries.of(true, false))
                .as((n, s, quoted) -> quoted ? "\"" + n + s + "\"" : n + s);
        return Arbitraries.oneOf(built, special);
    }

    @Property(tries = 400)
    void anAcceptedTtlIsThePlainNumberWrittenAndAtLeastTheMinimum(@ForAll("ttls") String ttl) {
        RulesFile.Read read = RulesFile.parse("retention:\n  - {name: r, match: \"uploads/**\", ttlHours: " + ttl + "}\n", 24, MIN, "g");
        net.jqwik.api.statistics.Statistics.label("ttl").collect(read.rules() == null ? "refused" : "accepted");
        if (read.rules() == null) {
            assertThat(read.problems()).isNotEmpty().allSatisfy(p -> assertThat(p).contains("fix: "));
            return;
        }
        double hours = read.rules().retention().get(0).ttlHours();
        String plain = ttl.replace("\"", "").trim();
        // the oracle: what a person reads as a number of hours, and nothing else
        BigDecimal written = new BigDecimal(plain.replace("_", ""));
        assertThat(plain).matches("[+]?[0-9_]*\\.?[0-9]*(e[+-]?[0-9]+)?");
        assertThat(hours).isEqualTo(written.doubleValue()).isGreaterThanOrEqualTo(MIN).isLessThanOrEqualTo(1_000_000);
    }

    @Provide
    Arbitrary<String> patterns() {
        Arbitrary<String> piece = Arbitraries.of("uploads", "Uploads", "hold", "a", "b", "*", "**", "?", ".", "..", "", "x.csv", "\\",
                "caf\u00e9", "cafe\u0301", "h\u200Bold", "h\u202Eold", " ");
        return piece.list().ofMinSize(1).ofMaxSize(5).map(parts -> String.join("/", parts));
    }

    @Provide
    Arbitrary<String> ids() {
        Arbitrary<String> piece = Arbitraries.of("uploads", "Uploads", "hold", "a", "b", "x.csv", "caf\u00e9", "cafe\u0301", "job_1");
        return piece.list().ofMinSize(1).ofMaxSize(5).map(parts -> String.join("/", parts));
    }

    @Property(tries = 600)
    void anAcceptedPatternStaysUnderTheRootAndAKeepRuleKeepsWhatItMatches(@ForAll("patterns") String pattern, @ForAll("ids") String id) {
        String yaml = "keep:\n  - {name: k, match: \"" + pattern.replace("\\", "\\\\") + "\"}\n";
        RulesFile.Read read = RulesFile.parse(yaml, 24, MIN, "g");
        net.jqwik.api.statistics.Statistics.label("pattern").collect(read.rules() == null ? "refused" : "accepted");
        boolean safe = !pattern.startsWith("/") && !pattern.contains("\\") && List.of(pattern.split("/", -1)).stream()
                .noneMatch(s -> s.isEmpty() || s.equals(".") || s.equals(".."))
                && pattern.codePoints().noneMatch(c -> c == 0x200B || c == 0x202E)
                && Normalizer.isNormalized(pattern, Normalizer.Form.NFC);
        if (!safe) {
            assertThat(read.rules()).as(pattern).isNull();
            return;
        }
        assertThat(read.problems()).as(pattern).isEmpty();
        RunRules rules = read.rules().bind(Instant.now());
        boolean oracle = false;
        String seen = Normalizer.normalize(id, Normalizer.Form.NFC).toLowerCase(Locale.ROOT);
        String[] segments = seen.split("/");
        for (int n = 1; n <= segments.length; n++) {
            oracle |= globMatches(pattern.toLowerCase(Locale.ROOT), String.join("/", List.of(segments).subList(0, n)));
        }
        net.jqwik.api.statistics.Statistics.label("oracle").collect(oracle ? "matches" : "does not match");
        if (oracle) {
            assertThat(rules.keptBy(new ScannedItem(StoreKind.BLOB, id, Instant.EPOCH, "f", null))).as(pattern + " on " + id).isNotNull();
        }
    }

    /** The oracle's glob: a plain backtracking matcher, written apart from PathGlob. */
    static boolean globMatches(String p, String s) {
        if (p.isEmpty()) {
            return s.isEmpty();
        }
        if (p.startsWith("**/")) {
            if (globMatches(p.substring(3), s)) {
                return true;
            }
            for (int i = 0; i < s.length(); i++) {
                if (s.charAt(i) == '/' && globMatches(p.substring(3), s.substring(i + 1))) {
                    return true;
                }
            }
            return false;
        }
        if (p.startsWith("**")) {
            for (int i = 0; i <= s.length(); i++) {
                if (globMatches(p.substring(2), s.substring(i))) {
                    return true;
                }
            }
            return false;
        }
        if (p.charAt(0) == '*') {
            for (int i = 0; i <= s.length(); i++) {
                if (globMatches(p.substring(1), s.substring(i))) {
                    return true;
                }
                if (i < s.length() && s.charAt(i) == '/') {
                    return false;
                }
            }
            return false;
        }
        if (s.isEmpty()) {
            return false;
        }
        if (p.charAt(0) == '?') {
            return s.charAt(0) != '/' && globMatches(p.substring(1), s.substring(1));
        }
        return p.charAt(0) == s.charAt(0) && globMatches(p.substring(1), s.substring(1));
    }
}
