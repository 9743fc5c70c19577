package ai.datapilot.cleaner.lease;

import ai.datapilot.cleaner.audit.CleanerRun;
import ai.datapilot.cleaner.audit.RunLogContext;
import ai.datapilot.cleaner.store.CleanerError;
import ai.datapilot.cleaner.store.LeaseCheck;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.apache.camel.ExchangeProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * One run at a time: the local file lock, then the Redis lease, held while the run scans and
 * deletes and renewed in the background. A run that does not hold the lease deletes nothing:
 * another run holding it exits 75 (try again later); any other failure to take it (a lock file
 * that cannot be written, Redis refusing the command: NOPERM, NOAUTH, WRONGTYPE, a script error)
 * is an error in the audit and exits 1.
 *
 * <p>One exception, because the run still holds a lease for what it deletes: with a local storage
 * root whose OS lock this run holds, Redis that cannot be reached at all (connection refused,
 * timeout) leaves the blobs to the local lock, and the job records, which that lock does not
 * cover, are not scanned (an error in the audit). Blobs in object storage have no local lock:
 * there the Redis lease alone guards the run, and without it nothing is deleted.
 */
public final class RunLease implements LeaseCheck {

    private static final Logger LOG = LoggerFactory.getLogger(RunLease.class);

    private final LocalRunLock local;
    private final RedisRunLease redis;
    private final LeaseHolder holder;
    private final ScheduledExecutorService renewer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "cleaner-lease-renewer");
        t.setDaemon(true);
        return t;
    });
    private ScheduledFuture<?> renewal;
    static final long CONFIRM_EVERY_MILLIS = 250;

    private volatile String token;
    private volatile long confirmedAt = System.nanoTime() - TimeUnit.DAYS.toNanos(1);
    private volatile boolean redisHeld;
    /** The run holding (or trying to take) the lease: where a lost lease is reported. */
    private volatile CleanerRun current;
    /** The run that holds the lease now (taken, not yet released): the only one allowed to delete. */
    private volatile CleanerRun holding;
    private volatile boolean lostReported;
    /** When the lease was last known to be ours: the moment before the command that confirmed it. */
    private volatile long confirmedAtNanos;

    /** @param local the storage root's lock, or null when the blobs are in object storage */
    public RunLease(LocalRunLock local, RedisRunLease redis) {
        this(local, redis, LeaseHolder.thisProcess());
    }

    public RunLease(LocalRunLock local, RedisRunLease redis, LeaseHolder holder) {
        this.local = local;
        this.redis = redis;
        this.holder = holder;
    }

    public synchronized void acquire(@ExchangeProperty(CleanerRun.PROPERTY) CleanerRun run) {
        if (holding != null && holding != run) {
            // a second run of this process (a second trigger): turned away before it touches the
            // token, the renewal or the lock file of the run that holds the lease
            deny(run, "another run in this process (" + holding.runId() + ") holds the lease");
            return;
        }
        current = run;
        lostReported = false;
        if (local != null) {
            Optional<String> localDenied;
            try {
                localDenied = local.tryAcquire();
            } catch (IOException e) {
                fail(run, CleanerError.lease(local.file().toString(), null, e.getMessage()), e.getMessage());
                return;
            }
            if (localDenied.isPresent()) {
                deny(run, localDenied.get());
                return;
            }
        }
        token = holder.token(run.runId());
        RedisRunLease.Attempt attempt;
        long before = System.nanoTime();
        try {
            attempt = redis.tryAcquire(token, holder::goneBecause);
        } catch (RuntimeException e) {
            String why = message(e);
            if (local != null && unreachable(e)) {
                LOG.warn("Redis lease not taken (Redis unreachable: {}); the local lock {} alone guards the files of this run,"
                        + " and job records are not cleaned", why, local.file());
                run.jobRecordsUnguarded("the Redis lease could not be taken (Redis unreachable: " + why
                        + "); the local lock " + local.file() + " does not cover Redis");
                holding = run;
                run.leaseTaken();
                return;
            }
            releaseLocal();
            String reason = "the Redis lease " + redis.key() + " could not be taken: " + why;
            fail(run, CleanerError.lease(null, redis.key(), reason), reason);
            return;
        }
        if (!attempt.taken()) {
            releaseLocal();
            deny(run, attempt.deniedReason());
            return;
        }
        confirmedAtNanos = before;
        if (attempt.tookOverFrom() != null) {
            LOG.warn("Took over the lease {} from {}", redis.key(), attempt.tookOverFrom());
            run.leaseTakenOver(attempt.tookOverFrom());
        }
        redisHeld = true;
        confirmedAt = System.nanoTime(); // the SET that took it is a confirmation
        long every = Math.max(1000, redis.ttl().toMillis() / 3);
        renewal = renewer.scheduleAtFixedRate(RunLogContext.carried(() -> renew(run)), every, every, TimeUnit.MILLISECONDS);
        holding = run;
        run.leaseTaken();
    }

    /** True while {@code run} holds the lease: after its acquire took it, before its release. */
    public boolean holdsFor(CleanerRun run) {
        return run != null && holding == run;
    }

    private void renew(CleanerRun run) {
        long before = System.nanoTime();
        try {
            if (redis.renew(token)) {
                confirmedAtNanos = before;
            } else {
                lost("the lease " + redis.key() + " was lost (expired, removed or taken by another run) before its renewal");
            }
        } catch (RuntimeException e) {
            String why = message(e);
            if (!unreachable(e)) {
                LOG.error("Lease renewal refused ({}): stopping before the next delete", why);
                run.error(CleanerError.lease(null, redis.key(), "the Redis lease " + redis.key() + " could not be renewed: " + why));
                run.requestStop("lease renewal failed");
                return;
            }
            long unconfirmedMillis = (System.nanoTime() - confirmedAtNanos) / 1_000_000;
            if (local == null && unconfirmedMillis >= redis.ttl().toMillis() * 2 / 3) {
                // nothing else guards a bucket: stop before the lease can lapse and another run take it
                LOG.error("Lease not confirmed for {} ms (Redis unreachable: {}): stopping before the next delete", unconfirmedMillis, why);
                run.requestStop("lease not confirmed (Redis unreachable)");
                return;
            }
            // the local lock still guards the files; job-record deletes fail while Redis is away
            LOG.warn("Lease renewal failed: {}", why);
        }
    }

    private static void deny(CleanerRun run, String reason) {
        LOG.warn("Not running: {}. Nothing is scanned or deleted.", reason);
        run.leaseDenied(reason);
    }

    private static void fail(CleanerRun run, CleanerError error, String reason) {
        LOG.error("Not running: {}. Nothing is scanned or deleted.", reason);
        run.error(error);
        run.leaseDenied(reason);
    }

    /**
     * Redis could not be reached at all: only network failures on the way, and no reply from the
     * server anywhere in the chain. A reply (NOPERM, NOAUTH, WRONGTYPE, a script error) means it
     * was reached and said no, as does anything not known to be a network failure.
     */
    static boolean unreachable(Throwable e) {
        boolean network = false;
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        Deque<Throwable> todo = new ArrayDeque<>();
        todo.add(e);
        while (!todo.isEmpty()) {
            Throwable t = todo.poll();
            if (!seen.add(t)) {
                continue;
            }
            if (t instanceof JedisDataException) {
                return false;
            }
            if (t instanceof ConnectException || t instanceof SocketTimeoutException || t instanceof UnknownHostException
                    || t instanceof NoRouteToHostException || t instanceof SocketException) {
                network = true;
            }
            if (t.getCause() != null) {
                todo.add(t.getCause());
            }
            Collections.addAll(todo, t.getSuppressed());
        }
        return network;
    }

    private static String message(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String first = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return root == e || first.contains(String.valueOf(root.getMessage())) ? first : first + " (" + root.getMessage() + ")";
    }

    public synchronized void release(@ExchangeProperty(CleanerRun.PROPERTY) CleanerRun run) {
        // only the run holding the lease releases it: a run ended while a step hung may come here
        // late, when the lease is another run's
        if (!run.isLeaseHeld() || holding != run) {
            return;
        }
        holding = null;
        if (renewal != null) {
            renewal.cancel(false);
            renewal = null;
        }
        if (redisHeld) {
            try {
                if (!redis.release(token)) {
                    lost("the lease " + redis.key() + " was no longer this run's when it ended (expired, removed or taken by another run)");
                }
            } catch (RuntimeException e) {
                LOG.warn("Lease not released ({}); it expires by itself in {}", message(e), redis.ttl());
            }
            redisHeld = false;
        }
        releaseLocal();
    }

    private void releaseLocal() {
        if (local != null) {
            local.release();
        }
    }

    @Override
    public String key() {
        return redis.key();
    }

    /** The token while this run holds the Redis lease; null before, after, or when it never took it. */
    @Override
    public String heldToken() {
        return redisHeld ? token : null;
    }

    /**
     * Confirms the lease with Redis at most every {@value #CONFIRM_EVERY_MILLIS} ms: an object
     * delete then follows a confirmation by at most that long, not by up to a renewal period.
     */
    @Override
    public String unconfirmed() {
        String held = heldToken();
        if (held == null) {
            return "this run holds no Redis lease";
        }
        long now = System.nanoTime();
        if (now - confirmedAt < TimeUnit.MILLISECONDS.toNanos(CONFIRM_EVERY_MILLIS)) {
            return null;
        }
        try {
            if (!redis.heldBy(held)) {
                return "the lease " + redis.key() + " is no longer this run's";
            }
        } catch (RuntimeException e) {
            return "the lease " + redis.key() + " could not be confirmed (" + e.getMessage() + ")";
        }
        confirmedAt = now;
        return null;
    }

    /** A run that lost its lease ran, for a while, beside another: an error, and it stops. */
    @Override
    public void lost(String why) {
        CleanerRun run = current;
        if (run == null) {
            return;
        }
        synchronized (run) {
            if (lostReported) {
                return;
            }
            lostReported = true;
        }
        LOG.error("Lease lost: {}; stopping before the next delete", why);
        run.error(CleanerError.lease(null, redis.key(), why));
        run.requestStop("lease lost");
    }

    public void close() {
        renewer.shutdownNow();
    }
}
