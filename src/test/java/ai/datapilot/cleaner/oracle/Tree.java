package ai.datapilot.cleaner.oracle;

import ai.datapilot.cleaner.oracle.Keyspace.Tri;
import ai.datapilot.cleaner.oracle.Keyspace.Verdict;
import ai.datapilot.cleaner.oracle.Stamps.Age;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/**
 * A generated storage tree: job folders and files under the prefixes with odd names and ages on
 * both sides of the cutoff, links out of the root and within it, and files the cleaner must never
 * touch (outside the root, beside the prefixes, in the audit folder).
 */
final class Tree {

    static final List<String> PREFIXES = List.of("uploads", "results");

    private Tree() {
    }

    enum PrefixState { REAL, LINK_OUT, FILE, MISSING }

    enum Kind { FILE, FOLDER, LINK_FOLDER_OUT, LINK_FOLDER_IN, LINK_FILE_OUT, LINK_FILE_IN, LINK_DANGLING, NON_UTF8_FILE,
        ROOT_FILE, OTHER_FILE, LOOKALIKE_FILE, AUDIT_FILE }

    /** One thing to create; parent, name and target are resolved modulo what exists when it is made. */
    record Node(Kind kind, int prefix, int parent, int name, Age age, int jitter, int target) {
        @Override
        public String toString() {
            return kind + "(" + PREFIXES.get(prefix) + " p" + parent + " n" + name + " " + age + (jitter == 0 ? "" : "+" + jitter)
                    + (target == 0 ? "" : " t" + target) + ")";
        }
    }

    record Shape(PrefixState uploads, PrefixState results, List<Node> nodes) {
        PrefixState state(int prefix) {
            return prefix == 0 ? uploads : results;
        }
    }

    static final List<String> FILE_NAMES = List.of("data.csv", "with space.txt", "-rf", "--help", "line\nbreak", "tab\tname",
            "é-ünïcode.json", "日本語.bin", "L".repeat(240), ".hidden", "..dots", "*", "[x]", "%2F..", "${x}", "back\\slash",
            "STRUCTURED_SUMMARY: {}", "trailing space ", "\u202Ertl.txt");
    static final List<String> FOLDER_NAMES = List.of("job_20251206_030000_0001", "job with space", "-job", "job\nnl", "日本",
            "..job", "job%20x", "job_results");
    static final List<String> LOOKALIKES = List.of("uploads_old", "Uploads", "upload", "results.bak", "other");

    static Arbitrary<Node> nodes() {
        Arbitrary<Kind> kind = Arbitraries.frequency(
                Tuple.of(30, Kind.FILE), Tuple.of(10, Kind.FOLDER), Tuple.of(2, Kind.LINK_FOLDER_OUT), Tuple.of(2, Kind.LINK_FOLDER_IN),
                Tuple.of(2, Kind.LINK_FILE_OUT), Tuple.of(2, Kind.LINK_FILE_IN), Tuple.of(1, Kind.LINK_DANGLING),
                Tuple.of(1, Kind.NON_UTF8_FILE), Tuple.of(1, Kind.ROOT_FILE), Tuple.of(1, Kind.OTHER_FILE),
                Tuple.of(1, Kind.LOOKALIKE_FILE), Tuple.of(1, Kind.AUDIT_FILE));
        return Combinators.combine(kind, Arbitraries.integers().between(0, 1), Arbitraries.integers().between(0, 20),
                        Arbitraries.integers().between(0, 40), Arbitraries.of(Age.class), Arbitraries.integers().between(0, 3),
                        Arbitraries.integers().between(0, 20))
                .as(Node::new);
    }

    static Arbitrary<Shape> shapes(int maxNodes) {
        Arbitrary<PrefixState> state = Arbitraries.frequency(Tuple.of(40, PrefixState.REAL), Tuple.of(2, PrefixState.LINK_OUT),
                Tuple.of(1, PrefixState.FILE), Tuple.of(1, PrefixState.MISSING));
        return Combinators.combine(state, state, nodes().list().ofMaxSize(maxNodes)).as(Shape::new);
    }

    // ---------------------------------------------------------------- what was made, and the oracle's view of it

    /**
     * One non-folder entry the test made. verdict/skip/future as in {@link Keyspace.Expect};
     * scanned: the cleaner reaches it walking a prefix without following links (it counts in
     * totalBlobsScanned).
     */
    record Fact(Path path, String what, Verdict verdict, Instant age, Tri future, boolean scanned) {
    }

    static final class Built {
        final Path world;
        final Path root;
        final Path outside;
        final Map<Path, Fact> facts = new LinkedHashMap<>();
        /** real folders below a real prefix (never the prefix itself), where the cleaner may look */
        final List<Path> jobFolders = new ArrayList<>();
        final List<Path> oldLinks = new ArrayList<>();
        final List<Path> outsideTargets = new ArrayList<>();
        boolean prefixProblem;

