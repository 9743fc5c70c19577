package ai.datapilot.cleaner.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import redis.clients.jedis.Connection;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisMonitor;

/** Every command a test's private Redis ran while it was on, as MONITOR reports it. */
public final class RedisMonitor implements AutoCloseable {

    private static final Pattern LINE = Pattern.compile("^[0-9.]+ \\[(\\d+) ([^\\]]+)\\] (.*)$");

    private final List<String> lines = Collections.synchronizedList(new ArrayList<>());
    private final Jedis jedis;
    private final Thread thread;

    /** @param admin a connection allowed to MONITOR; closed with this */
    public RedisMonitor(Jedis admin) throws InterruptedException {
        this.jedis = admin;
        CountDownLatch started = new CountDownLatch(1);
        thread = new Thread(() -> {
            try {
                jedis.monitor(new JedisMonitor() {
                    @Override
                    public void proceed(Connection connection) {
                        started.countDown();
                        super.proceed(connection);
                    }

                    @Override
                    public void onCommand(String command) {
                        lines.add(command);
                    }
                });
            } catch (RuntimeException closed) {
                // the test closed the connection: monitoring is over
            }
        }, "test-monitor");
        thread.setDaemon(true);
        thread.start();
        started.await();
    }

    /** {db, client, command (upper case), the whole argument text} of every line. */
    public List<String[]> commands() {
        List<String[]> parsed = new ArrayList<>();
        synchronized (lines) {
            for (String line : lines) {
                Matcher m = LINE.matcher(line);
                assertThat(m.matches()).as(line).isTrue();
                String args = m.group(3);
                String name = args.substring(1, args.indexOf('"', 1)).toUpperCase();
                parsed.add(new String[] {m.group(1), m.group(2), name, args});
            }
        }
        return parsed;
    }

    @Override
    public void close() throws InterruptedException {
        Thread.sleep(200); // the last commands of the run reach MONITOR
        jedis.getConnection().disconnect();
        thread.join(5000);
    }
}
