package ai.datapilot.cleaner.lease;

import ai.datapilot.cleaner.audit.CleanerRun;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.apache.camel.ExchangeProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run at a time: the local file lock, then the Redis lease, held while the run scans and
 * deletes and renewed in the background. A run that cannot get both deletes nothing and exits 3.
 * When Redis cannot be reached at all, the local lock alone guards the run (its Redis part fails
 * anyway, and the blob part must still be cleaned). Blobs in object storage have no local folder
 * to lock: there the Redis lease alone guards the run.
 */
public final class RunLease {

    private static final Logger LOG = LoggerFactory.getLogger(RunLease.class);

    private final LocalRunLock local;
    private final RedisRunLease redis;
    private final ScheduledExecutorService renewer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "cleaner-lease-renewer");
        t.setDaemon(true);
        return t;
    });
    private ScheduledFuture<?> renewal;
    private String token;
    private boolean redisHeld;

    /** @param local the storage root's lock, or null when the blobs are in object storage */
    public RunLease(LocalRunLock local, RedisRunLease redis) {
        this.local = local;
        this.redis = redis;
    }

    public synchronized void acquire(@ExchangeProperty(CleanerRun.PROPERTY) CleanerRun run) {
        Optional<String> localDenied = local == null ? Optional.empty() : local.tryAcquire();
        if (localDenied.isPresent()) {
            deny(run, localDenied.get());
            return;
        }
        token = holderName() + ":" + run.runId();
        try {
            Optional<String> denied = redis.tryAcquire(token);
            if (denied.isPresent()) {
                releaseLocal();
                deny(run, denied.get());
                return;
            }
            redisHeld = true;
            long every = Math.max(1000, redis.ttl().toMillis() / 3);
            renewal = renewer.scheduleAtFixedRate(() -> renew(run), every, every, TimeUnit.MILLISECONDS);
        } catch (RuntimeException e) {
            if (local != null) {
                LOG.warn("Redis lease not taken ({}); the local lock {} alone guards this run", e.getMessage(), local.file());
            } else {
                // compare-and-delete keeps two runs from deleting anything the other should keep
                LOG.warn("Redis lease not taken ({}); this run goes on without a lease", e.getMessage());
            }
        }
        run.leaseTaken();
    }

    private void renew(CleanerRun run) {
        try {
            if (!redis.renew(token)) {
                LOG.error("Lease lost (expired and taken by another run): stopping before the next delete");
                run.requestStop("lease lost");
            }
        } catch (RuntimeException e) {
            // Redis unreachable for now: the lease may lapse, but no other run can take it either
            LOG.warn("Lease renewal failed: {}", e.getMessage());
        }
    }

    private static void deny(CleanerRun run, String reason) {
        LOG.warn("Not running: {}. Nothing is scanned or deleted.", reason);
        run.leaseDenied(reason);
    }

    public synchronized void release(@ExchangeProperty(CleanerRun.PROPERTY) CleanerRun run) {
        if (!run.isLeaseHeld()) {
            return;
        }
        if (renewal != null) {
            renewal.cancel(false);
            renewal = null;
        }
        if (redisHeld) {
            try {
                redis.release(token);
            } catch (RuntimeException e) {
                LOG.warn("Lease not released ({}); it expires by itself in {}", e.getMessage(), redis.ttl());
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

    public void close() {
        renewer.shutdownNow();
    }

    private static String holderName() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            host = "unknown-host";
        }
        return host + ":" + ManagementFactory.getRuntimeMXBean().getPid();
    }
}
