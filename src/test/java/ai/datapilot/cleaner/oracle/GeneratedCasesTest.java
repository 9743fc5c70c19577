package ai.datapilot.cleaner.oracle;

import ai.datapilot.cleaner.demo.PrivateRedis;
import ai.datapilot.cleaner.oracle.Keyspace.Expect;
import ai.datapilot.cleaner.oracle.Keyspace.Key;
import ai.datapilot.cleaner.oracle.Keyspace.Tri;
import ai.datapilot.cleaner.oracle.Keyspace.Verdict;
import ai.datapilot.cleaner.oracle.Mutator.Done;
import ai.datapilot.cleaner.oracle.Mutator.Mutation;
import ai.datapilot.cleaner.oracle.Mutator.Op;
import ai.datapilot.cleaner.oracle.Mutator.Planned;
import ai.datapilot.cleaner.oracle.Snapshots.Entry;
import ai.datapilot.cleaner.oracle.Snapshots.Type;
import ai.datapilot.cleaner.oracle.Tree.Fact;
import ai.datapilot.cleaner.testing.CleanerRuns;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.AfterTry;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.lifecycle.BeforeTry;
import redis.clients.jedis.Jedis;

/**
 * Generated cases (jqwik): random storage trees, keyspaces and settings, and random changes made
 * while a run is going; every run-once is checked against a small oracle computed from the
 * generated case itself, never from the cleaner's code. The oracle asserts what must hold:
 * everything deleted was expired (and chosen by the cap, oldest first), nothing outside the
 * prefixes, the job keys or database 5 was touched, the audit's counts are what happened, a dry
 * run deletes nothing, and the exit code matches the errors.
 *
 * <p>Tries per property: {@code -Doracle.tries=N}; a failure prints its seed and the command that
 * replays it ({@code -Doracle.seed=S}). For triage only, {@code -Doracle.ignore=text1,text2} drops
 * violations containing those texts, so a known failure does not hide the next one, and
 * {@code -Doracle.triage=FILE} appends every try's violations to FILE instead of failing.
 */
@AddLifecycleHook(SeedInFailure.class)
class GeneratedCasesTest {

    private static final Set<String> AUDIT_DIR = Set.of("maintenance", "maintenance/cleaner_runs");
    private static final String LOCK = ".datapilot-cleaner.lock";
    private static final byte[] LEASE_KEY = "datapilot-cleaner:lease".getBytes();

    private static final List<String> IGNORED = Arrays.stream(System.getProperty("oracle.ignore", "").split(","))
            .filter(t -> !t.isBlank()).toList();

    private static PrivateRedis redis;
    private Path world;

    @BeforeContainer
    static void startRedis() throws IOException {
        redis = PrivateRedis.start();
    }

    /** Where a try's time goes (printed at the end): making the case, the run itself, the checks. */
    private static final long[] NANOS = new long[4];
    private static int runs;

    @AfterContainer
    static void stopRedis() {
        System.out.printf("generated cases: %d run(s); per run: making %.1f ms, run-once %.1f ms, snapshots and checks %.1f ms, clean-up %.1f ms%n",
                runs, NANOS[0] / 1e6 / Math.max(1, runs), NANOS[1] / 1e6 / Math.max(1, runs), NANOS[2] / 1e6 / Math.max(1, runs),
                NANOS[3] / 1e6 / Math.max(1, runs));
        if (redis != null) {
            redis.close();
        }
    }

    /**
     * One try at a time: jqwik runs shrinking steps on a thread of their own and, past its time
     * bound, abandons one still running, which would share Redis with the next try.
     */
    private static final java.util.concurrent.Semaphore ONE_TRY = new java.util.concurrent.Semaphore(1);

    @BeforeTry
    void freshWorld() throws IOException, InterruptedException {
        ONE_TRY.acquire();
        if (!redis.isAlive()) {
            redis.restart();
        }
        try (Jedis jedis = jedis()) {
            jedis.flushAll();
        }
        world = Files.createTempDirectory("cleaner-oracle-");
    }

    @AfterTry
    void removeWorld() throws IOException {
        long t = System.nanoTime();
        try {
            if (world != null) {
                deleteTree(world);
            }
        } finally {
            ONE_TRY.release();
        }
        NANOS[3] += System.nanoTime() - t;
    }

    // ---------------------------------------------------------------- the properties

    /** Storage trees first: links, odd names, nested and empty folders; a few keys beside them. */
    @Property(tries = 400, shrinking = ShrinkingMode.BOUNDED)
    void storageTrees(@ForAll("bigTrees") Tree.Shape tree, @ForAll("fewKeys") List<Key> keys, @ForAll("settings") Settings settings)
            throws Exception {
        checkOneRun(tree, keys, settings);
    }

    /** Keyspaces first: every value form and type, sizes across 64 KiB, look-alikes in dbs 0 and 3. */
    @Property(tries = 400, shrinking = ShrinkingMode.BOUNDED)
    void keyspaces(@ForAll("smallTrees") Tree.Shape tree, @ForAll("manyKeys") List<Key> keys, @ForAll("settings") Settings settings)
            throws Exception {
        checkOneRun(tree, keys, settings);
    }

    /**
     * Changes while the run is going. Only what must hold under every interleaving is asserted;
     * not shrunk, as a shrink step would not replay the same interleaving.
     */
    @Property(tries = 300, shrinking = ShrinkingMode.OFF)
    void changesDuringTheRun(@ForAll("bigTrees") Tree.Shape tree, @ForAll("fewKeys") List<Key> keys, @ForAll("settingsForChanges") Settings settings,
            @ForAll("schedules") List<Mutation> schedule) throws Exception {
        checkRunWithChanges(tree, keys, settings, schedule);
    }

    @Provide
    Arbitrary<Tree.Shape> bigTrees() {
        return Tree.shapes(40);
    }

