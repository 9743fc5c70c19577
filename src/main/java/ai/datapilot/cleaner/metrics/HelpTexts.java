package ai.datapilot.cleaner.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Map;

/**
 * The service's Prometheus registry, bound where Camel looks for it ({@code metricsRegistry}), with
 * HELP text for the meters whose library gives none (Camel's route counts and {@code app.info}),
 * so every family on {@code /observe/metrics} says what it is.
 */
public final class HelpTexts implements MeterFilter {

    /** The registry name camel-micrometer-prometheus uses when one is bound. */
    public static final String CAMEL_REGISTRY_NAME = "metricsRegistry";

    static final Map<String, String> KNOWN = Map.of(
            "camel.routes.added", "Routes added to the Camel context",
            "camel.routes.running", "Routes running in the Camel context",
            "camel.routes.reloaded", "Routes reloaded in the Camel context",
            "app.info", "The application's runtime: Camel version, context name and runtime provider, as labels");

    private HelpTexts() {
    }

    public static PrometheusMeterRegistry registry() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.config().meterFilter(new HelpTexts());
        return registry;
    }

    @Override
    public Meter.Id map(Meter.Id id) {
        if (id.getDescription() != null && !id.getDescription().isBlank()) {
            return id;
        }
        String help = KNOWN.getOrDefault(id.getName(), id.getName().replace('.', ' '));
        return new Meter.Id(id.getName(), Tags.of(id.getTags()), id.getBaseUnit(), help, id.getType());
    }
}
