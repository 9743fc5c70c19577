package ai.datapilot.cleaner.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import ai.datapilot.cleaner.testing.ExternalServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * The alert rules in deploy/monitoring checked by Prometheus' own tool: they load
 * ({@code promtool check rules}) and fire exactly when their unit tests say ({@code promtool test
 * rules}: a failed run, more than 5 errors, no success in 48 h, health not healthy, no series).
 * Skipped, saying so, where Debian's prometheus package (promtool) is not installed.
 */
class AlertRulesTest {

    static final Path MONITORING = Path.of("deploy/monitoring");

    static String promtool(String... args) throws Exception {
        Path promtool = ExternalServer.binary("/usr/bin/promtool", "prometheus");
        List<String> command = new java.util.ArrayList<>(List.of(promtool.toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(MONITORING.toFile()).redirectErrorStream(true).start();
        try {
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("promtool finished").isTrue();
            assertThat(p.exitValue()).as("promtool " + String.join(" ", args) + ":\n" + output).isZero();
            return output;
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void theRulesLoad() throws Exception {
        assertThat(promtool("check", "rules", "cleaner-alerts.yaml")).contains("SUCCESS: 5 rules found");
    }

    @Test
    void theRulesFireWhenTheirUnitTestsSay() throws Exception {
        assertThat(promtool("test", "rules", "cleaner-alerts.test.yaml")).contains("SUCCESS");
    }

    @Test
    void everyRuleHasAUnitTest() throws Exception {
        String tests = Files.readString(MONITORING.resolve("cleaner-alerts.test.yaml"));
        for (Map<String, Object> rule : rules(groups(load("cleaner-alerts.yaml")))) {
            assertThat(tests).as("a test of " + rule.get("alert")).contains("alertname: " + rule.get("alert"));
        }
    }

    @Test
    void thePrometheusRuleHoldsTheSameGroups() throws Exception {
        Map<String, Object> operator = load("prometheusrule.yaml");
        assertThat(operator.get("kind")).isEqualTo("PrometheusRule");
        @SuppressWarnings("unchecked")
        Map<String, Object> spec = (Map<String, Object>) operator.get("spec");
        assertThat(groups(spec)).isEqualTo(groups(load("cleaner-alerts.yaml")));
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> load(String file) throws Exception {
        return (Map<String, Object>) new Load(LoadSettings.builder().build()).loadFromString(Files.readString(MONITORING.resolve(file)));
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> groups(Map<String, Object> file) {
        return (List<Map<String, Object>>) file.get("groups");
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> rules(List<Map<String, Object>> groups) {
        return groups.stream().flatMap(g -> ((List<Map<String, Object>>) g.get("rules")).stream()).toList();
    }
}
