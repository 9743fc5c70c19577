package ai.datapilot.cleaner.oracle;

import ai.datapilot.cleaner.oracle.Stamps.Age;
import ai.datapilot.cleaner.oracle.Stamps.Form;
import ai.datapilot.cleaner.oracle.Stamps.Kind;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;

/** A generated keyspace: job records of every form and type in the cleaner's database, and decoys around them. */
final class Keyspace {

    /** The database the cleaner is pointed at; 0 and 3 hold look-alikes it must never touch. */
    static final int DB = 5;
    static final List<Integer> OTHER_DBS = List.of(0, 3);

    private Keyspace() {
    }

    enum Shape { JSON, HASH, INVALID_JSON, JSON_ARRAY, JSON_STRING, EMPTY_STRING, LIST, SET, ZSET }

    /** Where a key lives: a job key in db 5, the same also copied to dbs 0 and 3, a decoy name in db 5, or only elsewhere. */
    enum Where { JOB, JOB_AND_COPIES, DECOY_NAME, ONLY_DB0, ONLY_DB3 }

    record Stamp(Form form, Age age, int jitter) {
        Instant meant(Instant base, Duration ttl) {
            return age.at(base, ttl, jitter);
        }

        @Override
        public String toString() {
            return form + "@" + age + (jitter == 0 ? "" : "+" + jitter);
        }
    }

    /** Sizes of a string record around the 64 KiB read cap (0: no padding). */
    static final int[] SIZES = {0, 65_535, 65_536, 65_537, 70_000, 300_000};

    record Key(int index, int name, Where where, Shape shape, Stamp updated, Stamp created, Stamp updatedAgain,
            int size, boolean stampsLast, boolean nestedYoung) {

        byte[] key() {
            return where == Where.DECOY_NAME ? decoyName(name, index) : jobName(name, index);
        }

        @Override
        public String toString() {
            return Bytes.printable(key()) + "[" + where + " " + shape + " u=" + updated + " c=" + created
                    + (updatedAgain == null ? "" : " u2=" + updatedAgain) + (size == 0 ? "" : " size=" + SIZES[size])
                    + (stampsLast ? " stampsLast" : "") + (nestedYoung ? " nestedYoung" : "") + "]";
        }
    }

    static byte[] jobName(int name, int i) {
        return switch (name % 11) {
            case 0 -> ascii("job:job_20251206_030000_" + i);
            case 1 -> utf8("job:with space " + i);
            case 2 -> utf8("job:-" + i);
            case 3 -> utf8("job:new\nline" + i);
            case 4 -> utf8("job:*" + i);
            case 5 -> utf8("job:[x]" + i);
            case 6 -> utf8("job:日本" + i);
            case 7 -> utf8("job:back\\slash" + i);
            case 8 -> concat(ascii("job:"), new byte[] {(byte) 0xff, (byte) 0xfe}, ascii(Integer.toString(i)));
            case 9 -> utf8("job:" + i + "\u0000nul");
            default -> ascii("job:" + i);
        };
    }

    static byte[] decoyName(int name, int i) {
        return switch (name % 6) {
            case 0 -> ascii("jobs:" + i);
            case 1 -> ascii("JOB:" + i);
            case 2 -> ascii("xjob:" + i);
            case 3 -> ascii("job" + i);
            case 4 -> ascii("datapilot:job:" + i);
            default -> ascii(" job:" + i);
        };
    }

