package ai.datapilot.cleaner.jobrecord;

import java.security.SecureRandom;

/**
 * The keys one scan has already handed on, as 64-bit hashes in an open-addressing table kept at
 * most half full: 16 to 32 bytes a key (a million keys: 16 MB), where a set of the keys themselves
 * would take several times that. Two different keys with the same hash count as one, so the second
 * is not read at all: a collision can only ever make the cleaner keep a key, never delete or count
 * one twice. The hash is seeded at random per scan, so key names cannot be picked to collide.
 */
final class SeenKeys {

    private final long seed = new SecureRandom().nextLong();
    private long[] table = new long[1 << 10];
    private int size;

    /** True the first time a key (or one with the same hash) is seen in this scan. */
    boolean add(byte[] key) {
        long h = hash(key);
        if (h == 0) {
            h = 1; // 0 marks an empty slot
        }
        if (2 * (size + 1) > table.length) {
            grow();
        }
        if (!insert(table, h)) {
            return false;
        }
        size++;
        return true;
    }

    int size() {
        return size;
    }

    long tableBytes() {
        return 8L * table.length;
    }

    private static boolean insert(long[] table, long h) {
        int mask = table.length - 1;
        for (int i = (int) (h ^ (h >>> 32)) & mask; ; i = (i + 1) & mask) {
            if (table[i] == 0) {
                table[i] = h;
                return true;
            }
            if (table[i] == h) {
                return false;
            }
        }
    }

    private void grow() {
        long[] bigger = new long[table.length * 2];
        for (long h : table) {
            if (h != 0) {
                insert(bigger, h);
            }
        }
        table = bigger;
    }

    /** Eight bytes at a time through the SplitMix64 finaliser, which mixes every input bit into every output bit. */
    private long hash(byte[] key) {
        long h = seed ^ (key.length * 0x9E3779B97F4A7C15L);
        int i = 0;
        for (; i + 8 <= key.length; i += 8) {
            long word = 0;
            for (int b = 0; b < 8; b++) {
                word |= (key[i + b] & 0xffL) << (8 * b);
            }
            h = mix(h ^ word);
        }
        long tail = 0;
        for (int b = 0; i + b < key.length; b++) {
            tail |= (key[i + b] & 0xffL) << (8 * b);
        }
        return mix(h ^ tail ^ 0x5851F42D4C957F2DL);
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
