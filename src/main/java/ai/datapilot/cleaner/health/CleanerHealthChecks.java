package ai.datapilot.cleaner.health;

import java.util.Map;
import java.util.function.Supplier;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * The cleaner's checks as Camel health checks: visible over JMX and on /observe/health. Redis and
 * storage decide readiness; none decides liveness (restarting the pod fixes neither), and the last
 * run only shows in the full report, where alerts read it.
 */
public final class CleanerHealthChecks {

    private CleanerHealthChecks() {
    }

    public static AbstractHealthCheck redis(CleanerHealth health) {
        return new Check("cleaner-redis", health::redis, true);
    }

    public static AbstractHealthCheck storage(CleanerHealth health) {
        return new Check("cleaner-storage", health::storage, true);
    }

    public static AbstractHealthCheck lastRun(CleanerHealth health) {
        return new Check("cleaner-last-run", health::lastRun, false);
    }

    static final class Check extends AbstractHealthCheck {
        private final Supplier<CleanerHealth.Check> check;
        private final boolean readiness;

        Check(String id, Supplier<CleanerHealth.Check> check, boolean readiness) {
            super("cleaner", id);
            this.check = check;
            this.readiness = readiness;
        }

        @Override
        public boolean isLiveness() {
            return false;
        }

        @Override
        public boolean isReadiness() {
            return readiness;
        }

        @Override
        protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
            CleanerHealth.Check result = check.get();
            builder.detail("detail", result.detail());
            if (result.up()) {
                builder.up();
            } else {
                builder.message(result.detail()).down();
            }
        }
    }
}
