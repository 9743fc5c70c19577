package ai.datapilot.cleaner.jobrecord;

import ai.datapilot.cleaner.store.CleanerError;
import ai.datapilot.cleaner.store.ItemScan;
import ai.datapilot.cleaner.store.Recheck;
import ai.datapilot.cleaner.store.ScanSink;
import ai.datapilot.cleaner.store.ScannedItem;
import ai.datapilot.cleaner.store.StoreKind;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.ReturnType;
import org.springframework.data.redis.core.Cursor;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.ScanOptions;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * Job records in one Redis: found with {@code SCAN MATCH job:*} (never KEYS, which blocks the
 * server), values read a batch at a time, deleted by a Lua compare-and-delete so a record the
 * application rewrote after the scan survives. Keys are handled as bytes throughout, so a key that
 * is not valid UTF-8 is deleted as itself, never as a look-alike.
 */
public final class RedisJobRecordStore implements JobRecordStore {

    static final int SCAN_COUNT = 1000;
    static final int READ_BATCH = 500;
    /** What is read of a string record: enough for any sane job JSON, never a runaway value. */
    static final int READ_CAP = 64 * 1024;

    /** KEYS: a batch of keys; ARGV[1]: the read cap. Per key: {type, ...what decides its age}. */
    static final String BATCH_READ = """
            local cap = tonumber(ARGV[1])
            local rows = {}
            for i, k in ipairs(KEYS) do
              local t = redis.call('TYPE', k)['ok']
              if t == 'string' then
                rows[i] = {t, redis.call('GETRANGE', k, 0, cap - 1), tostring(redis.call('STRLEN', k))}
              elseif t == 'hash' then
                local f = redis.call('HMGET', k, 'updatedAt', 'createdAt')
                rows[i] = {t, f[1] or '', f[2] or '', f[1] and '1' or '0', f[2] and '1' or '0'}
              else
                rows[i] = {t}
              end
            end
            return rows
            """;
    private static final byte[] BATCH_READ_SCRIPT = BATCH_READ.getBytes(StandardCharsets.UTF_8);
    private static final byte[] UPDATED_AT = "updatedAt".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CREATED_AT = "createdAt".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NEWLINE = {'\n'};

    /**
     * KEYS[1] the record; ARGV[1] its fingerprint at scan time; ARGV[2] "1" to delete; ARGV[3] the
     * read cap. A string's fingerprint is the SHA-1 of what the scan read plus its length, so a
     * large value is compared without being loaded whole.
     * Returns 1 unchanged (and deleted when asked), 0 gone, -1 changed, -2 no longer a job record type.
     */
    static final String COMPARE_AND_DELETE = """
            local t = redis.call('TYPE', KEYS[1])['ok']
            if t == 'none' then return 0 end
            local fp
            if t == 'string' then
              local cap = tonumber(ARGV[3])
              fp = redis.sha1hex(redis.call('GETRANGE', KEYS[1], 0, cap - 1)) .. ':' .. redis.call('STRLEN', KEYS[1])
            elseif t == 'hash' then
              local f = redis.call('HMGET', KEYS[1], 'updatedAt', 'createdAt')
              fp = redis.sha1hex((f[1] or '') .. '\\n' .. (f[2] or ''))
            else
              return -2
            end
            if fp ~= ARGV[1] then return -1 end
            if ARGV[2] == '1' then redis.call('DEL', KEYS[1]) end
            return 1
            """;
    private static final byte[] SCRIPT = COMPARE_AND_DELETE.getBytes(StandardCharsets.UTF_8);

    private final StringRedisTemplate template;
    private final String where;

    public RedisJobRecordStore(StringRedisTemplate template, String maskedUrl) {
        this.template = template;
        this.where = maskedUrl;
    }

    @Override
    public StoreKind kind() {
        return StoreKind.REDIS;
    }

    @Override
    public String describe() {
        return where;
    }

    @Override
    public ItemScan scan() {
        return new ItemScan() {
            @Override
            public StoreKind store() {
                return StoreKind.REDIS;
            }

            @Override
            public void drain(ScanSink sink) {
                try {
                    template.execute((RedisCallback<Void>) connection -> {
                        scanAll(connection, sink);
                        return null;
                    });
                } catch (RuntimeException e) {
                    sink.failed(CleanerError.redisScan("Redis at " + where + ": " + rootMessage(e)));
                }
            }
        };
    }

    private void scanAll(RedisConnection connection, ScanSink sink) {
        ScanOptions options = ScanOptions.scanOptions().match(PATTERN).count(SCAN_COUNT).build();
        try (Cursor<byte[]> cursor = connection.keyCommands().scan(options)) {
            List<byte[]> batch = new ArrayList<>(READ_BATCH);
            while (cursor.hasNext()) {
                if (sink.stopRequested()) {
                    return;
                }
                batch.add(cursor.next());
                if (batch.size() == READ_BATCH) {
                    readBatch(connection, batch, sink);
                    batch.clear();
                }
            }
            readBatch(connection, batch, sink);
        }
    }

