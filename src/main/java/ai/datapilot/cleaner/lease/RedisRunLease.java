package ai.datapilot.cleaner.lease;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import org.springframework.data.redis.connection.ReturnType;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.types.Expiration;
import org.springframework.data.redis.connection.RedisStringCommands.SetOption;

/**
 * The cross-host lease: {@code SET key token NX PX ttl}. Only the holder of the token can renew or
 * release it (compare-and-pexpire / compare-and-delete in Lua), so a run never frees another's
 * lease; a crashed run's lease simply expires.
 */
public final class RedisRunLease {

    static final String RENEW = """
            if redis.call('GET', KEYS[1]) == ARGV[1] then
              return redis.call('PEXPIRE', KEYS[1], ARGV[2])
            end
            return 0
            """;
    static final String RELEASE = """
            if redis.call('GET', KEYS[1]) == ARGV[1] then
              return redis.call('DEL', KEYS[1])
            end
            return 0
            """;

    private final StringRedisTemplate template;
    private final byte[] key;
    private final Duration ttl;

    public RedisRunLease(StringRedisTemplate template, String key, Duration ttl) {
        this.template = template;
        this.key = key.getBytes(StandardCharsets.UTF_8);
        this.ttl = ttl;
    }

    public Duration ttl() {
        return ttl;
    }

    /** Takes the lease for {@code token}, or returns who holds it. Throws when Redis cannot be reached. */
    public Optional<String> tryAcquire(String token) {
        Boolean taken = template.execute((RedisCallback<Boolean>) c -> c.stringCommands().set(key,
                token.getBytes(StandardCharsets.UTF_8), Expiration.milliseconds(ttl.toMillis()), SetOption.SET_IF_ABSENT));
        if (Boolean.TRUE.equals(taken)) {
            return Optional.empty();
        }
        byte[] holder = template.execute((RedisCallback<byte[]>) c -> c.stringCommands().get(key));
        Long pttl = template.execute((RedisCallback<Long>) c -> c.keyCommands().pTtl(key));
        return Optional.of("another cleaner holds the lease " + new String(key, StandardCharsets.UTF_8) + " ("
                + (holder == null ? "just released" : new String(holder, StandardCharsets.UTF_8))
                + (pttl != null && pttl > 0 ? ", expires in " + (pttl / 1000) + " s" : "") + ")");
    }

    /** Extends the lease; false when it is no longer ours (expired and taken by another run). */
    public boolean renew(String token) {
        Long r = eval(RENEW, token, Long.toString(ttl.toMillis()));
        return r != null && r == 1;
    }

    public void release(String token) {
        eval(RELEASE, token, "0");
    }

    private Long eval(String script, String token, String arg) {
        return template.execute((RedisCallback<Long>) c -> c.scriptingCommands().eval(
                script.getBytes(StandardCharsets.UTF_8), ReturnType.INTEGER, 1, key,
                token.getBytes(StandardCharsets.UTF_8), arg.getBytes(StandardCharsets.UTF_8)));
    }
}
