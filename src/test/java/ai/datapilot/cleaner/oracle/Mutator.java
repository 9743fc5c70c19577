package ai.datapilot.cleaner.oracle;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;
import redis.clients.jedis.Jedis;

/**
 * Changes made while a run is going, on a seed-driven schedule: files rewritten, deleted and
 * re-uploaded, job folders swapped for links out of the root (once, or in a loop), job records
 * rewritten fresh or deleted. Every change is logged with the instant it completed.
 */
final class Mutator {

    enum Op { REWRITE_FILE, DELETE_FILE, REUPLOAD_FILE, SWAP_FOLDER, SWAP_LOOP, REWRITE_KEY, DELETE_KEY }

    /** delayMs &lt; 0: done before the run starts. */
    record Mutation(Op op, int target, int delayMs) {
        @Override
        public String toString() {
            return op + "#" + target + "@" + (delayMs < 0 ? "before" : delayMs + "ms");
        }
    }

    static Arbitrary<List<Mutation>> schedules() {
        Arbitrary<Op> op = Arbitraries.frequency(Tuple.of(3, Op.REWRITE_FILE), Tuple.of(2, Op.DELETE_FILE), Tuple.of(2, Op.REUPLOAD_FILE),
                Tuple.of(2, Op.SWAP_FOLDER), Tuple.of(5, Op.SWAP_LOOP), Tuple.of(3, Op.REWRITE_KEY), Tuple.of(2, Op.DELETE_KEY));
        Arbitrary<Integer> delay = Arbitraries.frequency(Tuple.of(1, -1), Tuple.of(6, 0)).flatMap(d -> d < 0 ? Arbitraries.just(-1)
                : Arbitraries.integers().between(0, 250));
        // a swap loop starts early, so it is still going when the deletes come
        return Combinators.combine(op, Arbitraries.integers().between(0, 1000), delay)
                .as((o, t, d) -> new Mutation(o, t, o == Op.SWAP_LOOP ? Math.min(Math.max(d, 0), 30) : d)).list().ofMinSize(1).ofMaxSize(8);
    }

    /** What one change did: its target, whether it took effect, and when it was complete. */
    record Done(Mutation m, Path path, Bytes key, boolean applied, Instant completedAt, String note) {
    }

    /** A change resolved to its target, with what it needs prepared before the run. */
    static final class Planned {
        final Mutation m;
        final Path path;          // file or job folder
        final Bytes key;          // job record
        final Path parked;        // where a swapped folder goes
        final Path target;        // the outside folder a swap links to
        final Path linkTemp;      // the link, before it is renamed into place

        Planned(Mutation m, Path path, Bytes key, Path parked, Path target, Path linkTemp) {
            this.m = m;
            this.path = path;
            this.key = key;
            this.parked = parked;
            this.target = target;
            this.linkTemp = linkTemp;
        }
    }

    private final List<Planned> plan;
    private final List<Done> done = Collections.synchronizedList(new ArrayList<>());
    private final AtomicBoolean runDone = new AtomicBoolean();
    private final int redisPort;
    private Thread thread;

    Mutator(List<Planned> plan, int redisPort) {
        this.plan = plan;
        this.redisPort = redisPort;
    }

    List<Done> done() {
        return done;
    }

