package ai.datapilot.cleaner.rules;

import static org.assertj.core.api.Assertions.assertThat;

import ai.datapilot.cleaner.demo.PrivateRedis;
import ai.datapilot.cleaner.testing.CleanerRuns;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Generated rules files and trees, each run by run-once on a real folder, checked against a small
 * oracle that shares nothing with the cleaner's code: Java's own glob matcher, the first matching
 * retention rule's TTL, and "kept if any keep pattern matches". Ages and TTLs are chosen so no
 * item sits near a cutoff.
 */
class GeneratedRulesTest {

    private static final List<String> PREFIXES = List.of("uploads", "results");
    private static final List<String> DIRS = List.of("a", "b", "legal");
    private static final List<String> FILES = List.of("x.csv", "y_error.json", "z.json");
    private static final List<Double> AGE_DAYS = List.of(0.1, 0.5, 2.0, 5.0, 10.0, 40.0);
    private static final List<Integer> TTL_HOURS = List.of(2, 24, 100, 300, 1000);

    private static PrivateRedis redis;

    record Rule(String pattern, int ttlHours) {
    }

    record Case(List<Rule> retention, List<String> keep, int defaultTtl, Map<String, Double> files) {
    }

    @BeforeContainer
    static void startRedis() throws IOException {
        redis = PrivateRedis.start();
    }

    @AfterContainer
    static void stopRedis() {
        redis.close();
    }

    @Provide
    Arbitrary<Case> cases() {
        Arbitrary<String> pattern = Arbitraries.oneOf(
                Arbitraries.of(PREFIXES).map(p -> p + "/**"),
                Arbitraries.of(PREFIXES).flatMap(p -> Arbitraries.of(DIRS).map(d -> p + "/" + d + "/**")),
                Arbitraries.of(PREFIXES).map(p -> p + "/*/*_error.json"),
                Arbitraries.of(DIRS).map(d -> "uploads/" + d + "/*.csv"),
                Arbitraries.just("**/*.json"));
        Arbitrary<Rule> rule = pattern.flatMap(p -> Arbitraries.of(TTL_HOURS).map(t -> new Rule(p, t)));
        Arbitrary<String> file = Arbitraries.of(PREFIXES)
                .flatMap(p -> Arbitraries.of(DIRS).flatMap(d -> Arbitraries.of(FILES).map(f -> p + "/" + d + "/" + f)));
        Arbitrary<Map<String, Double>> files = Arbitraries.maps(file, Arbitraries.of(AGE_DAYS)).ofMinSize(1).ofMaxSize(12);
        return rule.list().ofMaxSize(4).flatMap(retention -> pattern.list().ofMaxSize(2).flatMap(keep ->
                Arbitraries.of(TTL_HOURS).flatMap(ttl -> files.map(f -> new Case(retention, keep, ttl, f)))));
    }

    @Property(tries = 25, shrinking = ShrinkingMode.BOUNDED)
    void whatIsDeletedIsWhatTheRulesSay(@ForAll("cases") Case c) throws Exception {
        Path world = Files.createTempDirectory("cleaner-generated-rules-");
        try {
            Path root = Files.createDirectories(world.resolve("root"));
            Files.createDirectories(root.resolve("uploads"));
            Files.createDirectories(root.resolve("results"));
            Instant now = Instant.now();
            for (Map.Entry<String, Double> f : c.files().entrySet()) {
                Path path = root.resolve(f.getKey());
                Files.createDirectories(path.getParent());
                Files.writeString(path, f.getKey());
                Files.setLastModifiedTime(path, FileTime.from(now.minus(Duration.ofMinutes(Math.round(f.getValue() * 24 * 60)))));
            }
            Path rules = world.resolve("rules.yaml");
            Files.writeString(rules, yaml(c));

            CleanerRuns.Result result = CleanerRuns.run(CleanerRuns.env(root, redis.url(), "CLEANER_DRY_RUN", "false",
                    "JOB_TTL_HOURS", Integer.toString(c.defaultTtl()), "CLEANER_RULES_FILE", rules.toString(),
                    "CLEANER_MAX_DELETE_BATCH", "1000"));

            assertThat(result.exitCode()).as(result.stdout()).isZero();
            Map<String, Boolean> expected = new LinkedHashMap<>();
            Map<String, Boolean> actual = new LinkedHashMap<>();
            for (Map.Entry<String, Double> f : c.files().entrySet()) {
                expected.put(f.getKey(), survives(c, f.getKey(), f.getValue()));
                actual.put(f.getKey(), Files.exists(root.resolve(f.getKey())));
            }
            assertThat(actual).as("which files survive, for rules:\n" + yaml(c)).isEqualTo(expected);
            long keptByRule = c.files().entrySet().stream().filter(f -> expiredUnderItsRule(c, f.getKey(), f.getValue())
                    && keptByPattern(c, f.getKey())).count();
            assertThat(result.summary().get("keptBlobs").asLong()).isEqualTo(keptByRule);
        } finally {
            try (Stream<Path> paths = Files.walk(world)) {
                for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private static boolean survives(Case c, String id, double ageDays) {
        return !expiredUnderItsRule(c, id, ageDays) || keptByPattern(c, id);
    }

    private static boolean expiredUnderItsRule(Case c, String id, double ageDays) {
        int ttl = c.defaultTtl();
        for (Rule r : c.retention()) {
            if (matcher(r.pattern()).matches(Path.of(id))) {
                ttl = r.ttlHours();
                break;
            }
        }
        return ageDays * 24 > ttl;
    }

    private static boolean keptByPattern(Case c, String id) {
        return c.keep().stream().anyMatch(k -> matcher(k).matches(Path.of(id)));
    }

    private static PathMatcher matcher(String glob) {
        return FileSystems.getDefault().getPathMatcher("glob:" + glob);
    }

    private static String yaml(Case c) {
        List<String> lines = new ArrayList<>();
        lines.add("retention:");
        for (int i = 0; i < c.retention().size(); i++) {
            Rule r = c.retention().get(i);
            lines.add("  - {name: r" + i + ", match: \"" + r.pattern() + "\", ttlHours: " + r.ttlHours() + "}");
        }
        lines.add("keep:");
        for (int i = 0; i < c.keep().size(); i++) {
            lines.add("  - {name: k" + i + ", match: \"" + c.keep().get(i) + "\"}");
        }
        return String.join("\n", lines) + "\n";
    }
}
