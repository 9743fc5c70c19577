package ai.datapilot.cleaner.jobrecord;

import ai.datapilot.cleaner.store.CleanerError;
import ai.datapilot.cleaner.store.ItemScan;
import ai.datapilot.cleaner.store.LeaseCheck;
import ai.datapilot.cleaner.store.Recheck;
import ai.datapilot.cleaner.store.RecordFields;
import ai.datapilot.cleaner.store.SkipReason;
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
import java.util.function.IntFunction;
import ai.datapilot.cleaner.store.ChunkPartlyFailedException;
import org.springframework.data.redis.connection.RedisClusterConnection;
import org.springframework.data.redis.connection.RedisClusterNode;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import java.util.Map;
import redis.clients.jedis.ClusterPipeline;
import redis.clients.jedis.Connection;
import redis.clients.jedis.ConnectionPool;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisCluster;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;
import redis.clients.jedis.Response;
import redis.clients.jedis.exceptions.JedisDataException;
import org.springframework.data.redis.connection.ReturnType;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * Job records in one Redis or a Redis Cluster: found with {@code SCAN MATCH job:*} (never KEYS,
 * which blocks the server) on the server or on every master of the cluster, values read a batch at
 * a time, deleted by a Lua compare-and-delete so a record the application rewrote after the scan
 * survives. Keys are handled as bytes throughout, so a key that is not valid UTF-8 is deleted as
 * itself, never as a look-alike.
 *
 * <p>On one server a batch is one script call. A cluster refuses a script whose keys live in
 * different slots, so there each key gets its own script call, pipelined to the node that owns the
 * key's slot: the same scripts, the same answers, one round trip per node and batch.
 */
public final class RedisJobRecordStore implements JobRecordStore {

    static final int SCAN_COUNT = 2000;
    static final int READ_BATCH = 1000;
    /**
     * The largest string record that is read (whole) and aged: a larger one is skipped without
     * being read, so no answer ever depends on where a value was cut.
     */
    static final int READ_CAP = 64 * 1024;
    /** The largest hash field read: every timestamp form that is read is far shorter. */
    static final int FIELD_CAP = 1024;

    /** A hash with more fields than this is not measured: its size is unknown. */
    static final int HASH_SIZE_FIELDS = 1000;

    /**
     * KEYS: a batch of keys; ARGV[1]: the string cap; ARGV[2]: the hash field cap; ARGV[3]: the
     * fields keep rules look at, one per line. Per key: {type, ...what decides its age}: a
     * string's length and, when within the cap, its value; a hash's two fields and their lengths,
     * a field over the cap as its length only, its size (names and values, HSTRLEN; -1 over
     * {@value #HASH_SIZE_FIELDS} fields), then each watched field and its length. Lengths come
     * first, so nothing over a cap is ever loaded, in Redis or here.
     */
    static final String BATCH_READ = """
            local cap = tonumber(ARGV[1])
            local fieldCap = tonumber(ARGV[2])
            local watched = {}
            for w in string.gmatch(ARGV[3] or '', '[^\\n]+') do watched[#watched + 1] = w end
            local function field(k, name)
              local n = redis.call('HSTRLEN', k, name)
              if n == 0 or n > fieldCap then return '', n end
              return redis.call('HGET', k, name), n
            end
            local function hashSize(k)
              if redis.call('HLEN', k) > %1$d then return -1 end
              local s = 0
              for _, f in ipairs(redis.call('HKEYS', k)) do s = s + #f + redis.call('HSTRLEN', k, f) end
              return s
            end
            local function variant(k)
              if #watched == 0 then return '' end
              if redis.call('HLEN', k) > %1$d then return '*' end
              for _, f in ipairs(redis.call('HKEYS', k)) do
                for _, w in ipairs(watched) do
                  if f ~= w and string.lower(f) == string.lower(w) then return f end
                end
              end
              return ''
            end
            local rows = {}
            for i, k in ipairs(KEYS) do
              local t = redis.call('TYPE', k)['ok']
              if t == 'string' then
                local n = redis.call('STRLEN', k)
                rows[i] = {t, n > cap and '' or redis.call('GET', k), tostring(n)}
              elseif t == 'hash' then
                local u, un = field(k, 'updatedAt')
                local c, cn = field(k, 'createdAt')
                local row = {t, u, c, tostring(un), tostring(cn), tostring(hashSize(k))}
                for _, w in ipairs(watched) do
                  local v, vn = field(k, w)
                  row[#row + 1] = v
                  row[#row + 1] = tostring(vn)
                end
                row[#row + 1] = variant(k)
                rows[i] = row
              else
                rows[i] = {t}
              end
            end
            return rows
            """.formatted(HASH_SIZE_FIELDS);
    private static final byte[] BATCH_READ_SCRIPT = BATCH_READ.getBytes(StandardCharsets.UTF_8);
    private static final byte[] READ_CAP_ARG = Integer.toString(READ_CAP).getBytes(StandardCharsets.US_ASCII);
    private static final byte[] FIELD_CAP_ARG = Integer.toString(FIELD_CAP).getBytes(StandardCharsets.US_ASCII);

