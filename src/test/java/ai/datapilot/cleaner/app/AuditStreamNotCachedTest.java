package ai.datapilot.cleaner.app;

import static org.assertj.core.api.Assertions.assertThat;

import ai.datapilot.cleaner.audit.AuditRecord;
import ai.datapilot.cleaner.audit.CleanerRun;
import ai.datapilot.cleaner.settings.SettingsParser;
import ai.datapilot.cleaner.testing.RedisForTests;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Camel caches a stream body in memory (stream caching is on by default and does not spool): the
 * audit record of a large plan, tens of MB, was held whole before camel-file wrote it. Its stream
 * is exempt; other streams are cached as before.
 */
class AuditStreamNotCachedTest {

    @RegisterExtension
    static RedisForTests redis = new RedisForTests();

    @Test
    void theAuditRecordStreamIsNotCachedOtherStreamsAre(@TempDir Path root) throws Exception {
        Map<String, String> env = Map.of("LOCAL_STORAGE_ROOT", root.toString(), "REDIS_URL", redis.url());
        CleanerApplication app = CleanerApplication.start(SettingsParser.parse(env),
                new PrintStream(new ByteArrayOutputStream()), Clock.systemUTC());
        try {
            CleanerRun run = new CleanerRun(Instant.now(), 24.0, true, 10, "local:" + root, redis.url());
            run.complete(Instant.now());

            Exchange audit = new DefaultExchange(app.context());
            audit.getMessage().setBody(AuditRecord.stream(run));
            Exchange other = new DefaultExchange(app.context());
            other.getMessage().setBody(new ByteArrayInputStream(new byte[] {1, 2, 3}));

            assertThat(app.context().getStreamCachingStrategy().cache(audit)).isNull();
            assertThat(app.context().getStreamCachingStrategy().cache(other)).isNotNull();
        } finally {
            app.close();
        }
    }
}
