package ai.datapilot.cleaner;

import static ai.datapilot.cleaner.testing.CleanerRuns.env;
import static ai.datapilot.cleaner.testing.CleanerRuns.run;
import static ai.datapilot.cleaner.testing.RedisForTests.job;
import static ai.datapilot.cleaner.testing.StorageTree.old;
import static org.assertj.core.api.Assertions.assertThat;

import ai.datapilot.cleaner.testing.CleanerRuns.Result;
import ai.datapilot.cleaner.testing.RedisForTests;
import ai.datapilot.cleaner.testing.StorageTree;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/**
 * A job record's age is read from a form the cleaner understands, from the whole value, or not at
 * all: destructive runs against a real private Redis, where every record whose age is only a
 * guess survives and is listed in {@code skipped} with its reason.
 */
class AgesNeverFromAGuessTest {

    private static final int CAP = 64 * 1024;

    @RegisterExtension
    static RedisForTests redis = new RedisForTests();

    @TempDir
    Path tmp;

    StorageTree tree;

    @BeforeEach
    void root() throws IOException {
        tree = new StorageTree(Files.createDirectory(tmp.resolve("storage")));
    }

    private Result destructive() throws IOException {
        return run(env(tree.root(), redis.url(), "CLEANER_DRY_RUN", "false"));
    }

    private static List<String> skipped(Result result) {
        List<String> skipped = new ArrayList<>();
        result.audit().get("skipped").forEach(s -> skipped.add(s.asText()));
        return skipped;
    }

    private static String q(Object value) {
        return "\"" + value + "\"";
    }

    private static Instant aMinuteAgo() {
        return Instant.now().minusSeconds(60).truncatedTo(ChronoUnit.MICROS);
    }

    @Test
    void placeholderTimesAreNotAgesAndTheRecordsSurvive() throws IOException {
        Instant fresh = aMinuteAgo();
        Map<String, String> records = new LinkedHashMap<>();
        records.put("job:go_zero_updated", "{\"createdAt\":" + q(fresh) + ",\"updatedAt\":\"0001-01-01T00:00:00Z\"}");
        records.put("job:unix_epoch_updated", "{\"createdAt\":" + q(fresh) + ",\"updatedAt\":\"1970-01-01T00:00:00Z\"}");
        records.put("job:epoch_zero_updated", "{\"createdAt\":" + q(fresh) + ",\"updatedAt\":0}");
        records.put("job:go_zero_created", "{\"jobId\":\"x\",\"createdAt\":\"0001-01-01T00:00:00Z\"}");
        records.put("job:epoch_zero_created", "{\"jobId\":\"x\",\"createdAt\":0}");
        records.forEach(redis::setJob);
        try (Jedis jedis = redis.client()) {
            jedis.hset("job:hash_go_zero", Map.of("updatedAt", "0001-01-01T00:00:00Z", "createdAt", fresh.toString()));
            jedis.hset("job:hash_epoch_zero", Map.of("createdAt", "0"));
        }
        redis.setJob("job:really_old", job("really_old", old()));

        Result result = destructive();

        assertThat(result.exitCode()).isZero();
        assertThat(result.itemIds("deleted")).containsExactly("job:really_old");
        List<String> skipped = skipped(result);
        assertThat(skipped).contains(
                "job:go_zero_updated: updatedAt \"0001-01-01T00:00:00Z\" is a placeholder, not a job time (not after 2000-01-01T00:00:00Z)",
                "job:unix_epoch_updated: updatedAt \"1970-01-01T00:00:00Z\" is a placeholder, not a job time (not after 2000-01-01T00:00:00Z)",
                "job:epoch_zero_updated: updatedAt 0 is a placeholder, not a job time (not after 2000-01-01T00:00:00Z)",
                "job:go_zero_created: createdAt \"0001-01-01T00:00:00Z\" is a placeholder, not a job time (not after 2000-01-01T00:00:00Z)",
                "job:epoch_zero_created: createdAt 0 is a placeholder, not a job time (not after 2000-01-01T00:00:00Z)",
                "job:hash_go_zero: updatedAt \"0001-01-01T00:00:00Z\" is a placeholder, not a job time (not after 2000-01-01T00:00:00Z)",
                "job:hash_epoch_zero: createdAt \"0\" is a placeholder, not a job time (not after 2000-01-01T00:00:00Z)");
        for (String key : List.of("job:go_zero_updated", "job:unix_epoch_updated", "job:epoch_zero_updated", "job:go_zero_created",
                "job:epoch_zero_created", "job:hash_go_zero", "job:hash_epoch_zero")) {
            assertThat(redis.exists(key)).as(key).isTrue();
        }
    }