        Built(Path world) {
            this.world = world;
            this.root = world.resolve("root");
            this.outside = world.resolve("outside");
        }

        String id(Path p) {
            return root.relativize(p).toString();
        }
    }

    static Built build(Shape shape, Path world, Instant base, Duration ttl) throws IOException {
        Built b = new Built(world);
        Files.createDirectories(b.root);
        Files.createDirectories(b.outside);
        List<List<Path>> folders = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        boolean[] real = new boolean[2];
        for (int p = 0; p < 2; p++) {
            Path prefixDir = b.root.resolve(PREFIXES.get(p));
            List<Path> list = new ArrayList<>();
            switch (shape.state(p)) {
                case REAL -> {
                    Files.createDirectories(prefixDir);
                    real[p] = true;
                    list.add(prefixDir);
                }
                case LINK_OUT -> {
                    // the prefix itself is a link: everything below it lives outside the root
                    Path target = Files.createDirectories(b.outside.resolve("prefix-" + p));
                    Files.createSymbolicLink(prefixDir, target);
                    b.outsideTargets.add(target);
                    b.prefixProblem = true;
                    list.add(target);
                }
                case FILE -> {
                    write(prefixDir, base.minus(ttl).minus(Duration.ofDays(3)));
                    b.facts.put(prefixDir, new Fact(prefixDir, "prefix is a file", Verdict.NEVER, null, Tri.NO, false));
                    b.prefixProblem = true;
                }
                case MISSING -> {
                }
            }
            folders.add(list);
        }
        int outsideCount = 0;
        List<String[]> nonUtf8 = new ArrayList<>();
        for (int i = 0; i < shape.nodes.size(); i++) {
            Node n = shape.nodes.get(i);
            List<Path> candidates = folders.get(n.prefix);
            Instant mtime = n.age.at(base, ttl, n.jitter);
            String fileName = FILE_NAMES.get(n.name % FILE_NAMES.size()) + "~" + i;
            switch (n.kind) {
                case ROOT_FILE -> {
                    Path f = b.root.resolve(fileName);
                    write(f, mtime);
                    b.facts.put(f, new Fact(f, "file directly under the root", Verdict.NEVER, null, Tri.NO, false));
                    continue;
                }
                case OTHER_FILE, LOOKALIKE_FILE -> {
                    Path dir = b.root.resolve(n.kind == Kind.OTHER_FILE ? "other/nested" : LOOKALIKES.get(n.name % LOOKALIKES.size()));
                    Files.createDirectories(dir);
                    Path f = dir.resolve(fileName);
                    write(f, mtime);
                    b.facts.put(f, new Fact(f, "file outside the prefixes", Verdict.NEVER, null, Tri.NO, false));
                    continue;
                }
                case AUDIT_FILE -> {
                    Path dir = Files.createDirectories(b.root.resolve("maintenance/cleaner_runs"));
                    Path f = dir.resolve(n.name % 2 == 0 ? "cleaner_20200101_000000_000_0000000" + (i % 10) + ".json" : fileName);
                    write(f, mtime);
                    b.facts.put(f, new Fact(f, "earlier audit record", Verdict.NEVER, null, Tri.NO, false));
                    continue;
                }
                default -> {
                }
            }
            if (candidates.isEmpty()) {
                continue; // the prefix is a file or missing
            }
            boolean inside = real[n.prefix];
            Path parent = candidates.get(n.parent % candidates.size());
            switch (n.kind) {
                case FILE -> {
                    Path f = parent.resolve(fileName);
                    write(f, mtime);
                    files.add(f);
                    b.facts.put(f, fileFact(f, mtime, base, ttl, inside));
                }
                case NON_UTF8_FILE -> {
                    // a name that is not UTF-8 (the platform decodes it lossily); made by the shell, as Java cannot
                    if (nonUtf8.stream().anyMatch(a -> a[0].equals(parent.toString()))) {
                        continue;
                    }
                    nonUtf8.add(new String[] {parent.toString(), Long.toString(mtime.getEpochSecond()), Integer.toString(i), Boolean.toString(inside)});
                }
                case FOLDER -> {
                    Path d = Files.createDirectories(parent.resolve(FOLDER_NAMES.get(n.name % FOLDER_NAMES.size()) + "~" + i));
                    candidates.add(d);
                    if (inside) {
                        b.jobFolders.add(d);
                    }
                }
                case LINK_FOLDER_OUT -> {
                    Path target = b.outside.resolve("t" + outsideCount++);
                    Files.createDirectories(target.resolve("sub"));
                    Files.createDirectories(target.resolve("nested"));
                    for (String name : List.of("data.csv", "nested/data.csv", "-rf~" + i)) {
                        Path f = target.resolve(name);
                        write(f, base.minus(ttl).minus(Duration.ofDays(5)));
                        b.facts.put(f, new Fact(f, "file in a folder a link points to", Verdict.NEVER, null, Tri.NO, false));
                    }
                    b.outsideTargets.add(target);
                    link(b, parent.resolve(FOLDER_NAMES.get(n.name % FOLDER_NAMES.size()) + "~" + i), target, n, inside);
                }
                case LINK_FOLDER_IN -> {
                    Path target = candidates.get(n.target % candidates.size());
                    Path l = parent.resolve(FOLDER_NAMES.get(n.name % FOLDER_NAMES.size()) + "~" + i);
                    Path relative = l.getParent().relativize(target);
                    link(b, l, n.target % 2 == 0 || relative.toString().isEmpty() ? target : relative, n, inside);
                }
                case LINK_FILE_OUT -> {
                    Path target = b.outside.resolve("file-" + i);
                    write(target, base.minus(ttl).minus(Duration.ofDays(5)));
                    b.facts.put(target, new Fact(target, "file a link points to", Verdict.NEVER, null, Tri.NO, false));
                    link(b, parent.resolve(fileName), target, n, inside);
                }
                case LINK_FILE_IN -> {
                    Path target = files.isEmpty() ? b.outside.resolve("missing-" + i) : files.get(n.target % files.size());
                    link(b, parent.resolve(fileName), target, n, inside);
                }
                case LINK_DANGLING -> link(b, parent.resolve(fileName), b.outside.resolve("missing-" + i), n, inside);
                default -> throw new IllegalStateException(n.kind.toString());
            }
        }
        if (!nonUtf8.isEmpty()) {
            makeNonUtf8(b, nonUtf8, base, ttl);
        }
        if (!b.oldLinks.isEmpty()) {
            List<String> cmd = new ArrayList<>(List.of("touch", "-h", "-d", "@" + base.minus(ttl).minus(Duration.ofDays(1)).getEpochSecond()));
            b.oldLinks.forEach(l -> cmd.add(l.toString()));
            run(cmd);
        }
        return b;
    }

