package ai.datapilot.cleaner.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies CLEANER_LOG_LEVEL and CLEANER_LOG_FORMAT. Camel and Spring stay at WARN unless DEBUG or
 * TRACE is asked for. Both formats are configured in logback.xml; {@link LogFormatFilter} lets one write.
 */
final class Logging {

    private Logging() {
    }

    static void apply(String level, String format) {
        LogFormatFilter.select(format);
        apply(level);
    }

    static void apply(String level) {
        Level wanted = Level.toLevel(level, Level.INFO);
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).setLevel(wanted);
        ((Logger) LoggerFactory.getLogger("ai.datapilot")).setLevel(wanted);
        Level libraries = wanted.isGreaterOrEqual(Level.INFO) ? Level.WARN : wanted;
        for (String name : new String[] {"org.apache.camel", "org.springframework", "redis.clients", "org.quartz", "io.vertx", "io.micrometer", "io.opentelemetry"}) {
            ((Logger) LoggerFactory.getLogger(name)).setLevel(libraries);
        }
    }
}
