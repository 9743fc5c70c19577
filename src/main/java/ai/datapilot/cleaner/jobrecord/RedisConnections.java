package ai.datapilot.cleaner.jobrecord;

import ai.datapilot.cleaner.settings.RedisUrl;
import java.time.Duration;
import org.springframework.data.redis.connection.RedisClusterConfiguration;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.jedis.JedisClientConfiguration;
import org.springframework.data.redis.connection.jedis.JedisConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * Builds the one Spring Data Redis template of the process. A {@link StringRedisTemplate}, not the
 * default one: camel-spring-redis autowires the single template in the registry, and the default
 * template's Java serialization would never match keys written by the application.
 */
public final class RedisConnections {

    private RedisConnections() {
    }

    public static JedisConnectionFactory connectionFactory(RedisUrl url, Duration timeout) {
        JedisClientConfiguration.JedisClientConfigurationBuilder client = JedisClientConfiguration.builder()
                .connectTimeout(timeout)
                .readTimeout(timeout)
                .clientName("datapilot-cleaner");
        if (url.tls()) {
            client.useSsl();
        }
        client.usePooling();
        JedisConnectionFactory factory;
        if (url.cluster()) {
            // the seed nodes tell the client the rest: every master, and which slots it owns
            RedisClusterConfiguration cluster = new RedisClusterConfiguration(
                    url.nodes().stream().map(RedisUrl.Node::toString).toList());
            url.username().ifPresent(cluster::setUsername);
            url.password().ifPresent(cluster::setPassword);
            factory = new JedisConnectionFactory(cluster, client.build());
        } else {
            RedisStandaloneConfiguration server = new RedisStandaloneConfiguration(url.host(), url.port());
            server.setDatabase(url.database());
            url.username().ifPresent(server::setUsername);
            url.password().ifPresent(server::setPassword);
            factory = new JedisConnectionFactory(server, client.build());
        }
        factory.afterPropertiesSet();
        factory.start();
        return factory;
    }

    public static StringRedisTemplate template(JedisConnectionFactory factory) {
        StringRedisTemplate template = new StringRedisTemplate(factory);
        template.afterPropertiesSet();
        return template;
    }
}
