package ai.datapilot.cleaner.cli;

import ai.datapilot.cleaner.service.CleanerService;
import ai.datapilot.cleaner.settings.CleanerSettings;
import ai.datapilot.cleaner.settings.Refusal;
import ai.datapilot.cleaner.settings.SettingsParser;
import ai.datapilot.cleaner.settings.SettingsRefusedException;
import java.io.PrintStream;
import java.time.Clock;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code daemon} (the default command): the long-running service. Exit 2 when settings are refused. */
final class Daemon {

    private static final Logger LOG = LoggerFactory.getLogger(Daemon.class);

    private Daemon() {
    }

    static int execute(Map<String, String> env, PrintStream out, Clock clock) throws Exception {
        CleanerSettings settings;
        try {
            settings = SettingsParser.parse(env);
        } catch (SettingsRefusedException refused) {
            Logging.apply("INFO", refused.fallback().logFormat());
            for (Refusal r : refused.refusals()) {
                LOG.error("CONFIG_REFUSED {}", r.message());
            }
            LOG.error("The service did not start: fix the setting(s) above");
            return 2;
        }
        Logging.apply(settings.logLevel(), settings.logFormat());
        return CleanerService.start(settings, out, clock).runUntilTerminated();
    }
}