    /**
     * KEYS: the records, then the lease key when ARGV[4] is not empty; ARGV[1]: "1" to delete;
     * ARGV[2], ARGV[3]: the string and hash field caps; ARGV[4]: the lease token the run holds, or
     * empty; ARGV[5]: the fields keep rules look at, one per line (a hash's fingerprint covers
     * them, so a record whose status changed since the scan is kept); ARGV[6..]: the records'
     * fingerprints at scan time. A delete under a lease that no
     * longer holds that token deletes nothing (every answer -3): tested in the same atomic step as
     * the deletes, so a lease lost since the last renewal is never deleted under. A fingerprint is
     * the type and the SHA-1 of everything the age was read from: a whole string, or a hash's two
     * fields. What is over a cap now was within it at scan time, so it has changed; it is
     * measured, never loaded. Per key: 1 unchanged (and deleted when asked), 0 gone, -1 changed,
     * -2 no longer a job record type, -3 not deleted: the lease is not the run's.
     */
    static final String COMPARE_AND_DELETE = """
            local n = #ARGV - 5
            local delete = ARGV[1] == '1'
            local cap = tonumber(ARGV[2])
            local fieldCap = tonumber(ARGV[3])
            local answers = {}
            local watched = {}
            for w in string.gmatch(ARGV[5], '[^\\n]+') do watched[#watched + 1] = w end
            local function variant(k)
              if #watched == 0 then return false end
              if redis.call('HLEN', k) > %d then return true end
              for _, f in ipairs(redis.call('HKEYS', k)) do
                for _, w in ipairs(watched) do
                  if f ~= w and string.lower(f) == string.lower(w) then return true end
                end
              end
              return false
            end
            if delete and ARGV[4] ~= '' and redis.call('GET', KEYS[n + 1]) ~= ARGV[4] then
              for i = 1, n do answers[i] = -3 end
              return answers
            end
            for i = 1, n do
              local k = KEYS[i]
              local t = redis.call('TYPE', k)['ok']
              local fp = nil
              if t == 'string' then
                if redis.call('STRLEN', k) > cap then
                  fp = 'over the cap'
                else
                  fp = 'string:' .. redis.sha1hex(redis.call('GET', k))
                end
              elseif t == 'hash' then
                if redis.call('HSTRLEN', k, 'updatedAt') > fieldCap or redis.call('HSTRLEN', k, 'createdAt') > fieldCap then
                  fp = 'over the cap'
                else
                  local f = redis.call('HMGET', k, 'updatedAt', 'createdAt')
                  -- each part with its length first: no value can pass for another field's
                  local function part(v) v = v or ''; return #v .. ':' .. v end
                  local input = part(f[1]) .. part(f[2])
                  for w in string.gmatch(ARGV[5], '[^\\n]+') do
                    if redis.call('HSTRLEN', k, w) > fieldCap then
                      input = nil
                      break
                    end
                    input = input .. part(redis.call('HGET', k, w))
                  end
                  fp = input == nil and 'over the cap' or 'hash:' .. redis.sha1hex(input)
                  -- a field a keep rule looks at, now also under another letter case: not what the scan saw
                  if variant(k) then fp = 'a case variant of a watched field' end
                end
              end
              if t == 'none' then
                answers[i] = 0
              elseif fp == nil then
                answers[i] = -2
              elseif fp ~= ARGV[5 + i] then
                answers[i] = -1
              else
                if delete then redis.call('DEL', k) end
                answers[i] = 1
              end
            end
            return answers
            """.formatted(HASH_SIZE_FIELDS);
    private static final byte[] SCRIPT = COMPARE_AND_DELETE.getBytes(StandardCharsets.UTF_8);