    @Test
    void aFreshUpdatedAtInAFormNotReadNeverFallsBackToAnOldCreatedAt() throws IOException {
        Instant fresh = aMinuteAgo();
        String created = q(old());
        long micros = ChronoUnit.MICROS.between(Instant.EPOCH, fresh);
        String day = fresh.atOffset(ZoneOffset.UTC).toLocalDate().toString();
        Map<String, String> updatedAt = new LinkedHashMap<>();
        updatedAt.put("job:epoch_micros", Long.toString(micros));
        updatedAt.put("job:epoch_nanos", micros + "000");
        updatedAt.put("job:mongo_date", "{\"$date\":" + q(fresh) + "}");
        updatedAt.put("job:mongo_date_millis", "{\"$date\":" + fresh.toEpochMilli() + "}");
        updatedAt.put("job:rfc_1123", q(DateTimeFormatter.RFC_1123_DATE_TIME.format(fresh.atOffset(ZoneOffset.UTC))));
        updatedAt.put("job:leap_second", q(day + "T23:59:60Z"));
        updatedAt.put("job:comma_fraction", q(fresh.truncatedTo(ChronoUnit.SECONDS).toString().replace("Z", ",123Z")));
        updatedAt.put("job:ten_fraction_digits", q(fresh.truncatedTo(ChronoUnit.SECONDS).toString().replace("Z", ".1234567891Z")));
        updatedAt.put("job:lower_case_t_z", q(fresh.toString().replace('T', 't').replace('Z', 'z')));
        updatedAt.put("job:scientific_string", q(String.format(Locale.ROOT, "%.6e", (double) fresh.getEpochSecond())));
        updatedAt.put("job:scientific_number", String.format(Locale.ROOT, "%.9E", (double) fresh.getEpochSecond()));
        updatedAt.forEach((key, value) -> redis.setJob(key, "{\"jobId\":\"x\",\"createdAt\":" + created + ",\"updatedAt\":" + value + "}"));
        // the same field twice: a parser keeping the first sees a fresh record, one keeping the last an old one
        redis.setJob("job:updated_twice", "{\"createdAt\":" + created + ",\"updatedAt\":" + q(fresh) + ",\"updatedAt\":" + created + "}");
        try (Jedis jedis = redis.client()) {
            jedis.hset("job:hash_epoch_micros", Map.of("updatedAt", Long.toString(micros), "createdAt", old().toString()));
            jedis.hset("job:hash_padded", Map.of("updatedAt", " " + fresh, "createdAt", old().toString()));
        }
        redis.setJob("job:really_old", job("really_old", old()));

        Result result = destructive();

        assertThat(result.exitCode()).isZero();
        assertThat(result.itemIds("deleted")).containsExactly("job:really_old");
        List<String> skipped = skipped(result);
        List<String> kept = new ArrayList<>(updatedAt.keySet());
        kept.addAll(List.of("job:updated_twice", "job:hash_epoch_micros", "job:hash_padded"));
        for (String key : kept) {
            assertThat(redis.exists(key)).as(key).isTrue();
            String expected = key.equals("job:updated_twice") ? key + ": updatedAt appears more than once in the object"
                    : key + ": updatedAt ";
            assertThat(skipped).as(key).anySatisfy(s -> assertThat(s).startsWith(expected));
        }
        assertThat(skipped).contains("job:epoch_micros: updatedAt " + micros + " is not a timestamp: neither epoch seconds "
                + "(below 1e11) nor epoch milliseconds (after 2000-01-01T00:00:00Z, below 1e14)");
        assertThat(skipped).contains("job:mongo_date: updatedAt (a JSON object) is not a timestamp");
        assertThat(result.audit().get("skippedCount").asInt()).isEqualTo(kept.size());
    }

    /** {"updatedAt":<old>,"pad":"xxx...  of exactly {@code size} bytes, cut short: not valid JSON. */
    private static String invalidJson(int size) {
        String head = "{\"jobId\":\"x\",\"updatedAt\":" + q(old()) + ",\"pad\":\"";
        return head + "x".repeat(size - head.length());
    }

