package ai.datapilot.cleaner.jobrecord;

import java.util.function.Supplier;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.dao.DataAccessException;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.data.redis.connection.RedisClusterConnection;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.RedisSentinelConnection;
import org.springframework.data.redis.connection.jedis.JedisConnectionFactory;

/**
 * The connection factory of a Redis Cluster, made when it is first needed and made again after a
 * failed start. A cluster client learns the topology from the seed nodes when it starts, so a
 * cluster that is down (or refuses the password) fails the start itself; Spring's factory cannot
 * be started twice, and one run's Redis failure must not keep the blob part from running, nor keep
 * the service from reaching the cluster once it is back.
 */
final class ReconnectingClusterFactory implements RedisConnectionFactory, DisposableBean {

    private final Supplier<JedisConnectionFactory> starter;
    private JedisConnectionFactory started;

    ReconnectingClusterFactory(Supplier<JedisConnectionFactory> starter) {
        this.starter = starter;
    }

    private synchronized JedisConnectionFactory factory() {
        if (started == null) {
            try {
                started = starter.get();
            } catch (RuntimeException e) {
                throw new DataAccessResourceFailureException("the cluster could not be reached through its seed nodes: "
                        + RedisJobRecordStore.rootMessage(e) + nodeFailure(e), e);
            }
        }
        return started;
    }

    /** The client keeps why each seed failed (refused password, connection refused) as suppressed exceptions. */
    private static String nodeFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            for (Throwable seed : t.getSuppressed()) {
                return " (first seed: " + RedisJobRecordStore.rootMessage(seed) + ")";
            }
        }
        return "";
    }

    @Override
    public RedisConnection getConnection() {
        return factory().getConnection();
    }

    @Override
    public RedisClusterConnection getClusterConnection() {
        return factory().getClusterConnection();
    }

    @Override
    public boolean getConvertPipelineAndTxResults() {
        return true;
    }

    @Override
    public RedisSentinelConnection getSentinelConnection() {
        throw new UnsupportedOperationException("a Redis Cluster has no sentinels");
    }

    @Override
    public DataAccessException translateExceptionIfPossible(RuntimeException ex) {
        JedisConnectionFactory f;
        synchronized (this) {
            f = started;
        }
        return f != null ? f.translateExceptionIfPossible(ex) : null;
    }

    @Override
    public synchronized void destroy() {
        if (started != null) {
            started.destroy();
            started = null;
        }
    }
}
