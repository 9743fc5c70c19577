package ai.datapilot.cleaner.metrics;

import ai.datapilot.cleaner.audit.CleanerRun;
import ai.datapilot.cleaner.health.AuditArchive;
import ai.datapilot.cleaner.settings.PushgatewayUrl;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.exporter.pushgateway.Format;
import io.prometheus.metrics.exporter.pushgateway.PushGateway;
import io.prometheus.metrics.exporter.pushgateway.Scheme;
import java.util.OptionalInt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * run-once's metrics for a Prometheus Pushgateway: the same series as the service's, for the run
 * just done, replacing the group {@code job="datapilot-cleaner"} (HTTP PUT) so the gateway always
 * holds the newest run. A push that fails is a warning: the run's work and its exit code stand,
 * and a gateway that stays unreachable shows as the "no success in 48 h" alert.
 */
public final class MetricsPush {

    public static final String JOB = "datapilot-cleaner";
    private static final Logger LOG = LoggerFactory.getLogger(MetricsPush.class);

    private MetricsPush() {
    }

    /**
     * @param archive the audit records, for the last success before this run
     * @param health  the health reading after the run, when there is one
     * @return whether the gateway took the metrics
     */
    public static boolean push(PushgatewayUrl target, CleanerRun run, AuditArchive archive, OptionalInt health) {
        try {
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            RunMetrics metrics = new RunMetrics();
            metrics.bindTo(registry, archive == null ? LastRuns.none() : LastRuns.read(archive));
            metrics.record(run);
            health.ifPresent(status -> HealthGauge.register(registry, status));
            PushGateway.Builder gateway = PushGateway.builder()
                    .address(target.address())
                    .scheme(target.https() ? Scheme.HTTPS : Scheme.HTTP)
                    .format(Format.PROMETHEUS_TEXT)
                    .job(JOB)
                    .registry(registry.getPrometheusRegistry());
            target.basicAuth().ifPresent(auth -> gateway.basicAuth(auth[0], auth[1]));
            gateway.build().push();
            LOG.info("Metrics of run {} pushed to {}", run.runId(), target);
            return true;
        } catch (Exception | LinkageError e) {
            // never the exception's text alone: it may quote the URL; the target is shown masked
            LOG.warn("Metrics of run {} NOT pushed to the Pushgateway {}: {}; the run's exit code is unchanged",
                    run.runId(), target, e.getClass().getSimpleName() + ": " + maskedMessage(e, target));
            return false;
        }
    }

    private static String maskedMessage(Throwable e, PushgatewayUrl target) {
        String message = String.valueOf(e.getMessage());
        String raw = target.uri().getRawUserInfo();
        return raw == null ? message : message.replace(raw, "***");
    }
}