    /** Applies the changes scheduled before the run, then starts the rest on a thread. */
    void start() throws IOException {
        for (Planned p : plan) {
            if (p.m.delayMs < 0) {
                apply(p, null);
            }
        }
        List<Planned> later = new ArrayList<>(plan.stream().filter(p -> p.m.delayMs >= 0).toList());
        later.sort(Comparator.comparingInt(p -> p.m.delayMs));
        long t0 = System.nanoTime();
        thread = new Thread(() -> {
            List<Thread> loops = new ArrayList<>();
            for (Planned p : later) {
                long wait = t0 + p.m.delayMs * 1_000_000L - System.nanoTime();
                if (wait > 0) {
                    sleepNanos(wait);
                }
                if (p.m.op == Op.SWAP_LOOP) {
                    Thread loop = new Thread(() -> swapLoop(p), "oracle-swap-loop");
                    loop.start();
                    loops.add(loop);
                } else {
                    apply(p, null);
                }
            }
            for (Thread loop : loops) {
                try {
                    loop.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }, "oracle-mutator");
        thread.start();
    }

    /** Called when the run has returned: loops stop and put the folder back. */
    void finish() throws InterruptedException {
        runDone.set(true);
        thread.join(20_000);
        if (thread.isAlive()) {
            throw new IllegalStateException("the mutator did not stop");
        }
    }

    private void apply(Planned p, Object unused) {
        try {
            switch (p.m.op) {
                case REWRITE_FILE -> {
                    try {
                        // same inode, fresh mtime: never creates a file the cleaner removed
                        Files.writeString(p.path, "rewritten", StandardCharsets.UTF_8, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
                        log(p, true, "rewritten");
                    } catch (NoSuchFileException e) {
                        log(p, false, "already gone");
                    }
                }
                case DELETE_FILE -> log(p, Files.deleteIfExists(p.path), "deleted by the test");
                case REUPLOAD_FILE -> {
                    boolean deleted = Files.deleteIfExists(p.path);
                    Files.writeString(p.path, "uploaded again", StandardCharsets.UTF_8);
                    log(p, true, deleted ? "deleted and uploaded again" : "uploaded again after it was gone");
                }
                case SWAP_FOLDER -> {
                    Files.move(p.path, p.parked, StandardCopyOption.ATOMIC_MOVE);
                    Files.createSymbolicLink(p.linkTemp, p.target);
                    Files.move(p.linkTemp, p.path, StandardCopyOption.ATOMIC_MOVE);
                    log(p, true, "folder moved to " + p.parked + ", link to " + p.target + " in its place");
                }
                case REWRITE_KEY -> {
                    try (Jedis jedis = new Jedis("127.0.0.1", redisPort)) {
                        jedis.select(Keyspace.DB);
                        jedis.set(p.key.b(), freshRecord(p.key));
                    }
                    log(p, true, "rewritten with a fresh updatedAt");
                }
                case DELETE_KEY -> {
                    long n;
                    try (Jedis jedis = new Jedis("127.0.0.1", redisPort)) {
                        jedis.select(Keyspace.DB);
                        n = jedis.del(p.key.b());
                    }
                    log(p, n == 1, n == 1 ? "deleted by the test" : "already gone");
                }
                default -> throw new IllegalStateException(p.m.op.toString());
            }
        } catch (IOException | RuntimeException e) {
            log(p, false, "failed: " + e);
        }
    }

    static byte[] freshRecord(Bytes key) {
        String now = Instant.now().toString();
        return ("{\"jobId\":\"rewritten\",\"createdAt\":\"2020-01-01T00:00:00Z\",\"updatedAt\":\"" + now + "\"}").getBytes(StandardCharsets.UTF_8);
    }

    /** Toggles a job folder and a link out of the root until the run ends, then puts the folder back. */
    private void swapLoop(Planned p) {
        int toggles = 0;
        String problem = null;
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        try {
            Files.createSymbolicLink(p.linkTemp, p.target);
            while (!runDone.get() && System.nanoTime() < deadline) {
                Files.move(p.path, p.parked, StandardCopyOption.ATOMIC_MOVE);
                Files.move(p.linkTemp, p.path, StandardCopyOption.ATOMIC_MOVE);
                Thread.onSpinWait();
                Files.move(p.path, p.linkTemp, StandardCopyOption.ATOMIC_MOVE);
                Files.move(p.parked, p.path, StandardCopyOption.ATOMIC_MOVE);
                toggles++;
            }
        } catch (IOException | RuntimeException e) {
            problem = e.toString();
        }
        // put the real folder back wherever the loop stopped
        try {
            if (Files.isSymbolicLink(p.path)) {
                Files.move(p.path, p.linkTemp, StandardCopyOption.ATOMIC_MOVE);
            }
            if (Snapshots.exists(p.parked) && !Snapshots.exists(p.path)) {
                Files.move(p.parked, p.path, StandardCopyOption.ATOMIC_MOVE);
            }
            Files.deleteIfExists(p.linkTemp);
        } catch (IOException e) {
            problem = (problem == null ? "" : problem + "; ") + "restoring: " + e;
        }
        log(p, problem == null, toggles + " swaps" + (problem == null ? "" : ", stopped: " + problem));
    }

    private void log(Planned p, boolean applied, String note) {
        done.add(new Done(p.m, p.path, p.key, applied, Instant.now(), note));
    }

    private static void sleepNanos(long nanos) {
        try {
            Thread.sleep(nanos / 1_000_000L, (int) (nanos % 1_000_000L));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
