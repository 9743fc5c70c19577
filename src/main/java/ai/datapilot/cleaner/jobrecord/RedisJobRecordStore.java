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
import org.springframework.data.redis.connection.DataType;
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
    private static final byte[] UPDATED_AT = "updatedAt".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CREATED_AT = "createdAt".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NEWLINE = {'\n'};

    /**
     * KEYS[1] the record; ARGV[1] its fingerprint at scan time; ARGV[2] "1" to delete.
     * Returns 1 unchanged (and deleted when asked), 0 gone, -1 changed, -2 no longer a job record type.
     */
    static final String COMPARE_AND_DELETE = """
            local t = redis.call('TYPE', KEYS[1])['ok']
            if t == 'none' then return 0 end
            local v
            if t == 'string' then
              v = redis.call('GET', KEYS[1])
            elseif t == 'hash' then
              local f = redis.call('HMGET', KEYS[1], 'updatedAt', 'createdAt')
              v = (f[1] or '') .. '\\n' .. (f[2] or '')
            else
              return -2
            end
            if redis.sha1hex(v) ~= ARGV[1] then return -1 end
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

    /** One MGET for the batch; the keys it cannot read as strings get their type, and hashes their two fields. */
    private void readBatch(RedisConnection connection, List<byte[]> keys, ScanSink sink) {
        if (keys.isEmpty()) {
            return;
        }
        List<byte[]> values = connection.stringCommands().mGet(keys.toArray(new byte[0][]));
        List<byte[]> notStrings = new ArrayList<>();
        for (int i = 0; i < keys.size(); i++) {
            byte[] value = values == null ? null : values.get(i);
            if (value == null) {
                notStrings.add(keys.get(i));
            } else {
                RecordAge.Result age = RecordAge.ofJson(value);
                emit(sink, keys.get(i), age, value);
            }
        }
        if (notStrings.isEmpty()) {
            return;
        }
        connection.openPipeline();
        for (byte[] key : notStrings) {
            connection.keyCommands().type(key);
        }
        List<Object> types = connection.closePipeline();
        List<byte[]> hashes = new ArrayList<>();
        for (int i = 0; i < notStrings.size(); i++) {
            DataType type = (DataType) types.get(i);
            if (type == DataType.HASH) {
                hashes.add(notStrings.get(i));
            } else if (type != DataType.NONE) {
                sink.skipped(printableKey(notStrings.get(i)), "a " + type.code() + ", not a job record (string or hash)");
            }
            // NONE: removed between SCAN and read; nothing to clean
        }
        if (hashes.isEmpty()) {
            return;
        }
        connection.openPipeline();
        for (byte[] key : hashes) {
            connection.hashCommands().hMGet(key, UPDATED_AT, CREATED_AT);
        }
        List<Object> fields = connection.closePipeline();
        for (int i = 0; i < hashes.size(); i++) {
            @SuppressWarnings("unchecked")
            List<byte[]> pair = (List<byte[]>) fields.get(i);
            byte[] updated = pair.get(0);
            byte[] created = pair.get(1);
            emit(sink, hashes.get(i), RecordAge.ofHash(updated, created), hashFingerprintInput(updated, created));
        }
    }

    private static void emit(ScanSink sink, byte[] key, RecordAge.Result age, byte[] fingerprintInput) {
        String id = printableKey(key);
        if (!age.isKnown()) {
            sink.skipped(id, age.unknownReason());
            return;
        }
        sink.scanned(new ScannedItem(StoreKind.REDIS, id, age.age(), sha1Hex(fingerprintInput), key));
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
                delete ? new byte[] {'1'} : new byte[] {'0'}));
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