    @Provide
    Arbitrary<Tree.Shape> smallTrees() {
        return Tree.shapes(8);
    }

    @Provide
    Arbitrary<List<Key>> fewKeys() {
        return Keyspace.keyspaces(10);
    }

    @Provide
    Arbitrary<List<Key>> manyKeys() {
        return Keyspace.keyspaces(40);
    }

    @Provide
    Arbitrary<List<Mutation>> schedules() {
        return Mutator.schedules();
    }

    /** JOB_TTL_HOURS, CLEANER_MAX_DELETE_BATCH and CLEANER_DRY_RUN of one run (deletes are not paced). */
    record Settings(String ttlHours, int cap, boolean dryRun) {
        Duration ttl() {
            return Duration.ofSeconds(Math.round(Double.parseDouble(ttlHours) * 3600));
        }
    }

    @Provide
    Arbitrary<Settings> settings() {
        Arbitrary<String> ttl = Arbitraries.of("24", "1", "2.5", "168");
        Arbitrary<Integer> cap = Arbitraries.frequencyOf(Tuple.of(3, Arbitraries.just(500)), Tuple.of(4, Arbitraries.integers().between(1, 5)),
                Tuple.of(3, Arbitraries.integers().between(6, 30)), Tuple.of(1, Arbitraries.just(0)));
        Arbitrary<Boolean> dry = Arbitraries.frequency(Tuple.of(4, false), Tuple.of(1, true));
        return Combinators.combine(ttl, cap, dry).as(Settings::new);
    }

    /** Mostly an open cap, so the deletes a change can meet happen. */
    @Provide
    Arbitrary<Settings> settingsForChanges() {
        Arbitrary<Integer> cap = Arbitraries.frequencyOf(Tuple.of(6, Arbitraries.just(500)), Tuple.of(1, Arbitraries.integers().between(1, 30)));
        Arbitrary<Boolean> dry = Arbitraries.frequency(Tuple.of(6, false), Tuple.of(1, true));
        return Combinators.combine(Arbitraries.of("24", "1", "2.5", "168"), cap, dry).as(Settings::new);
    }

    // ---------------------------------------------------------------- one try

    /** The generated case as made on disk and in Redis, with the oracle's answers. */
    private final class Made {
        final Settings settings;
        final Instant base = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        final Tree.Built tree;
        final List<Key> keys;
        final Map<Bytes, Expect> expects = new LinkedHashMap<>();
        final Map<Bytes, Key> keyOf = new HashMap<>();
        final Map<String, Object> byId = new HashMap<>();
        Map<Path, Entry> treeBefore;
        Map<Integer, Map<Bytes, Bytes>> redisBefore;
        CleanerRuns.Result result;
        final List<String> violations = new ArrayList<>();

        Made(Tree.Shape shape, List<Key> keys, Settings settings) throws IOException {
            this.settings = settings;
            this.keys = keys;
            this.tree = Tree.build(shape, world, base, settings.ttl());
            try (Jedis jedis = jedis()) {
                Keyspace.write(jedis, keys, base, settings.ttl());
            }
            for (Key k : keys) {
                keyOf.putIfAbsent(new Bytes(k.key()), k);
                Expect e = Keyspace.expect(k, base, settings.ttl());
                if (e != null) {
                    expects.put(new Bytes(k.key()), e);
                    for (String id : Bytes.auditIds(k.key())) {
                        register(id, e);
                    }
                }
            }
            for (Fact f : tree.facts.values()) {
                if (f.path().startsWith(tree.root)) {
                    for (String id : fileIds(f.path())) {
                        register(id, f);
                    }
                }
            }
        }

        void addFact(Fact f) {
            tree.facts.put(f.path(), f);
            for (String id : fileIds(f.path())) {
                register(id, f);
            }
        }

        private void register(String id, Object item) {
            Object before = byId.put(id, item);
            if (before != null && before != item) {
                throw new IllegalStateException("the test made two items with the audit id " + id);
            }
        }

