package ai.datapilot.cleaner.jobrecord;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The set of keys one scan has seen: exact for distinct keys, small for a million of them. */
class SeenKeysTest {

    @Test
    void keysThatDifferInAnyByteOrInLengthAreDistinct() {
        SeenKeys seen = new SeenKeys();
        byte[][] keys = {
            {}, {0}, {0, 0}, {'j'}, "job:1".getBytes(StandardCharsets.US_ASCII), "job:1\0".getBytes(StandardCharsets.US_ASCII),
            {'j', 'o', 'b', ':', (byte) 0xff}, {'j', 'o', 'b', ':', (byte) 0xfe}, "job:12345678".getBytes(StandardCharsets.US_ASCII),
            "job:12345679".getBytes(StandardCharsets.US_ASCII), "job:1234567".getBytes(StandardCharsets.US_ASCII),
        };
        for (byte[] key : keys) {
            assertThat(seen.add(key)).as(new String(key, StandardCharsets.ISO_8859_1)).isTrue();
        }
        for (byte[] key : keys) {
            assertThat(seen.add(key.clone())).as("again: " + new String(key, StandardCharsets.ISO_8859_1)).isFalse();
        }
        assertThat(seen.size()).isEqualTo(keys.length);
    }

    @Test
    void aMillionKeysAreEachSeenOnceInAboutSixteenMegabytes() {
        SeenKeys seen = new SeenKeys();
        long started = System.nanoTime();
        for (int i = 0; i < 1_000_000; i++) {
            assertThat(seen.add(("job:" + i + "-0f8e5c2a-7d41-4b7e-9a3c-3d6b1f20c9e1").getBytes(StandardCharsets.US_ASCII))).isTrue();
        }
        long firstPass = System.nanoTime() - started;
        for (int i = 0; i < 1_000_000; i += 7) {
            assertThat(seen.add(("job:" + i + "-0f8e5c2a-7d41-4b7e-9a3c-3d6b1f20c9e1").getBytes(StandardCharsets.US_ASCII))).isFalse();
        }
        assertThat(seen.size()).isEqualTo(1_000_000);
        assertThat(seen.tableBytes()).isEqualTo(16L << 20);
        System.out.printf("SeenKeys: 1,000,000 keys in %d ms, table %d MiB%n", firstPass / 1_000_000, seen.tableBytes() >> 20);
    }
}