    private static Fact fileFact(Path f, Instant mtime, Instant base, Duration ttl, boolean inside) {
        if (!inside) {
            return new Fact(f, "file below a prefix that is a link", Verdict.NEVER, null, Tri.NO, false);
        }
        if (mtime.isBefore(Instant.parse("2000-01-01T00:00:00Z"))) {
            // a file time before 2000 is old, or implausible: either answer is safe
            return new Fact(f, "file from before 2000", Verdict.MAY, mtime, Tri.NO, true);
        }
        if (mtime.isBefore(base.minus(ttl))) {
            return new Fact(f, "expired file", Verdict.DEFINITE, mtime, Tri.NO, true);
        }
        return new Fact(f, "young file", Verdict.NEVER, null, mtime.isAfter(base) ? Tri.SURE : Tri.NO, true);
    }

    private static void link(Built b, Path link, Path target, Node n, boolean inside) throws IOException {
        Files.createSymbolicLink(link, target);
        boolean old = inside && n.age.name().startsWith("OLD");
        if (old) {
            b.oldLinks.add(link);
        }
        // a link is an item of its own: an old one may go (its target never), a new one stays
        b.facts.put(link, new Fact(link, "link", old ? Verdict.MAY : Verdict.NEVER, null, Tri.NO, inside));
    }

    private static void makeNonUtf8(Built b, List<String[]> made, Instant base, Duration ttl) throws IOException {
        StringBuilder script = new StringBuilder();
        List<String> args = new ArrayList<>(List.of("sh", "-c", "", "sh"));
        for (String[] m : made) {
            int a = args.size() - 3;
            script.append("f=\"${").append(a).append("}/$(printf 'bad\\377\\376name')~${").append(a + 2).append("}\"; : > \"$f\"; touch -d @${")
                    .append(a + 1).append("} \"$f\"; ");
            args.addAll(List.of(m[0], m[1], m[2]));
        }
        args.set(2, script.toString());
        run(args);
        for (String[] m : made) {
            Path dir = Path.of(m[0]);
            try (Stream<Path> list = Files.list(dir)) {
                for (Path p : list.toList()) {
                    if (p.getFileName().toString().contains("\uFFFD") && p.getFileName().toString().endsWith("~" + m[2])) {
                        Instant mtime = Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS).toInstant();
                        b.facts.put(p, fileFact(p, mtime, base, ttl, Boolean.parseBoolean(m[3])));
                    }
                }
            }
        }
    }

    static void write(Path f, Instant mtime) throws IOException {
        Files.writeString(f, "data of " + f.getFileName(), StandardCharsets.UTF_8);
        Files.setLastModifiedTime(f, FileTime.from(mtime));
    }

    static void run(List<String> command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new IOException(command.get(0) + " failed: " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }
}