        Set<String> fileIds(Path p) {
            String rel = tree.root.relativize(p).toString();
            Set<String> ids = new LinkedHashSet<>(Bytes.auditIds(rel.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            ids.add(rel);
            if (rel.contains("\uFFFD\uFFFD")) {
                ids.add(Bytes.escaped(rel.replace("\uFFFD\uFFFD", "\u0000\u0000").getBytes(java.nio.charset.StandardCharsets.UTF_8))
                        .replace("\\x00\\x00", "\\xff\\xfe"));
            }
            return ids;
        }

        Map<String, String> env() {
            return CleanerRuns.env(tree.root, "redis://127.0.0.1:" + redis.port() + "/" + Keyspace.DB,
                    "JOB_TTL_HOURS", settings.ttlHours, "CLEANER_MAX_DELETE_BATCH", Integer.toString(settings.cap),
                    "CLEANER_DRY_RUN", Boolean.toString(settings.dryRun), "CLEANER_LOG_LEVEL", "WARN");
        }

        void snapshotBefore() throws IOException {
            treeBefore = Snapshots.tree(world);
            try (Jedis jedis = jedis()) {
                redisBefore = Snapshots.redis(jedis);
            }
        }

        String key(Bytes key) {
            Key k = keyOf.get(key);
            return k == null ? key.toString() : k.toString();
        }

        String item(Item i) {
            return i.made instanceof Expect x ? key(new Bytes(x.key())) : i.id;
        }

        void violation(String text) {
            if (IGNORED.stream().noneMatch(text::contains)) {
                violations.add(text);
            }
        }

        void failIfViolated(String extra) {
            if (violations.isEmpty()) {
                return;
            }
            StringBuilder s = new StringBuilder("the cleaner broke the oracle's rules:\n");
            violations.forEach(v -> s.append("  - ").append(v.replace("\n", "\\n")).append('\n'));
            s.append("settings: ").append(settings).append('\n');
            s.append("exit code ").append(result == null ? "?" : result.exitCode()).append('\n');
            if (result != null && result.audit() != null) {
                JsonNode a = result.audit();
                s.append("audit: errors=").append(a.get("errors")).append(" skipped=").append(a.get("skipped")).append('\n');
                s.append("audit items: ").append(a.get("items")).append('\n');
            }
            s.append(extra);
            String triage = System.getProperty("oracle.triage", "");
            if (!triage.isBlank()) {
                try {
                    Files.writeString(Path.of(triage), s + "\n", java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                return;
            }
            throw new AssertionError(s.toString());
        }
    }

    private void checkOneRun(Tree.Shape shape, List<Key> keys, Settings settings) throws Exception {
        long t0 = System.nanoTime();
        Made made = new Made(shape, keys, settings);
        long t1 = System.nanoTime();
        made.snapshotBefore();
        long t2 = System.nanoTime();
        made.result = CleanerRuns.run(made.env());
        long t3 = System.nanoTime();
        runs++;
        NANOS[0] += t1 - t0;
        NANOS[1] += t3 - t2;
        NANOS[2] += t2 - t1;
        Map<Path, Entry> treeAfter = Snapshots.tree(world);
        Map<Integer, Map<Bytes, Bytes>> redisAfter;
        try (Jedis jedis = jedis()) {
            redisAfter = Snapshots.redis(jedis);
        }
        JsonNode audit = made.result.audit();
        if (audit == null) {
            made.violation("no audit record was written");
            made.failIfViolated("");
        }
        List<Item> items = auditItems(made);
        checkTree(made, treeAfter, items, Map.of(), false);
        checkRedis(made, redisAfter, items, Set.of(), Set.of());
        checkCountsAndPlan(made, items, treeAfter, redisAfter);
        NANOS[2] += System.nanoTime() - t3;
        made.failIfViolated("case: " + shape + "\nkeys: " + keys);
    }

    private void checkRunWithChanges(Tree.Shape shape, List<Key> keys, Settings settings, List<Mutation> schedule) throws Exception {
        long t0 = System.nanoTime();
        Made made = new Made(shape, keys, settings);
        List<Planned> plan = plan(made, schedule);
        long t1 = System.nanoTime();
        made.snapshotBefore();
        Mutator mutator = new Mutator(plan, redis.port());
        mutator.start();
        long t2 = System.nanoTime();
        try {
            made.result = CleanerRuns.run(made.env());
        } finally {
            mutator.finish();
        }
        long t3 = System.nanoTime();
        runs++;
        NANOS[0] += t1 - t0;
        NANOS[1] += t3 - t2;
        NANOS[2] += t2 - t1;
        Map<Path, Entry> treeAfter = Snapshots.tree(world);
        Map<Integer, Map<Bytes, Bytes>> redisAfter;
        try (Jedis jedis = jedis()) {
            redisAfter = Snapshots.redis(jedis);
        }
        if (made.result.audit() == null) {
            made.violation("no audit record was written");
            made.failIfViolated("");
        }
        List<Item> items = auditItems(made);
        JsonNode audit = made.result.audit();
        Instant started = Instant.parse(audit.get("startedAt").asText());
        JsonNode plannedMs = audit.path("durationsMillis").path("scanAndPlan");
        // every re-check comes after the plan is decided: a change complete before then must be seen
        Instant planDecided = plannedMs.isNumber() ? started.plusMillis(plannedMs.asLong()) : started;

        Map<Path, Path> moved = new HashMap<>();
        Set<Bytes> deletedByTest = new HashSet<>();
        Set<Bytes> rewrittenKeys = new HashSet<>();
        List<String> notes = new ArrayList<>();
        for (Done d : mutator.done()) {
            notes.add(d.m() + " " + (d.path() != null ? made.tree.id(d.path()) : d.key()) + ": " + d.note() + " at " + d.completedAt());
            Planned p = plan.stream().filter(x -> x.m == d.m()).findFirst().orElseThrow();
            if (d.m().op() == Op.SWAP_FOLDER && d.applied()) {
                moved.put(p.path, p.parked);
                if (!Snapshots.exists(p.path) || !Files.isSymbolicLink(p.path)) {
                    made.violation("the link swapped in for " + made.tree.id(p.path) + " (young) was removed");
                }
            }
            if (d.m().op() == Op.DELETE_KEY && d.applied()) {
                deletedByTest.add(d.key());
            }
            if (d.m().op() == Op.REWRITE_KEY && d.applied()) {
                rewrittenKeys.add(d.key());
            }
        }
        checkTreeWithChanges(made, treeAfter, items, mutator.done(), moved, planDecided);
        checkRedis(made, redisAfter, items, deletedByTest, rewrittenKeys);
        checkInternalCounts(made, items);
        NANOS[2] += System.nanoTime() - t3;
        made.failIfViolated("case: " + shape + "\nkeys: " + keys + "\nchanges: " + String.join("; ", notes)
                + "\nplan decided at " + planDecided);
    }

    /** Resolves a schedule to targets: each file, folder or key changed once, never a file inside a folder also swapped. */
    private List<Planned> plan(Made made, List<Mutation> schedule) throws IOException {
        List<Path> files = made.tree.facts.values().stream()
                .filter(f -> f.scanned() && !Files.isSymbolicLink(f.path()) && f.verdict() != Verdict.NEVER)
                .map(Fact::path).toList();
        // swaps go to folders holding expired files when there are any: those are the deletes a swap can misdirect
        List<Path> withExpired = made.tree.jobFolders.stream().filter(d -> files.stream().anyMatch(f -> d.equals(f.getParent()))).toList();
        List<Path> folders = withExpired.isEmpty() ? made.tree.jobFolders : withExpired;
        List<Bytes> keys = made.expects.values().stream().filter(e -> e.verdict() != Verdict.NEVER).map(e -> new Bytes(e.key())).toList();
        Set<Object> used = new HashSet<>();
        List<Path> swapped = new ArrayList<>();
        List<Planned> plan = new ArrayList<>();
        Path parkedDir = Files.createDirectories(world.resolve("parked"));
        int n = 0;
        for (Mutation m : schedule) {
            n++;
            switch (m.op()) {
                case REWRITE_FILE, DELETE_FILE, REUPLOAD_FILE -> {
                    if (files.isEmpty()) {
                        continue;
                    }
                    Path f = files.get(m.target() % files.size());
                    if (!used.add(f) || swapped.stream().anyMatch(f::startsWith)) {
                        continue;
                    }
                    plan.add(new Planned(m, f, null, null, null, null));
                }
                case SWAP_FOLDER, SWAP_LOOP -> {
                    if (folders.isEmpty()) {
                        continue;
                    }
                    Path d = folders.get(m.target() % folders.size());
                    if (swapped.stream().anyMatch(s -> d.startsWith(s) || s.startsWith(d))
                            || used.stream().anyMatch(u -> u instanceof Path p && p.startsWith(d))) {
                        continue;
                    }
                    swapped.add(d);
                    if (m.op() == Op.SWAP_LOOP) {
                        // many expired files, so many deletes meet the loop (a misdirected delete hits about 1 in 100)
                        for (int k = 0; k < 80; k++) {
                            Path f = d.resolve("bulk-" + k);
                            Instant mtime = made.base.minus(made.settings.ttl()).minus(Duration.ofHours(3)).minusSeconds(k);
                            Tree.write(f, mtime);
                            made.addFact(new Fact(f, "expired file", Verdict.DEFINITE, mtime, Tri.NO, true));
                        }
                    }
                    // the outside folder holds expired files and an empty folder named like the job's own
                    Path target = Files.createDirectories(made.tree.outside.resolve("swap-" + n));
                    Set<String> names = new TreeSet<>();
                    try (var list = Files.list(d)) {
                        list.forEach(c -> names.add(c.getFileName().toString()));
                    }
                    names.add("data.csv");
                    for (String name : names) {
                        Path c = d.resolve(name);
                        if (Files.isDirectory(c, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                            Files.createDirectories(target.resolve(name));
                        } else {
                            Tree.write(target.resolve(name), made.base.minus(made.settings.ttl()).minus(Duration.ofDays(3)));
                        }
                    }
                    Files.createDirectories(target.resolve("empty-sub"));
                    plan.add(new Planned(m, d, null, parkedDir.resolve("p" + n), target, d.resolveSibling(".swap-link-" + n)));
                }
                case REWRITE_KEY, DELETE_KEY -> {
                    if (keys.isEmpty()) {
                        continue;
                    }
                    Bytes k = keys.get(m.target() % keys.size());
                    if (!used.add(k)) {
                        continue;
                    }
                    plan.add(new Planned(m, null, k, null, null, null));
                }
            }
        }
        // a file the test touches is never inside a folder it swaps (the order above may have allowed it)
        plan.removeIf(p -> p.path != null && p.parked == null && swapped.stream().anyMatch(p.path::startsWith));
        return plan;
    }

    // ---------------------------------------------------------------- the checks

    /** One entry of the audit's items, tied to what the test made. */
    record Item(String store, String id, Instant timestamp, String outcome, String reason, Object made) {
        boolean removes() {
            return outcome.equals("deleted") || outcome.equals("would_delete");
        }

        boolean alreadyGone() {
            return reason != null && reason.contains("already gone");
        }
    }

    private List<Item> auditItems(Made made) {
        List<Item> items = new ArrayList<>();
        for (JsonNode i : made.result.audit().path("items")) {
            String id = i.path("id").asText();
            Object m = made.byId.get(id);
            String store = i.path("store").asText();
            if (m == null) {
                made.violation("the audit names an item the test never made (or outside what may be scanned): " + store + " " + id);
            } else if (store.equals("blob") != (m instanceof Fact)) {
                made.violation("the audit gives " + id + " the wrong store " + store);
            }
            Instant ts = null;
            try {
                ts = Instant.parse(i.path("timestamp").asText());
            } catch (RuntimeException e) {
                made.violation("the audit's timestamp of " + id + " is not an instant: " + i.path("timestamp"));
            }
            items.add(new Item(store, id, ts, i.path("outcome").asText(), i.path("reason").asText(null), m));
        }
        return items;
    }

    private Set<Path> allowedNew(Made made) {
        Set<Path> allowed = new HashSet<>();
        allowed.add(made.tree.root.resolve(LOCK));
        AUDIT_DIR.forEach(d -> allowed.add(made.tree.root.resolve(d)));
        String auditFile = made.result.summary().path("auditFile").asText("");
        if (!auditFile.isEmpty()) {
            allowed.add(Path.of(auditFile));
        }
        return allowed;
    }

    /** Without changes: the tree after the run is the tree before, less expired files and the folders they emptied. */
    private void checkTree(Made made, Map<Path, Entry> after, List<Item> items, Map<Path, Path> moved, boolean changes) {
        Set<Path> removedFiles = new LinkedHashSet<>();
        Set<Path> removedDirs = new LinkedHashSet<>();
        for (var e : made.treeBefore.entrySet()) {
            Path p = e.getKey();
            Entry now = after.get(p);
            if (now == null) {
                if (e.getValue().type() == Type.DIR) {
                    removedDirs.add(p);
                } else {
                    removedFiles.add(p);
                }
            } else if (!e.getValue().sameAs(now) && !p.equals(made.tree.root.resolve(LOCK))) {
                made.violation("modified: " + describe(made, p) + " (" + e.getValue().type() + " -> " + now.type() + ")");
            }
        }
        Set<Path> allowed = allowedNew(made);
        for (Path p : after.keySet()) {
            if (!made.treeBefore.containsKey(p) && !allowed.contains(p)) {
                made.violation("left behind: " + describe(made, p));
            }
        }
        String auditFile = made.result.summary().path("auditFile").asText("");
        if (auditFile.isEmpty() || !after.containsKey(Path.of(auditFile))) {
            made.violation("the audit file named by the summary is not in the audit folder: " + auditFile);
        }
        for (Path p : removedFiles) {
            Fact f = made.tree.facts.get(p);
            if (f == null || f.verdict() == Verdict.NEVER || !f.scanned()) {
                made.violation("deleted " + describe(made, p) + (f == null ? "" : " (" + f.what() + ")"));
            }
        }
        if (made.settings.dryRun && !removedFiles.isEmpty()) {
            made.violation("a dry run deleted " + removedFiles.size() + " file(s)");
        }
        Set<Path> emptied = emptiedFolders(made, removedFiles);
        for (Path d : removedDirs) {
            if (!emptied.contains(d)) {
                made.violation("removed a folder the run did not empty: " + describe(made, d));
            }
        }
        if (!changes && !emptied.equals(removedDirs)) {
            Set<Path> kept = new LinkedHashSet<>(emptied);
            kept.removeAll(removedDirs);
            made.violation("folders emptied by the run were not removed: " + kept.stream().map(d -> describe(made, d)).toList());
        }
        // the audit says what happened to the files
        Set<Path> auditDeleted = new LinkedHashSet<>();
        for (Item i : items) {
            if (i.made instanceof Fact f && i.outcome.equals("deleted")) {
                auditDeleted.add(f.path());
            }
        }
        if (!changes && !auditDeleted.equals(removedFiles)) {
            made.violation("the audit's deleted files " + ids(made, auditDeleted) + " are not the files removed " + ids(made, removedFiles));
        }
        long folders = made.result.audit().path("foldersRemoved").asLong(-1);
        if (folders != removedDirs.size()) {
            made.violation("foldersRemoved is " + folders + " but " + removedDirs.size() + " folder(s) were removed");
        }
    }

    /** Folders strictly below a real prefix whose whole content before the run was removed by it. */
    private Set<Path> emptiedFolders(Made made, Set<Path> removedFiles) {
        Set<Path> candidates = new TreeSet<>(Comparator.comparingInt(Path::getNameCount).reversed().thenComparing(Comparator.naturalOrder()));
        for (Path f : removedFiles) {
            for (Path d = f.getParent(); d != null && made.tree.jobFolders.contains(d); d = d.getParent()) {
                candidates.add(d);
            }
        }
        Map<Path, List<Path>> children = new HashMap<>();
        for (Path p : made.treeBefore.keySet()) {
            if (p.getParent() != null) {
                children.computeIfAbsent(p.getParent(), k -> new ArrayList<>()).add(p);
            }
        }
        Set<Path> emptied = new LinkedHashSet<>();
        for (Path d : candidates) {
            boolean all = children.getOrDefault(d, List.of()).stream().allMatch(c -> removedFiles.contains(c) || emptied.contains(c));
            if (all) {
                emptied.add(d);
            }
        }
        return emptied;
    }

    private void checkTreeWithChanges(Made made, Map<Path, Entry> after, List<Item> items, List<Done> done, Map<Path, Path> moved,
            Instant planDecided) {
        Map<Path, Done> byPath = new HashMap<>();
        List<Path> swapped = new ArrayList<>();
        for (Done d : done) {
            if (d.path() != null) {
                byPath.put(d.path(), d);
            }
            if (d.m().op() == Op.SWAP_FOLDER || d.m().op() == Op.SWAP_LOOP) {
                swapped.add(d.path());
            }
        }
        Set<Path> allowed = allowedNew(made);
        Path parked = world.resolve("parked");
        Set<String> auditDeleted = new HashSet<>();
        for (Item i : items) {
            if (i.made instanceof Fact f && i.outcome.equals("deleted")) {
                auditDeleted.add(made.tree.id(f.path()));
            }
        }
        for (var e : made.treeBefore.entrySet()) {
            Path p = e.getKey();
            Path swappedAway = moved.keySet().stream().filter(p::startsWith).findFirst().orElse(null);
            Path now = swappedAway == null ? p : moved.get(swappedAway).resolve(swappedAway.relativize(p));
            Entry entry = after.get(now);
            Fact fact = made.tree.facts.get(p);
            Done d = byPath.get(p);
            boolean inPrefix = fact != null && fact.scanned() || made.tree.jobFolders.contains(p);
            if (!inPrefix) {
                // outside the prefixes (the outside folders, links' targets, the audit folder): untouched
                if (p.startsWith(parked) || made.tree.root.resolve(LOCK).equals(p)) {
                    continue;
                }
                if (entry == null) {
                    made.violation("removed " + describe(made, p) + " outside what may be cleaned");
                } else if (!e.getValue().sameAs(entry)) {
                    made.violation("modified " + describe(made, p) + " outside what may be cleaned");
                }
                continue;
            }
            if (e.getValue().type() == Type.DIR) {
                continue; // emptied folders may go; a folder is never an item
            }
            if (entry != null) {
                continue;
            }
            if (d != null && d.m().op() == Op.DELETE_FILE && d.applied()) {
                continue;
            }
            String id = made.tree.id(p);
            if (d != null && (d.m().op() == Op.REWRITE_FILE || d.m().op() == Op.REUPLOAD_FILE) && d.applied()) {
                if (d.completedAt().isBefore(planDecided)) {
                    made.violation("deleted " + describe(made, p) + ", made young (" + d.note() + ") at " + d.completedAt()
                            + ", before the plan was decided");
                }
                continue; // after the plan: the re-check and the delete may straddle the change
            }
            if (fact.verdict() == Verdict.NEVER) {
                made.violation("deleted " + describe(made, p) + " (" + fact.what() + ")");
            }
            if (!auditDeleted.contains(id)) {
                made.violation("removed " + describe(made, p) + " but the audit does not say deleted");
            }
        }
        for (Path p : after.keySet()) {
            if (!made.treeBefore.containsKey(p) && !allowed.contains(p) && !p.startsWith(parked) && byPath.get(p) == null
                    && !moved.containsKey(p) && !p.getFileName().toString().startsWith(".swap-link-")) {
                made.violation("left behind: " + describe(made, p));
            }
        }
        if (made.settings.dryRun) {
            for (Item i : items) {
                if (i.outcome.equals("deleted")) {
                    made.violation("a dry run reports " + i.id + " deleted");
                }
            }
        }
        // what the audit says was deleted is gone (unless the test put a file back there)
        for (Item i : items) {
            if (i.made instanceof Fact f && i.outcome.equals("deleted")) {
                Path swappedAway = moved.keySet().stream().filter(f.path()::startsWith).findFirst().orElse(null);
                Path now = swappedAway == null ? f.path() : moved.get(swappedAway).resolve(swappedAway.relativize(f.path()));
                Done d = byPath.get(f.path());
                // a folder swapped away for a moment really was gone at that instant: "already gone" is true then
                boolean wasSwapped = swapped.stream().anyMatch(f.path()::startsWith);
                if (after.containsKey(now) && (d == null || d.m().op() != Op.REUPLOAD_FILE) && !(wasSwapped && i.alreadyGone())) {
                    made.violation("the audit says " + i.id + " was deleted, but it is still there");
                }
                if (d != null && d.m().op() == Op.DELETE_FILE && d.applied() && !i.alreadyGone()) {
                    made.violation("the audit says " + i.id + " was deleted by the run, but the test deleted it");
                }
            }
        }
    }

    /** Only expired job keys of database 5 go; every other key of every database is untouched; the lease is released. */
    private void checkRedis(Made made, Map<Integer, Map<Bytes, Bytes>> after, List<Item> items, Set<Bytes> deletedByTest, Set<Bytes> rewritten) {
        Set<Integer> dbs = new TreeSet<>(made.redisBefore.keySet());
        dbs.addAll(after.keySet());
        Set<Bytes> removed = new LinkedHashSet<>();
        for (int db : dbs) {
            Map<Bytes, Bytes> before = made.redisBefore.getOrDefault(db, Map.of());
            Map<Bytes, Bytes> now = after.getOrDefault(db, Map.of());
            for (var e : before.entrySet()) {
                Bytes key = e.getKey();
                Bytes value = now.get(key);
                boolean ours = db == Keyspace.DB && (deletedByTest.contains(key) || rewritten.contains(key));
                if (ours) {
                    continue;
                }
                if (value == null) {
                    Expect x = db == Keyspace.DB ? made.expects.get(key) : null;
                    if (x == null || x.verdict() == Verdict.NEVER) {
                        made.violation("deleted key " + made.key(key) + " in db " + db + (x == null ? " (not a job key of db " + Keyspace.DB + ")" : " (must be kept)"));
                    } else {
                        removed.add(key);
                    }
                } else if (!value.equals(e.getValue())) {
                    made.violation("modified key " + made.key(key) + " in db " + db);
                }
            }
            for (Bytes key : now.keySet()) {
                if (!before.containsKey(key) && !(db == Keyspace.DB && rewritten.contains(key))) {
                    made.violation(Arrays.equals(key.b(), LEASE_KEY) ? "the lease " + key + " was not released (db " + db + ")"
                            : "left key " + key + " in db " + db);
                }
            }
        }
        try (Jedis jedis = jedis()) {
            jedis.select(Keyspace.DB);
            for (Bytes key : rewritten) {
                if (jedis.exists(key.b()) ? !"string".equals(jedis.type(key.b())) : true) {
                    made.violation("deleted key " + made.key(key) + " after the test rewrote it with a fresh updatedAt");
                }
            }
        }
        if (made.settings.dryRun && !removed.isEmpty()) {
            made.violation("a dry run deleted " + removed.size() + " key(s)");
        }
        Set<Bytes> auditDeleted = new LinkedHashSet<>();
        for (Item i : items) {
            if (i.made instanceof Expect x && i.outcome.equals("deleted")) {
                Bytes key = new Bytes(x.key());
                auditDeleted.add(key);
                // "already gone" counts as deleted (README), but only for a key that really is gone
                if (deletedByTest.contains(key) && !i.alreadyGone()) {
                    made.violation("the audit says " + i.id + " was deleted by the run, but the test deleted it");
                }
                if (!rewritten.contains(key) && !removed.contains(key) && !deletedByTest.contains(key)) {
                    made.violation("the audit says " + made.item(i) + " was deleted" + (i.reason == null ? "" : " (" + i.reason + ")")
                            + ", but it is still in db " + Keyspace.DB);
                }
            }
        }
        for (Bytes key : removed) {
            if (!auditDeleted.contains(key)) {
                made.violation("key " + made.key(key) + " was removed but the audit does not say deleted");
            }
        }
    }

    /** Without changes: the plan is the cap's oldest expired items, and every count is what happened. */
    private void checkCountsAndPlan(Made made, List<Item> items, Map<Path, Entry> treeAfter, Map<Integer, Map<Bytes, Bytes>> redisAfter) {
        JsonNode a = made.result.audit();
        checkInternalCounts(made, items);
        Settings s = made.settings;
        String expected = s.dryRun ? "would_delete" : "deleted";
        for (Item i : items) {
            if (!i.outcome.equals(expected)) {
                made.violation("nothing changed during the run, yet " + i.id + " is " + i.outcome + (i.reason == null ? "" : " (" + i.reason + ")"));
            }
        }
        // which items may and must be expired
        List<Object> definite = new ArrayList<>();
        int maybeBlobs = 0;
        int maybeKeys = 0;
        int definiteBlobs = 0;
        int definiteKeys = 0;
        int scannedBlobs = 0;
        int skipSure = 0;
        int skipMaybe = 0;
        int futureSure = 0;
        int futureMaybe = 0;
        Set<String> skippable = new HashSet<>();
        for (Fact f : made.tree.facts.values()) {
            if (!f.scanned()) {
                continue;
            }
            scannedBlobs++;
            if (f.verdict() == Verdict.DEFINITE) {
                definite.add(f);
                definiteBlobs++;
            } else if (f.verdict() == Verdict.MAY) {
                maybeBlobs++;
            }
            futureSure += f.future() == Tri.SURE ? 1 : 0;
        }
        for (Expect x : made.expects.values()) {
            if (x.verdict() == Verdict.DEFINITE) {
                definite.add(x);
                definiteKeys++;
            } else if (x.verdict() == Verdict.MAY) {
                maybeKeys++;
            }
            skipSure += x.skip() == Tri.SURE ? 1 : 0;
            skipMaybe += x.skip() == Tri.MAYBE ? 1 : 0;
            futureSure += x.future() == Tri.SURE ? 1 : 0;
            futureMaybe += x.future() == Tri.MAYBE ? 1 : 0;
            if (x.skip() != Tri.NO) {
                skippable.addAll(Bytes.auditIds(x.key()));
            }
        }
        long expiredBlobs = a.path("expiredBlobs").asLong(-1);
        long expiredKeys = a.path("expiredKeys").asLong(-1);
        within(made, "expiredBlobs", expiredBlobs, definiteBlobs, definiteBlobs + maybeBlobs);
        within(made, "expiredKeys", expiredKeys, definiteKeys, definiteKeys + maybeKeys);
        long plannedCount = items.size();
        long shouldPlan = Math.min(s.cap, Math.max(0, expiredBlobs) + Math.max(0, expiredKeys));
        if (plannedCount != shouldPlan) {
            made.violation("the plan has " + plannedCount + " item(s), expected min(cap " + s.cap + ", expired " + (expiredBlobs + expiredKeys) + ")");
        }
        long plannedBlobs = items.stream().filter(i -> i.store.equals("blob")).count();
        equal(made, "deferredBlobs", a.path("deferredBlobs").asLong(-1), expiredBlobs - plannedBlobs);
        equal(made, "deferredKeys", a.path("deferredKeys").asLong(-1), expiredKeys - (plannedCount - plannedBlobs));
        // the cap takes the oldest first, ties by id: no definitely expired item left out is older than one taken
        Set<Object> planned = new HashSet<>();
        for (Item i : items) {
            if (i.made == null) {
                continue;
            }
            planned.add(i.made);
            Verdict v = i.made instanceof Fact f ? f.verdict() : ((Expect) i.made).verdict();
            if (v == Verdict.NEVER) {
                made.violation("planned " + made.item(i) + ", which must be kept");
                continue;
            }
            Set<Instant> ages = i.made instanceof Fact f ? (f.age() == null ? Set.of() : Set.of(f.age())) : ((Expect) i.made).ages();
            boolean exact = v == Verdict.DEFINITE;
            if (!ages.isEmpty() && i.timestamp != null && ages.stream().noneMatch(t -> exact ? t.equals(i.timestamp)
                    : Math.abs(Duration.between(t, i.timestamp).toMillis()) <= 1000)) {
                made.violation("the audit ages " + made.item(i) + " as " + i.timestamp + ", but it means " + ages);
            }
        }
        for (Object d : definite) {
            if (planned.contains(d)) {
                continue;
            }
            Instant age = d instanceof Fact f ? f.age() : ((Expect) d).ages().iterator().next();
            String id = d instanceof Fact f ? made.tree.id(f.path()) : printableKey(((Expect) d).key());
            String store = d instanceof Fact ? "blob" : "redis";
            for (Item i : items) {
                if (i.timestamp == null) {
                    continue;
                }
                int order = i.timestamp.compareTo(age);
                if (order == 0) {
                    order = i.id.compareTo(id);
                }
                if (order == 0) {
                    order = i.store.compareTo(store);
                }
                if (order > 0) {
                    made.violation("the cap took " + i.id + " (" + i.timestamp + ") but left " + id + " (" + age + "), which comes first");
                    break;
                }
            }
        }
        // what was scanned and skipped
        long keysScanned = made.redisBefore.getOrDefault(Keyspace.DB, Map.of()).keySet().stream()
                .filter(k -> k.b().length >= 4 && Arrays.equals(Arrays.copyOf(k.b(), 4), "job:".getBytes())).count();
        equal(made, "totalKeysScanned", a.path("totalKeysScanned").asLong(-1), keysScanned);
        equal(made, "totalBlobsScanned", a.path("totalBlobsScanned").asLong(-1), scannedBlobs);
        long skippedCount = a.path("skippedCount").asLong(-1);
        within(made, "skippedCount", skippedCount, skipSure, skipSure + skipMaybe);
        List<String> skipped = new ArrayList<>();
        a.path("skipped").forEach(x -> skipped.add(x.asText()));
        if (skippedCount < 1000 && skipped.size() != skippedCount) {
            made.violation("skippedCount is " + skippedCount + " but skipped lists " + skipped.size());
        }
        for (String entry : skipped) {
            if (skippable.stream().noneMatch(id -> entry.startsWith(id + ": "))) {
                made.violation("skipped an item that has a plain age or is not a job key: " + entry);
            }
        }
        for (Expect x : made.expects.values()) {
            if (x.skip() == Tri.SURE && skipped.size() < 1000
                    && skipped.stream().noneMatch(entry -> Bytes.auditIds(x.key()).stream().anyMatch(id -> entry.startsWith(id + ": ")))) {
                made.violation("key " + made.key(new Bytes(x.key())) + " has no age the cleaner may use, yet it is not listed in skipped");
            }
        }
        within(made, "futureDated", a.path("futureDated").asLong(-1), futureSure, futureSure + futureMaybe);
        // errors and exit code: only a prefix that is not a folder is an error here
        List<String> errorTypes = new ArrayList<>();
        a.path("errors").forEach(e -> errorTypes.add(e.path("type").asText()));
        if (made.tree.prefixProblem) {
            if (errorTypes.isEmpty() || errorTypes.stream().anyMatch(t -> !t.equals("blob_scan_failed"))) {
                made.violation("a prefix that is a link or a file must be a blob_scan_failed error, got " + errorTypes);
            }
        } else if (!errorTypes.isEmpty()) {
            made.violation("errors in a run with nothing wrong: " + a.path("errors"));
        }
    }

    /** What holds whatever happened during the run: the audit agrees with itself, the summary and the exit code. */
    private void checkInternalCounts(Made made, List<Item> items) {
        JsonNode a = made.result.audit();
        JsonNode sum = made.result.summary();
        Settings s = made.settings;
        long blobs = items.stream().filter(i -> i.store.equals("blob") && i.removes()).count();
        long keys = items.stream().filter(i -> i.store.equals("redis") && i.removes()).count();
        equal(made, "deletedBlobs", a.path("deletedBlobs").asLong(-1), blobs);
        equal(made, "deletedKeys", a.path("deletedKeys").asLong(-1), keys);
        equal(made, "summary deletedBlobs", sum.path("deletedBlobs").asLong(-1), blobs);
        equal(made, "summary deletedKeys", sum.path("deletedKeys").asLong(-1), keys);
        equal(made, "summary skipped", sum.path("skipped").asLong(-1), a.path("skippedCount").asLong(-2));
        if (items.size() > s.cap) {
            made.violation(items.size() + " item(s) planned, over the cap of " + s.cap);
        }
        for (Item i : items) {
            if (s.dryRun ? i.outcome.equals("deleted") : i.outcome.equals("would_delete")) {
                made.violation((s.dryRun ? "a dry run" : "a real run") + " reports " + i.id + " as " + i.outcome);
            }
        }
        if (a.path("dryRun").asBoolean(!s.dryRun) != s.dryRun) {
            made.violation("the audit's dryRun is " + a.path("dryRun"));
        }
        if (a.path("maxDeleteBatch").asLong(-1) != s.cap) {
            made.violation("the audit's maxDeleteBatch is " + a.path("maxDeleteBatch"));
        }
        if (Math.abs(a.path("ttlHours").asDouble(-1) - Double.parseDouble(s.ttlHours)) > 1e-9) {
            made.violation("the audit's ttlHours is " + a.path("ttlHours"));
        }
        Instant started = Instant.parse(a.path("startedAt").asText());
        Instant cutoff = Instant.parse(a.path("cutoff").asText());
        if (!cutoff.equals(started.minus(s.ttl()))) {
            made.violation("cutoff " + cutoff + " is not startedAt - JOB_TTL_HOURS");
        }
        boolean errors = a.path("errors").size() > 0;
        int code = made.result.exitCode();
        if (!"completed".equals(a.path("status").asText())) {
            made.violation("status " + a.path("status") + " for a run that was not stopped");
        }
        if (code != (errors ? 1 : 0)) {
            made.violation("exit code " + code + " with " + a.path("errors").size() + " error(s)");
        }
        if (sum.path("exitCode").asInt(-1) != code) {
            made.violation("the summary's exitCode " + sum.path("exitCode") + " is not the exit code " + code);
        }
        if (sum.path("errorCount").asInt(-1) != a.path("errors").size()) {
            made.violation("the summary's errorCount " + sum.path("errorCount") + " is not the audit's " + a.path("errors").size());
        }
    }

    // ---------------------------------------------------------------- helpers

    private static void within(Made made, String field, long actual, long min, long max) {
        if (actual < min || actual > max) {
            made.violation(field + " is " + actual + ", expected " + (min == max ? Long.toString(min) : "between " + min + " and " + max));
        }
    }

    private static void equal(Made made, String field, long actual, long expected) {
        if (actual != expected) {
            made.violation(field + " is " + actual + ", expected " + expected);
        }
    }

    /** The id the cleaner's README gives a key: itself when printable UTF-8, else \xNN escapes. */
    static String printableKey(byte[] key) {
        Set<String> ids = Bytes.auditIds(key);
        String escaped = Bytes.escaped(key);
        return ids.stream().filter(id -> !id.equals(escaped) && id.codePoints().noneMatch(c -> c < 0x20 || c == 0x7f || c == '\\'))
                .findFirst().orElse(escaped);
    }

    private String describe(Made made, Path p) {
        String where = p.startsWith(made.tree.root) ? made.tree.root.relativize(p).toString() : world.relativize(p).toString();
        return "\"" + where.replace("\n", "\\n") + "\"" + (p.startsWith(made.tree.root) ? "" : " (outside the root)");
    }

    private List<String> ids(Made made, Set<Path> paths) {
        return paths.stream().map(p -> made.tree.id(p).replace("\n", "\\n")).sorted().toList();
    }

    private static Jedis jedis() {
        return new Jedis("127.0.0.1", redis.port());
    }

    private static void deleteTree(Path top) throws IOException {
        if (!Files.exists(top, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(top, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.deleteIfExists(file); // a link itself, never its target
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                Files.deleteIfExists(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