    private static String validJson(int size, String tail) {
        String head = "{\"jobId\":\"x\",\"updatedAt\":" + q(old()) + ",\"pad\":\"";
        return head + "x".repeat(size - head.length() - tail.length() - 2) + "\"" + tail + "}";
    }

    @Test
    void aValueGetsTheSameAnswerWhetherOrNotItCrossesTheReadCap() throws IOException {
        redis.setJob("job:invalid_1k", invalidJson(1024));
        redis.setJob("job:invalid_70k", invalidJson(70 * 1024));
        // the second updatedAt, past the cap, is fresh: read whole this is two updatedAt, never the old first one alone
        redis.setJob("job:fresh_second_updated_past_cap", validJson(70 * 1024, ",\"updatedAt\":" + q(aMinuteAgo())));
        redis.setJob("job:old_70k", validJson(70 * 1024, ""));
        redis.setJob("job:old_one_byte_over_cap", validJson(CAP + 1, ""));
        redis.setJob("job:old_exactly_the_cap", validJson(CAP, ""));
        redis.setJob("job:old_1k", validJson(1024, ""));
        assertThat(validJson(CAP, "").length()).isEqualTo(CAP);

        Result result = destructive();

        assertThat(result.exitCode()).isZero();
        assertThat(result.itemIds("deleted")).containsExactlyInAnyOrder("job:old_exactly_the_cap", "job:old_1k");
        List<String> skipped = skipped(result);
        assertThat(skipped).contains("job:invalid_1k: value is not valid JSON",
                "job:invalid_70k: value is larger than 65536 bytes (71680 bytes): age not established",
                "job:fresh_second_updated_past_cap: value is larger than 65536 bytes (71680 bytes): age not established",
                "job:old_70k: value is larger than 65536 bytes (71680 bytes): age not established",
                "job:old_one_byte_over_cap: value is larger than 65536 bytes (65537 bytes): age not established");
        for (String key : List.of("job:invalid_1k", "job:invalid_70k", "job:fresh_second_updated_past_cap", "job:old_70k",
                "job:old_one_byte_over_cap")) {
            assertThat(redis.exists(key)).as(key).isTrue();
        }
    }

    private static long bytesSentByRedis() {
        try (Jedis jedis = redis.client()) {
            return jedis.info("stats").lines().filter(l -> l.startsWith("total_net_output_bytes:"))
                    .mapToLong(l -> Long.parseLong(l.substring(l.indexOf(':') + 1).trim())).findFirst().orElseThrow();
        }
    }

    @Test
    @Timeout(120)
    void aHashWithAHugeFieldIsSkippedWithoutBeingReadAndTheRestIsCleaned() throws IOException {
        try (Jedis jedis = new Jedis("127.0.0.1", redis.server().port(), 60_000)) {
            // built inside Redis: the test never holds the 200 MB either
            jedis.eval("redis.call('HSET', KEYS[1], 'status', 'done', 'updatedAt', string.rep('x', 200 * 1024 * 1024)) return 1",
                    1, "job:hash_huge_updated");
            jedis.eval("redis.call('HSET', KEYS[1], 'updatedAt', ARGV[1], 'createdAt', string.rep('1', 2048)) return 1",
                    1, "job:hash_long_created", old().toString());
            jedis.hset("job:hash_old", Map.of("status", "done", "updatedAt", old().toString()));
            assertThat(jedis.hstrlen("job:hash_huge_updated", "updatedAt")).isEqualTo(200L * 1024 * 1024);
        }
        redis.setJob("job:string_old", job("string_old", old()));
        long before = bytesSentByRedis();

        Result result = destructive();

        long sent = bytesSentByRedis() - before;
        // what the whole run read from Redis: a few KiB of answers, never the field
        assertThat(sent).as("bytes Redis sent during the run").isLessThan(1024 * 1024);
        assertThat(result.exitCode()).isZero();
        assertThat(result.errorTypes()).isEmpty();
        assertThat(result.itemIds("deleted")).containsExactlyInAnyOrder("job:hash_old", "job:string_old");
        assertThat(skipped(result)).contains(
                "job:hash_huge_updated: updatedAt is larger than 1024 bytes (209715200 bytes): not a timestamp, age not established",
                "job:hash_long_created: createdAt is larger than 1024 bytes (2048 bytes): not a timestamp, age not established");
        assertThat(redis.exists("job:hash_huge_updated")).isTrue();
        assertThat(redis.exists("job:hash_long_created")).isTrue();
    }
}