    private static final byte[] PATTERN_BYTES = PATTERN.getBytes(StandardCharsets.UTF_8);

    private final StringRedisTemplate template;
    private final String where;
    private final ScanPages pages;
    private volatile LeaseCheck lease;
    private volatile List<String> watched = List.of();
    private volatile byte[] watchedArg = new byte[0];

    public RedisJobRecordStore(StringRedisTemplate template, String maskedUrl) {
        this(template, maskedUrl, Jedis::scan);
    }

    RedisJobRecordStore(StringRedisTemplate template, String maskedUrl, ScanPages pages) {
        this.template = template;
        this.where = maskedUrl;
        this.pages = pages;
    }

    /** Deletes only under {@code lease}, tested in the same script as the deletes (see {@link #COMPARE_AND_DELETE}). */
    public void guardDeletesWith(LeaseCheck lease) {
        this.lease = lease;
    }

    /** The record fields keep rules look at: read with each record (capped) and covered by the re-check. */
    public void watchFields(List<String> fields) {
        this.watched = List.copyOf(fields);
        this.watchedArg = String.join("\n", fields).getBytes(StandardCharsets.UTF_8);
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
                    execute(connection -> {
                        scanAll(connection, sink);
                        return null;
                    });
                } catch (RuntimeException e) {
                    sink.failed(CleanerError.redisScan("Redis at " + where + ": " + rootMessage(e)));
                }
            }
        };
    }

    /**
     * Runs the work on a connection: the cluster's own where there is one, because the template
     * wraps every connection in a plain string connection that hides the per-node commands.
     */
    private <T> T execute(RedisCallback<T> work) {
        RedisConnectionFactory factory = template.getRequiredConnectionFactory();
        if (RedisConnections.isCluster(factory)) {
            try (RedisClusterConnection connection = factory.getClusterConnection()) {
                return work.doInRedis(connection);
            }
        }
        return template.execute(work);
    }

    /**
     * SCAN on the native client, never through a Spring {@code Cursor}: closing Spring Data Redis's
     * SCAN cursor closes the connection under the template (it goes back to the pool, then the
     * template closes it again, which disconnects it while idle in the pool, and the next borrower
     * reconnects without AUTH or SELECT); its cluster cursor goes on using a client it already
     * gave back, and turns keys into Strings, which mangles keys that are not UTF-8.
     */
    private void scanAll(RedisConnection connection, ScanSink sink) {
        SeenKeys seen = new SeenKeys();
        if (connection instanceof RedisClusterConnection cluster) {
            // a cluster SCAN is per node: every master holds its own part of the keyspace
            Map<String, ConnectionPool> pools = ((JedisCluster) cluster.getNativeConnection()).getClusterNodes();
            for (RedisClusterNode node : cluster.clusterGetNodes()) {
                if (node.isMaster() && !sink.stopRequested()) {
                    ConnectionPool pool = pools.get(node.getHost() + ":" + node.getPort());
                    if (pool == null) {
                        throw new IllegalStateException("the cluster client has no connection to master " + node.getHost() + ":" + node.getPort());
                    }
                    try (Connection nodeConnection = pool.getResource()) {
                        // not closed itself: closing the Connection gives it back to its pool, once
                        scanNode(new Jedis(nodeConnection), connection, sink, seen);
                    }
                }
            }
            return;
        }
        scanNode((Jedis) connection.getNativeConnection(), connection, sink, seen);
    }

    private void scanNode(Jedis jedis, RedisConnection connection, ScanSink sink, SeenKeys seen) {
        ScanParams params = new ScanParams().match(PATTERN_BYTES).count(SCAN_COUNT);
        byte[] cursor = ScanParams.SCAN_POINTER_START_BINARY;
        List<byte[]> batch = new ArrayList<>(READ_BATCH);
        do {
            if (sink.stopRequested()) {
                return;
            }
            ScanResult<byte[]> page = pages.scan(jedis, cursor, params);
            for (byte[] key : page.getResult()) {
                if (sink.stopRequested()) {
                    return;
                }
                // SCAN may return a key more than once: it is read, counted and capped once
                if (!seen.add(key)) {
                    continue;
                }
                batch.add(key);
                if (batch.size() == READ_BATCH) {
                    readBatch(connection, batch, sink);
                    batch.clear();
                }
            }
            cursor = page.getCursorAsBytes();
        } while (!scanDone(cursor));
        readBatch(connection, batch, sink);
    }

    private static boolean scanDone(byte[] cursor) {
        return cursor.length == 1 && cursor[0] == '0';
    }

    /** One SCAN call; a seam so a test can make SCAN return a key twice, as Redis may. */
    @FunctionalInterface
    interface ScanPages {
        ScanResult<byte[]> scan(Jedis jedis, byte[] cursor, ScanParams params);
    }

    /**
     * One script call per batch reads, for each key, its type and what decides its age: a string
     * within {@value #READ_CAP} bytes whole, or a hash's two fields within {@value #FIELD_CAP}
     * bytes each; what is larger is measured, never read, and skipped.
     */
    @SuppressWarnings("unchecked")
    private void readBatch(RedisConnection connection, List<byte[]> keys, ScanSink sink) {
        if (keys.isEmpty()) {
            return;
        }
        List<String> fields = watched;
        byte[] fieldsArg = watchedArg;
        byte[][] keysAndArgs = new byte[keys.size() + 3][];
        for (int i = 0; i < keys.size(); i++) {
            keysAndArgs[i] = keys.get(i);
        }
        keysAndArgs[keys.size()] = READ_CAP_ARG;
        keysAndArgs[keys.size() + 1] = FIELD_CAP_ARG;
        keysAndArgs[keys.size() + 2] = fieldsArg;
        List<Object> rows;
        if (connection instanceof RedisClusterConnection) {
            rows = perKeyInCluster(connection, keys.size(), i -> new byte[][] {keys.get(i), READ_CAP_ARG, FIELD_CAP_ARG, fieldsArg},
                    BATCH_READ_SCRIPT);
        } else {
            rows = connection.scriptingCommands().eval(BATCH_READ_SCRIPT, ReturnType.MULTI, keys.size(), keysAndArgs);
        }
        for (int i = 0; i < keys.size(); i++) {
            if (rows.get(i) instanceof Exception e) {
                // e.g. the slot moved to another node during a resharding: the next run sees it
                sink.skipped(printableKey(keys.get(i)), SkipReason.UNREADABLE, "could not be read: " + e.getMessage());
                continue;
            }
            List<Object> row = (List<Object>) rows.get(i);
            String type = new String((byte[]) row.get(0), StandardCharsets.US_ASCII);
            byte[] key = keys.get(i);
            switch (type) {
                case "string" -> {
                    long length = number(row.get(2));
                    if (length > READ_CAP) {
                        sink.skipped(printableKey(key), SkipReason.TOO_LARGE, "value is larger than " + READ_CAP + " bytes (" + length
                                + " bytes): age not established");
                    } else {
                        byte[] value = (byte[]) row.get(1);
                        emit(sink, key, RecordAge.ofJson(value), () -> "string:" + sha1Hex(value), length,
                                () -> RecordFieldsRead.ofJson(value, fields));
                    }
                }
                case "hash" -> {
                    long updatedLength = number(row.get(3));
                    long createdLength = number(row.get(4));
                    if (updatedLength > FIELD_CAP || createdLength > FIELD_CAP) {
                        String field = updatedLength > FIELD_CAP ? "updatedAt" : "createdAt";
                        sink.skipped(printableKey(key), SkipReason.TOO_LARGE, field + " is larger than " + FIELD_CAP + " bytes ("
                                + Math.max(updatedLength, createdLength) + " bytes): not a timestamp, age not established");
                        continue;
                    }
                    byte[] updated = updatedLength == 0 ? null : (byte[]) row.get(1);
                    byte[] created = createdLength == 0 ? null : (byte[]) row.get(2);
                    RecordFields watchedValues = RecordFieldsRead.ofHash(row, 6, fields, FIELD_CAP);
                    emit(sink, key, RecordAge.ofHash(updated, created),
                            () -> "hash:" + sha1Hex(hashFingerprintInput(updated, created, row, 6, fields.size())), number(row.get(5)),
                            () -> watchedValues);
                }
                case "none" -> {
                    // removed between SCAN and read: nothing to clean
                }
                default -> sink.skipped(printableKey(key), SkipReason.WRONG_TYPE, "a " + type + ", not a job record (string or hash)");
            }
        }
    }

    private static long number(Object reply) {
        return Long.parseLong(new String((byte[]) reply, StandardCharsets.US_ASCII));
    }

    private static void emit(ScanSink sink, byte[] key, RecordAge.Result age, java.util.function.Supplier<String> fingerprint,
            long size, java.util.function.Supplier<RecordFields> fields) {
        if (!age.isKnown()) {
            sink.skipped(printableKey(key), age.unknownReason());
        } else if (sink.interested(age.age())) {
            sink.scanned(new ScannedItem(StoreKind.REDIS, printableKey(key), age.age(), fingerprint.get(), key, size,
                    fields.get(), null));
        } else {
            sink.passed(size);
        }
    }

    /** What a hash's fingerprint is made of, as the scripts make it: updatedAt, createdAt, then each watched field, each length first. */
    private static byte[] hashFingerprintInput(byte[] updated, byte[] created, List<Object> row, int from, int watchedCount) {
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream(len(updated) + len(created) + 16);
        part(b, updated);
        part(b, created);
        for (int w = 0; w < watchedCount; w++) {
            part(b, (byte[]) row.get(from + 2 * w));
        }
        return b.toByteArray();
    }

    /** One part of a hash's fingerprint, as the scripts write it: its length, ':', itself. */
    private static void part(java.io.ByteArrayOutputStream b, byte[] value) {
        b.writeBytes((len(value) + ":").getBytes(StandardCharsets.US_ASCII));
        if (value != null) {
            b.writeBytes(value);
        }
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
    public Recheck recheck(ScannedItem candidate, Instant cutoff) throws ChunkPartlyFailedException {
        return compareAndDelete(List.of(candidate), false).get(0);
    }

    @Override
    public Recheck deleteIfUnchanged(ScannedItem candidate, Instant cutoff) throws ChunkPartlyFailedException {
        // the age was read from the very value the script compares, so unchanged means still expired
        return compareAndDelete(List.of(candidate), true).get(0);
    }

    /** One script call re-checks (and deletes) a whole chunk: all of it or, on a failure, none. */
    @Override
    public boolean deletesInChunks() {
        return true;
    }

    @Override
    public List<Recheck> recheckAll(List<ScannedItem> candidates, Instant cutoff) throws ChunkPartlyFailedException {
        return compareAndDelete(candidates, false);
    }

    @Override
    public List<Recheck> deleteAllIfUnchanged(List<ScannedItem> candidates, Instant cutoff) throws ChunkPartlyFailedException {
        return compareAndDelete(candidates, true);
    }

    private List<Recheck> compareAndDelete(List<ScannedItem> candidates, boolean delete) throws ChunkPartlyFailedException {
        int n = candidates.size();
        LeaseCheck guard = delete ? lease : null;
        String token = guard == null ? "" : guard.heldToken();
        if (token == null) {
            return notUnderTheLease(guard, n, "this run holds no lease");
        }
        byte[] leaseKey = guard == null ? null : guard.key().getBytes(StandardCharsets.UTF_8);
        byte[] tokenBytes = token.getBytes(StandardCharsets.UTF_8);
        byte[] deleteFlag = delete ? new byte[] {'1'} : new byte[] {'0'};
        byte[] noToken = new byte[0];
        byte[] fieldsArg = watchedArg;
        List<Object> results = execute(connection -> {
            if (connection instanceof RedisClusterConnection) {
                // the lease lives in another slot than the records: tested just before, not in the same step
                if (leaseKey != null && !java.util.Arrays.equals(connection.stringCommands().get(leaseKey), tokenBytes)) {
                    return null;
                }
                return perKeyInCluster(connection, n, i -> new byte[][] {(byte[]) candidates.get(i).ref(), deleteFlag, READ_CAP_ARG,
                        FIELD_CAP_ARG, noToken, fieldsArg, candidates.get(i).fingerprint().getBytes(StandardCharsets.US_ASCII)}, SCRIPT);
            }
            int keyCount = leaseKey == null ? n : n + 1;
            byte[][] keysAndArgs = new byte[keyCount + 5 + n][];
            for (int i = 0; i < n; i++) {
                keysAndArgs[i] = (byte[]) candidates.get(i).ref();
                keysAndArgs[keyCount + 5 + i] = candidates.get(i).fingerprint().getBytes(StandardCharsets.US_ASCII);
            }
            if (leaseKey != null) {
                keysAndArgs[n] = leaseKey;
            }
            keysAndArgs[keyCount] = deleteFlag;
            keysAndArgs[keyCount + 1] = READ_CAP_ARG;
            keysAndArgs[keyCount + 2] = FIELD_CAP_ARG;
            keysAndArgs[keyCount + 3] = leaseKey == null ? noToken : tokenBytes;
            keysAndArgs[keyCount + 4] = fieldsArg;
            return connection.scriptingCommands().eval(SCRIPT, ReturnType.MULTI, keyCount, keysAndArgs);
        });
        if (results == null) {
            return notUnderTheLease(guard, n, "the lease " + guard.key() + " is no longer this run's");
        }
        List<Recheck> answers = new ArrayList<>(n);
        Exception firstFailure = null;
        boolean leaseLost = false;
        for (Object r : results) {
            if (r instanceof Exception e) {
                answers.add(null);
                firstFailure = firstFailure == null ? e : firstFailure;
                continue;
            }
            long code = (Long) r;
            leaseLost |= code == -3;
            answers.add(code == 1 ? Recheck.EXPIRED
                    : code == 0 ? Recheck.gone("already gone")
                    : code == -1 ? Recheck.changed("value changed after the scan")
                    : code == -3 ? Recheck.changed(notDeleted(guard))
                    : Recheck.changed("no longer a string or hash"));
        }
        if (leaseLost) {
            guard.lost("the lease " + guard.key() + " is no longer this run's: job records were kept from then on");
        }
        if (firstFailure != null) {
            throw new ChunkPartlyFailedException(answers, firstFailure);
        }
        return answers;
    }

    private static String notDeleted(LeaseCheck guard) {
        return "not deleted: the lease " + guard.key() + " is no longer this run's";
    }

    private static List<Recheck> notUnderTheLease(LeaseCheck guard, int n, String why) {
        guard.lost(why + ": job records were kept from then on");
        List<Recheck> answers = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            answers.add(Recheck.changed(notDeleted(guard)));
        }
        return answers;
    }

    /**
     * Runs {@code script} once per key, each call holding one key, pipelined through the cluster
     * client to the nodes that own the keys. One answer per key, in order: the script's reply for
     * its one key (the one element of the list it returns), or
     * the exception that key's call ended with (its slot moved, say); a node that cannot be reached
     * fails the whole call.
     */
    private static List<Object> perKeyInCluster(RedisConnection connection, int count, IntFunction<byte[][]> keyAndArgs, byte[] script) {
        JedisCluster cluster = (JedisCluster) connection.getNativeConnection();
        List<Response<Object>> responses = new ArrayList<>(count);
        try (ClusterPipeline pipeline = cluster.pipelined()) {
            for (int i = 0; i < count; i++) {
                responses.add(pipeline.eval(script, 1, keyAndArgs.apply(i)));
            }
            pipeline.sync();
        }
        List<Object> answers = new ArrayList<>(count);
        for (Response<Object> response : responses) {
            try {
                answers.add(((List<?>) response.get()).get(0));
            } catch (JedisDataException e) {
                answers.add(e);
            }
        }
        return answers;
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
