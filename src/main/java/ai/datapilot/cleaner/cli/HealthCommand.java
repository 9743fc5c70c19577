package ai.datapilot.cleaner.cli;

import ai.datapilot.cleaner.app.BlobStorage;
import ai.datapilot.cleaner.health.CleanerHealth;
import ai.datapilot.cleaner.jobrecord.RedisConnections;
import ai.datapilot.cleaner.settings.CleanerSettings;
import ai.datapilot.cleaner.settings.Refusal;
import ai.datapilot.cleaner.settings.SettingsParser;
import ai.datapilot.cleaner.settings.SettingsRefusedException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintStream;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.data.redis.connection.RedisConnectionFactory;

/**
 * {@code health}: prints {@code {status, timestamp, checks: {redis, storage, lastRun}, lastCleanerRun}}
 * and exits 0 healthy, 1 degraded, 2 unhealthy (settings refused counts as unhealthy).
 */
public final class HealthCommand {

    private static final ObjectMapper JSON = new ObjectMapper();

    private HealthCommand() {
    }

    public static int execute(Map<String, String> env, PrintStream out, Clock clock) throws Exception {
        CleanerSettings settings;
        try {
            settings = SettingsParser.parse(env);
        } catch (SettingsRefusedException e) {
            return unhealthy(out, clock, "settings", e.refusals().stream().map(Refusal::message).toList());
        }
        Logging.apply("WARN", settings.logFormat());
        try {
            RedisConnectionFactory factory = RedisConnections.connectionFactory(settings.redisUrl(), settings.redisTimeout());
            try (BlobStorage blobs = new BlobStorage(settings)) {
                CleanerHealth health = new CleanerHealth(RedisConnections.template(factory), settings.redisUrl().masked(),
                        blobs.auditArchive(), settings.healthMaxAge(), settings.healthMaxErrors(), clock);
                CleanerHealth.Report report = health.report();
                out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(report.json()));
                return report.exitCode();
            } finally {
                RedisConnections.close(factory);
            }
        } catch (Exception e) {
            // monitoring reads the JSON: a failure to check is an unhealthy report, never a stack trace
            return unhealthy(out, clock, "health", String.valueOf(e));
        }
    }

    private static int unhealthy(PrintStream out, Clock clock, String check, Object detail) throws Exception {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", "unhealthy");
        body.put("timestamp", clock.instant().toString());
        body.put("checks", Map.of(check, Map.of("status", "failed", "detail", detail)));
        body.put("lastCleanerRun", null);
        out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(body));
        return 2;
    }
}