    static Arbitrary<Stamp> stamps() {
        Arbitrary<Form> forms = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, Arbitraries.of(Stamps.TIME_FORMS.subList(0, 9))),
                net.jqwik.api.Tuple.of(4, Arbitraries.of(Stamps.TIME_FORMS)),
                net.jqwik.api.Tuple.of(3, Arbitraries.of(Stamps.OTHER_FORMS)));
        return Combinators.combine(forms, Arbitraries.of(Age.class), Arbitraries.integers().between(0, 3)).as(Stamp::new);
    }

    static Arbitrary<Key> keys() {
        Arbitrary<Where> where = Arbitraries.frequency(
                net.jqwik.api.Tuple.of(10, Where.JOB), net.jqwik.api.Tuple.of(2, Where.JOB_AND_COPIES),
                net.jqwik.api.Tuple.of(1, Where.DECOY_NAME), net.jqwik.api.Tuple.of(1, Where.ONLY_DB0), net.jqwik.api.Tuple.of(1, Where.ONLY_DB3));
        Arbitrary<Shape> shape = Arbitraries.frequency(
                net.jqwik.api.Tuple.of(12, Shape.JSON), net.jqwik.api.Tuple.of(5, Shape.HASH), net.jqwik.api.Tuple.of(2, Shape.INVALID_JSON),
                net.jqwik.api.Tuple.of(1, Shape.JSON_ARRAY), net.jqwik.api.Tuple.of(1, Shape.JSON_STRING), net.jqwik.api.Tuple.of(1, Shape.EMPTY_STRING),
                net.jqwik.api.Tuple.of(1, Shape.LIST), net.jqwik.api.Tuple.of(1, Shape.SET), net.jqwik.api.Tuple.of(1, Shape.ZSET));
        Arbitrary<Stamp> maybe = stamps().injectNull(0.25);
        Arbitrary<Integer> size = Arbitraries.frequency(net.jqwik.api.Tuple.of(20, 0), net.jqwik.api.Tuple.of(1, 1), net.jqwik.api.Tuple.of(1, 2),
                net.jqwik.api.Tuple.of(1, 3), net.jqwik.api.Tuple.of(1, 4), net.jqwik.api.Tuple.of(1, 5));
        return Combinators.combine(Arbitraries.integers().between(0, 10), where, shape, stamps().injectNull(0.1), maybe,
                        stamps().injectNull(0.9), size, Arbitraries.of(false, true))
                .as((name, w, s, u, c, u2, sz, last) -> new Key(0, name, w, s, u, c, u2, sz, last, (name + sz) % 5 == 4));
    }

    /** Up to {@code max} keys; a key's place in the list is part of its name, so names never collide. */
    static Arbitrary<List<Key>> keyspaces(int max) {
        return keys().list().ofMaxSize(max).map(l -> {
            List<Key> numbered = new ArrayList<>();
            for (int i = 0; i < l.size(); i++) {
                Key k = l.get(i);
                numbered.add(new Key(i, k.name, k.where, k.shape, k.updated, k.created, k.updatedAgain, k.size, k.stampsLast, k.nestedYoung));
            }
            return numbered;
        });
    }

    // ---------------------------------------------------------------- what is written

    static byte[] value(Key k, Instant base, Duration ttl) {
        boolean json = k.shape != Shape.HASH;
        StringBuilder stamps = new StringBuilder();
        if (k.created != null) {
            stamps.append(",\"createdAt\":").append(k.created.form.json().apply(k.created.meant(base, ttl)));
        }
        if (k.updated != null) {
            stamps.append(",\"updatedAt\":").append(k.updated.form.json().apply(k.updated.meant(base, ttl)));
        }
        String nested = k.nestedYoung ? ",\"meta\":{\"updatedAt\":\"" + Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS) + "\"}" : "";
        String head = "{\"jobId\":\"job-" + k.index + "\"" + (k.stampsLast ? "" : stamps) + ",\"status\":\"completed\"" + nested;
        String tail = (k.stampsLast ? stamps.toString() : "")
                + (k.updatedAgain == null ? "" : ",\"updatedAt\":" + k.updatedAgain.form.json().apply(k.updatedAgain.meant(base, ttl))) + "}";
        String object = head + tail;
        if (k.size > 0 && json) {
            int fixed = utf8(head + ",\"pad\":\"\"" + tail).length;
            object = head + ",\"pad\":\"" + "x".repeat(Math.max(0, SIZES[k.size] - fixed)) + "\"" + tail;
        }
        return switch (k.shape) {
            case JSON -> utf8(object);
            case INVALID_JSON -> utf8(k.stampsLast ? object.substring(0, object.length() - 1) : object.replaceFirst("\"jobId\"", "jobId"));
            case JSON_ARRAY -> utf8("[" + object + "]");
            case JSON_STRING -> utf8("\"" + object.replace("\"", "\\\"") + "\"");
            case EMPTY_STRING -> new byte[0];
            default -> utf8(object);
        };
    }

    static Map<byte[], byte[]> hash(Key k, Instant base, Duration ttl) {
        Map<byte[], byte[]> fields = new LinkedHashMap<>();
        fields.put(ascii("jobId"), ascii("job-" + k.index));
        fields.put(ascii("status"), ascii("completed"));
        boolean bigUpdated = bigHashUpdatedAt(k);
        if (k.updated != null) {
            String text = k.updated.form.hash().apply(k.updated.meant(base, ttl));
            fields.put(ascii("updatedAt"), utf8(bigUpdated ? text + "x".repeat(SIZES[k.size]) : text));
        }
        if (k.created != null) {
            fields.put(ascii("createdAt"), utf8(k.created.form.hash().apply(k.created.meant(base, ttl))));
        }
        if (k.size > 0 && !bigUpdated) {
            fields.put(ascii("payload"), ascii("x".repeat(SIZES[k.size])));
        }
        return fields;
    }

    private static boolean bigHashUpdatedAt(Key k) {
        return k.shape == Shape.HASH && k.size > 0 && k.stampsLast && k.updated != null;
    }

    static void write(Jedis jedis, List<Key> keys, Instant base, Duration ttl) {
        for (int db : List.of(DB, 0, 3)) {
            jedis.select(db);
            Pipeline p = jedis.pipelined();
            for (Key k : keys) {
                if (!lives(k, db)) {
                    continue;
                }
                byte[] key = k.key();
                byte[] v = value(k, base, ttl);
                switch (k.shape) {
                    case HASH -> p.hset(key, hash(k, base, ttl));
                    case LIST -> p.rpush(key, v);
                    case SET -> p.sadd(key, v);
                    case ZSET -> p.zadd(key, 1.0, v);
                    default -> p.set(key, v);
                }
            }
            p.sync();
        }
        jedis.select(0);
    }

    static boolean lives(Key k, int db) {
        return switch (k.where) {
            case JOB, DECOY_NAME -> db == DB;
            case JOB_AND_COPIES -> db == DB || db == 0 || db == 3;
            case ONLY_DB0 -> db == 0;
            case ONLY_DB3 -> db == 3;
        };
    }

    // ---------------------------------------------------------------- the oracle

    enum Reading { ABSENT, EMPTY, BAD, OLD, YOUNG, FUTURE }

    /** How a stamp must be read: its class, whether a reader must get it (sure), and the instant it means. */
    record Read(Reading reading, boolean sure, Instant meant) {
    }

    static Read read(Stamp s, boolean inJson, Instant base, Duration ttl) {
        if (s == null) {
            return new Read(Reading.ABSENT, true, null);
        }
        Kind kind = inJson ? s.form.inJson() : s.form.inHash();
        switch (kind) {
            case EMPTY:
                return new Read(Reading.EMPTY, true, null);
            case PLACEHOLDER:
            case GARBAGE:
                return new Read(Reading.BAD, true, null);
            default:
                break;
        }
        Instant t = s.meant(base, ttl);
        if (t.isBefore(Instant.parse("2000-01-01T00:00:00Z"))) {
            return new Read(Reading.BAD, true, null);
        }
        // a plausibility floor between 2000 and 2010 is the cleaner's choice: either answer is safe
        boolean sure = kind == Kind.PLAIN && !t.isBefore(Instant.parse("2010-01-01T00:00:00Z"));
        Instant cutoff = base.minus(ttl);
        Reading r = t.isAfter(base) ? Reading.FUTURE : t.isBefore(cutoff) ? Reading.OLD : Reading.YOUNG;
        return new Read(r, sure, t);
    }

    /** Which keys the cleaner may delete, must delete when chosen, must skip, and must never touch. */
    static Expect expect(Key k, Instant base, Duration ttl) {
        byte[] key = k.key();
        if (k.where != Where.JOB && k.where != Where.JOB_AND_COPIES) {
            return null; // not in db 5 as job:*: not even scanned
        }
        switch (k.shape) {
            case JSON, HASH:
                break;
            default:
                return Expect.never(key, Tri.SURE, Tri.NO);
        }
        boolean json = k.shape == Shape.JSON;
        if (bigHashUpdatedAt(k)) {
            return Expect.never(key, Tri.SURE, Tri.NO);
        }
        Read u = read(k.updated, json, base, ttl);
        Read c = read(k.created, json, base, ttl);
        Set<Instant> ages = new HashSet<>();
        Expect e;
        if (json && k.updatedAgain != null && u.reading != Reading.ABSENT) {
            // two updatedAt fields: kept unless both say old; which one a reader takes is its choice
            Read u2 = read(k.updatedAgain, json, base, ttl);
            if (u.reading == Reading.OLD && u2.reading == Reading.OLD) {
                ages.add(u.meant);
                ages.add(u2.meant);
                e = new Expect(key, Verdict.MAY, ages, Tri.MAYBE, Tri.NO);
            } else {
                boolean future = u.reading == Reading.FUTURE || u2.reading == Reading.FUTURE;
                e = Expect.never(key, Tri.MAYBE, future ? Tri.MAYBE : Tri.NO);
            }
        } else {
            if (json && k.updatedAgain != null) {
                u = read(k.updatedAgain, json, base, ttl); // the only updatedAt
            }
            e = decide(key, u, c);
        }
        if (json && k.size >= 3) {
            e = e.unsure(); // over 64 KiB: read whole, or skipped
        }
        return e;
    }

    private static Expect decide(byte[] key, Read u, Read c) {
        if (u.reading != Reading.ABSENT && u.reading != Reading.EMPTY) {
            // both read: the later one decides (a record is not updated before it was created)
            if (readable(u) && readable(c) && c.meant.isAfter(u.meant)) {
                Expect later = c.sure ? by(key, c) : either(by(key, u), by(key, c));
                return u.sure ? later : either(later, by(key, u)); // an unsure updatedAt may be skipped
            }
            return by(key, u);
        }
        Expect byCreated = c.reading == Reading.ABSENT || c.reading == Reading.EMPTY ? Expect.never(key, Tri.SURE, Tri.NO) : by(key, c);
        return u.reading == Reading.EMPTY ? byCreated.unsure() : byCreated;
    }

    private static boolean readable(Read r) {
        return r.reading == Reading.OLD || r.reading == Reading.YOUNG || r.reading == Reading.FUTURE;
    }

    /** A reader may take either answer: only what both allow is certain. */
    private static Expect either(Expect a, Expect b) {
        if (a.equals(b)) {
            return a;
        }
        Set<Instant> ages = new HashSet<>(a.ages());
        ages.addAll(b.ages());
        Verdict v = a.verdict() == b.verdict() ? a.verdict() : Verdict.MAY;
        return new Expect(a.key(), v, ages, a.skip() == b.skip() ? a.skip() : Tri.MAYBE,
                a.future() == b.future() ? a.future() : Tri.MAYBE);
    }

    private static Expect by(byte[] key, Read r) {
        return switch (r.reading) {
            case BAD -> Expect.never(key, Tri.SURE, Tri.NO);
            case YOUNG -> Expect.never(key, r.sure ? Tri.NO : Tri.MAYBE, Tri.NO);
            case FUTURE -> Expect.never(key, r.sure ? Tri.NO : Tri.MAYBE, r.sure ? Tri.SURE : Tri.MAYBE);
            case OLD -> new Expect(key, r.sure ? Verdict.DEFINITE : Verdict.MAY, Set.of(r.meant), r.sure ? Tri.NO : Tri.MAYBE, Tri.NO);
            default -> throw new IllegalStateException(r.toString());
        };
    }

    enum Verdict { DEFINITE, MAY, NEVER }

    enum Tri { SURE, MAYBE, NO }

    /**
     * The oracle's answer for one item. DEFINITE: expired, must be deleted when the cap reaches it;
     * MAY: either answer is safe (ages: what it may be aged as); NEVER: must survive.
     * skip: whether the audit must (SURE) or may (MAYBE) list it as skipped; future likewise for futureDated.
     */
    record Expect(byte[] key, Verdict verdict, Set<Instant> ages, Tri skip, Tri future) {
        static Expect never(byte[] key, Tri skip, Tri future) {
            return new Expect(key, Verdict.NEVER, Set.of(), skip, future);
        }

        Expect unsure() {
            return new Expect(key, verdict == Verdict.DEFINITE ? Verdict.MAY : verdict, ages,
                    skip == Tri.NO ? Tri.MAYBE : skip, future == Tri.SURE ? Tri.MAYBE : future);
        }
    }

    // ---------------------------------------------------------------- bytes

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