    /**
     * One script call per batch reads, for each key, its type and what decides its age: a string's
     * first {@value #READ_CAP} bytes and length (never a whole 100 MB value), or a hash's two fields.
     */
    @SuppressWarnings("unchecked")
    private void readBatch(RedisConnection connection, List<byte[]> keys, ScanSink sink) {
        if (keys.isEmpty()) {
            return;
        }
        byte[][] keysAndArgs = new byte[keys.size() + 1][];
        for (int i = 0; i < keys.size(); i++) {
            keysAndArgs[i] = keys.get(i);
        }
        keysAndArgs[keys.size()] = Integer.toString(READ_CAP).getBytes(StandardCharsets.US_ASCII);
        List<Object> rows = connection.scriptingCommands().eval(BATCH_READ_SCRIPT, ReturnType.MULTI, keys.size(), keysAndArgs);
        for (int i = 0; i < keys.size(); i++) {
            List<Object> row = (List<Object>) rows.get(i);
            String type = new String((byte[]) row.get(0), StandardCharsets.US_ASCII);
            byte[] key = keys.get(i);
            switch (type) {
                case "string" -> {
                    byte[] head = (byte[]) row.get(1);
                    long length = Long.parseLong(new String((byte[]) row.get(2), StandardCharsets.US_ASCII));
                    RecordAge.Result age = RecordAge.ofJson(head, length > head.length);
                    emit(sink, key, age, sha1Hex(head) + ":" + length);
                }
                case "hash" -> {
                    byte[] updated = "1".equals(new String((byte[]) row.get(3), StandardCharsets.US_ASCII)) ? (byte[]) row.get(1) : null;
                    byte[] created = "1".equals(new String((byte[]) row.get(4), StandardCharsets.US_ASCII)) ? (byte[]) row.get(2) : null;
                    emit(sink, key, RecordAge.ofHash(updated, created), sha1Hex(hashFingerprintInput(updated, created)));
                }
                case "none" -> {
                    // removed between SCAN and read: nothing to clean
                }
                default -> sink.skipped(printableKey(key), "a " + type + ", not a job record (string or hash)");
            }
        }
    }

    private static void emit(ScanSink sink, byte[] key, RecordAge.Result age, String fingerprint) {
        String id = printableKey(key);
        if (!age.isKnown()) {
            sink.skipped(id, age.unknownReason());
            return;
        }
        sink.scanned(new ScannedItem(StoreKind.REDIS, id, age.age(), fingerprint, key));
    }

    private static byte[] hashFingerprintInput(byte[] updated, byte[] created) {
        ByteBuffer b = ByteBuffer.allocate(len(updated) + 1 + len(created));
        if (updated != null) {
            b.put(updated);
        }
        b.put(NEWLINE);
        if (created != null) {
            b.put(created);
        }
        return b.array();
    }

    private static int len(byte[] bytes) {
        return bytes == null ? 0 : bytes.length;
    }

    static String sha1Hex(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A key as the audit shows it: itself when it is printable UTF-8, else with \xNN escapes. */
    static String printableKey(byte[] key) {
        try {
            String text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(key)).toString();
            if (text.chars().noneMatch(c -> c < 0x20 || c == 0x7f || c == '\\')) {
                return text;
            }
        } catch (CharacterCodingException e) {
            // escaped below
        }
        StringBuilder b = new StringBuilder();
        for (byte raw : key) {
            int c = raw & 0xff;
            if (c >= 0x20 && c < 0x7f && c != '\\') {
                b.append((char) c);
            } else {
                b.append(String.format("\\x%02x", c));
            }
        }
        return b.toString();
    }

    @Override
    public Recheck recheck(ScannedItem candidate, Instant cutoff) {
        return compareAndDelete(candidate, false);
    }

    @Override
    public Recheck deleteIfUnchanged(ScannedItem candidate, Instant cutoff) {
        // the age was read from the very value the script compares, so unchanged means still expired
        return compareAndDelete(candidate, true);
    }

    private Recheck compareAndDelete(ScannedItem candidate, boolean delete) {
        byte[] key = (byte[]) candidate.ref();
        Long result = template.execute((RedisCallback<Long>) connection -> connection.scriptingCommands().eval(
                SCRIPT, ReturnType.INTEGER, 1, key,
                candidate.fingerprint().getBytes(StandardCharsets.US_ASCII),
                delete ? new byte[] {'1'} : new byte[] {'0'},
                Integer.toString(READ_CAP).getBytes(StandardCharsets.US_ASCII)));
        long r = result == null ? 0 : result;
        if (r == 1) {
            return Recheck.EXPIRED;
        }
        if (r == 0) {
            return Recheck.gone("already gone");
        }
        if (r == -1) {
            return Recheck.changed("value changed after the scan");
        }
        return Recheck.changed("no longer a string or hash");
    }

    static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String first = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return t == e ? first : first + " (" + t.getClass().getSimpleName() + ": " + t.getMessage() + ")";
    }
}
