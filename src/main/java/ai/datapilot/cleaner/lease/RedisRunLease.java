package ai.datapilot.cleaner.lease;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;
import org.springframework.data.redis.connection.ReturnType;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.types.Expiration;
import org.springframework.data.redis.connection.RedisStringCommands.SetOption;

/**
 * The cross-host lease: {@code SET key token NX PX ttl}. Only the holder of the token can renew or
 * release it (compare-and-pexpire / compare-and-delete in Lua), so a run never frees another's
 * lease. A crashed run's lease expires by itself, or is taken over at once by the next run on its
 * host when its holder is provably gone (see {@link LeaseHolder}): a compare-and-set on the exact
 * token that was judged, so a lease renewed or taken by anyone else in between is left alone.
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

    static final String TAKE_OVER = """
            if redis.call('GET', KEYS[1]) == ARGV[1] then
              redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
              return 1
            end
            return 0
            """;

    /** The outcome of an attempt: taken (perhaps over from a gone holder), or held by another. */
    public record Attempt(boolean taken, String tookOverFrom, String deniedReason) {
    }

    private final StringRedisTemplate template;
    private final byte[] key;
    private final Duration ttl;

    public RedisRunLease(StringRedisTemplate template, String key, Duration ttl) {
        this.template = template;
        this.key = key.getBytes(StandardCharsets.UTF_8);
        this.ttl = ttl;
    }

    public String key() {
        return new String(key, StandardCharsets.UTF_8);
    }

    public Duration ttl() {
        return ttl;
    }

    /** Takes the lease for {@code token}, or returns who holds it. Throws when Redis fails. */
    public Optional<String> tryAcquire(String token) {
        return Optional.ofNullable(tryAcquire(token, holder -> Optional.empty()).deniedReason());
    }

    /**
     * Takes the lease for {@code token}; when another token holds it and {@code gone} proves that
     * holder gone, takes it over from exactly that token. Throws on any Redis failure.
     */
    public Attempt tryAcquire(String token, Function<String, Optional<String>> gone) {
        byte[] ours = token.getBytes(StandardCharsets.UTF_8);
        Boolean taken = template.execute((RedisCallback<Boolean>) c -> c.stringCommands().set(key,
                ours, Expiration.milliseconds(ttl.toMillis()), SetOption.SET_IF_ABSENT));
        if (Boolean.TRUE.equals(taken)) {
            return new Attempt(true, null, null);
        }
        byte[] holder = template.execute((RedisCallback<byte[]>) c -> c.stringCommands().get(key));
        if (holder != null) {
            String theirs = new String(holder, StandardCharsets.UTF_8);
            Optional<String> why = gone.apply(theirs);
            if (why.isPresent()) {
                Long swapped = template.execute((RedisCallback<Long>) c -> c.scriptingCommands().eval(
                        TAKE_OVER.getBytes(StandardCharsets.UTF_8), ReturnType.INTEGER, 1, key, holder, ours,
                        Long.toString(ttl.toMillis()).getBytes(StandardCharsets.US_ASCII)));
                if (swapped != null && swapped == 1) {
                    return new Attempt(true, theirs + " (" + why.get() + ")", null);
                }
            }
        }
        Long pttl = template.execute((RedisCallback<Long>) c -> c.keyCommands().pTtl(key));
        return new Attempt(false, null, "another cleaner holds the lease " + new String(key, StandardCharsets.UTF_8) + " ("
                + (holder == null ? "just released" : new String(holder, StandardCharsets.UTF_8))
                + (pttl != null && pttl > 0 ? ", expires in " + (pttl / 1000) + " s" : "") + ")");
    }

    /** Extends the lease; false when it is no longer ours (expired and taken by another run). */
    public boolean renew(String token) {
        Long r = eval(RENEW, token, Long.toString(ttl.toMillis()));
        return r != null && r == 1;
    }

    /** Whether the lease is {@code token}'s right now (a GET: no change to it). */
    public boolean heldBy(String token) {
        byte[] holder = template.execute((RedisCallback<byte[]>) c -> c.stringCommands().get(key));
        return holder != null && token.equals(new String(holder, StandardCharsets.UTF_8));
    }

    /** Releases the lease; false when it was no longer {@code token}'s to release. */
    public boolean release(String token) {
        Long r = eval(RELEASE, token, "0");
        return r != null && r == 1;
    }

    private Long eval(String script, String token, String arg) {
        return template.execute((RedisCallback<Long>) c -> c.scriptingCommands().eval(
                script.getBytes(StandardCharsets.UTF_8), ReturnType.INTEGER, 1, key,
                token.getBytes(StandardCharsets.UTF_8), arg.getBytes(StandardCharsets.UTF_8)));
    }
}
