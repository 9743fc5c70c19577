package ai.datapilot.cleaner.jobrecord;

import ai.datapilot.cleaner.settings.RedisUrl;
import java.time.Duration;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.data.redis.connection.RedisClusterConfiguration;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.jedis.JedisClientConfiguration;
import org.springframework.data.redis.connection.jedis.JedisConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import redis.clients.jedis.JedisPoolConfig;

/**
 * Builds the one Spring Data Redis template of the process. A {@link StringRedisTemplate}, not the
 * default one: camel-spring-redis autowires the single template in the registry, and the default
 * template's Java serialization would never match keys written by the application.
 */
public final class RedisConnections {

    private RedisConnections() {
    }

    /**
     * The connection factory for {@code url}. One server: started here (that opens nothing yet). A
     * cluster: started when first used, and again after a failed start (see
     * {@link ReconnectingClusterFactory}).
     */
    public static RedisConnectionFactory connectionFactory(RedisUrl url, Duration timeout) {
        JedisClientConfiguration.JedisClientConfigurationBuilder client = JedisClientConfiguration.builder()
                .connectTimeout(timeout)
                .readTimeout(timeout)
                .clientName("datapilot-cleaner");
        if (url.tls()) {
            client.useSsl();
        }
        // defence in depth: a pooled connection whose socket was closed under it would reconnect
        // lazily without AUTH, SELECT or CLIENT SETNAME (as the default user, on database 0), so
        // one that is not connected, or does not answer PING, is never handed out
        JedisPoolConfig pool = new JedisPoolConfig();
        pool.setTestOnBorrow(true);
        client.usePooling().poolConfig(pool);
        if (url.cluster()) {
            // the seed nodes tell the client the rest: every master, and which slots it owns
            RedisClusterConfiguration cluster = new RedisClusterConfiguration(
                    url.nodes().stream().map(RedisUrl.Node::toString).toList());
            url.username().ifPresent(cluster::setUsername);
            url.password().ifPresent(cluster::setPassword);
            JedisClientConfiguration clientConfiguration = client.build();
            return new ReconnectingClusterFactory(() -> started(new JedisConnectionFactory(cluster, clientConfiguration)));
        }
        RedisStandaloneConfiguration server = new RedisStandaloneConfiguration(url.host(), url.port());
        server.setDatabase(url.database());
        url.username().ifPresent(server::setUsername);
        url.password().ifPresent(server::setPassword);
        return started(new JedisConnectionFactory(server, client.build()));
    }

    private static JedisConnectionFactory started(JedisConnectionFactory factory) {
        factory.afterPropertiesSet();
        try {
            factory.start();
        } catch (RuntimeException e) {
            factory.destroy();
            throw e;
        }
        return factory;
    }

    /** Whether the factory speaks to a Redis Cluster (SCAN per master, one key per script call). */
    public static boolean isCluster(RedisConnectionFactory factory) {
        return factory instanceof ReconnectingClusterFactory
                || factory instanceof JedisConnectionFactory jedis && jedis.isRedisClusterAware();
    }

    public static void close(RedisConnectionFactory factory) {
        if (factory instanceof DisposableBean disposable) {
            try {
                disposable.destroy();
            } catch (Exception e) {
                // closing at the end of the process: nothing left to do about it
            }
        }
    }

    public static StringRedisTemplate template(RedisConnectionFactory factory) {
        StringRedisTemplate template = new StringRedisTemplate(factory);
        template.afterPropertiesSet();
        return template;
    }
}
