package ai.datapilot.cleaner.metrics;

import ai.datapilot.cleaner.health.CleanerHealth;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.function.IntSupplier;

/**
 * {@code cleaner_health_status}: what the {@code health} command would exit with. In the service
 * it is read at scrape time, at most every {@link #FRESH_FOR} (each reading PINGs Redis and writes
 * the storage probe); run-once pushes the reading taken after its run.
 */
public final class HealthGauge {

    static final String NAME = "cleaner_health_status";
    static final String HELP = "Health as the health command reports it: 0 healthy, 1 degraded, 2 unhealthy";
    static final Duration FRESH_FOR = Duration.ofSeconds(30);

    private HealthGauge() {
    }

    /** A gauge read from {@code health} when scraped, the reading kept for {@link #FRESH_FOR}. */
    public static void register(MeterRegistry registry, CleanerHealth health) {
        IntSupplier status = new IntSupplier() {
            private long readAt;
            private int value = -1;

            @Override
            public synchronized int getAsInt() {
                long now = System.nanoTime();
                if (value < 0 || now - readAt > FRESH_FOR.toNanos()) {
                    value = health.report().exitCode();
                    readAt = now;
                }
                return value;
            }
        };
        Gauge.builder(NAME, status, IntSupplier::getAsInt).description(HELP).strongReference(true).register(registry);
    }

    /** A gauge holding one reading. */
    static void register(MeterRegistry registry, int status) {
        Gauge.builder(NAME, () -> status).description(HELP).strongReference(true).register(registry);
    }
}
