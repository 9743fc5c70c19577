package ai.datapilot.cleaner.cli;

import ai.datapilot.cleaner.demo.Demo;
import ai.datapilot.cleaner.settings.SettingsParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.time.Clock;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.LoggerFactory;

/** The command line: {@code java -jar datapilot-cleaner.jar <command>}. */
public final class CleanerCommand {

    private CleanerCommand() {
    }

    /** The options each command understands; anything else is refused (exit 2), never ignored. */
    private static final Map<String, Set<String>> OPTIONS = Map.of(
            "run-once", Set.of("--dry-run", "--list"),
            "daemon", Set.of("--dry-run"),
            "health", Set.of(),
            "pause", Set.of(),
            "resume", Set.of(),
            "run-now", Set.of(),
            "status", Set.of(),
            "demo", Set.of("--keep"));

    public static void main(String[] args) {
        int code;
        try {
            code = execute(args, System.getenv(), System.out, System.err);
        } catch (Throwable t) {
            // a startup failure can leave non-daemon threads behind: never hang, always exit non-zero;
            // logged, not printed raw, so its message cannot forge log lines
            LoggerFactory.getLogger(CleanerCommand.class).error("The cleaner failed: {}", t.toString(), t);
            code = 1;
        }
        System.exit(code);
    }

    public static int execute(String[] args, Map<String, String> env, PrintStream out, PrintStream err) throws Exception {
        String command = args.length == 0 ? "daemon" : args[0];
        List<String> rest = args.length == 0 ? List.of() : Arrays.asList(args).subList(1, args.length);
        switch (command) {
            case "--help", "-h", "help":
                usage(out);
                return 0;
            case "--version", "version":
                out.println("datapilot-cleaner " + version());
                return 0;
            default:
                break;
        }
        Set<String> known = OPTIONS.get(command);
        if (known == null) {
            err.println("Unknown command: " + LogText.escape(command));
            usage(err);
            return 2;
        }
        if (rest.contains("--help") || rest.contains("-h")) {
            usage(out);
            return 0;
        }
        if (rest.contains("--version")) {
            out.println("datapilot-cleaner " + version());
            return 0;
        }
        for (String option : rest) {
            if (!known.contains(option)) {
                // an ignored "--dry-run" once let a run delete: an option not understood stops everything
                err.println("Unknown argument for " + command + ": \"" + LogText.escape(option) + "\" (nothing was run)."
                        + (known.isEmpty() ? " " + command + " takes no arguments." : " It takes: " + String.join(" ", new TreeSet<>(known)) + "."));
                err.println("See: java -jar datapilot-cleaner.jar --help");
                return 2;
            }
        }
        Map<String, String> effective = env;
        if (rest.contains("--dry-run")) {
            effective = new HashMap<>(env);
            effective.put(SettingsParser.CLEANER_DRY_RUN, "true");
        }
        return switch (command) {
            case "run-once" -> RunOnce.execute(effective, out, Clock.systemUTC(), rest.contains("--list"));
            case "daemon" -> Daemon.execute(effective, out, Clock.systemUTC());
            case "health" -> HealthCommand.execute(env, out, Clock.systemUTC());
            case "pause", "resume", "run-now", "status" -> ServiceCommand.execute(command, env, out, err);
            default -> Demo.execute(rest, out, Clock.systemUTC());
        };
    }

    /** The Maven project version the jar was built from. */
    public static String version() {
        try (InputStream in = CleanerCommand.class.getResourceAsStream("/datapilot-cleaner-version.properties")) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                String v = p.getProperty("version");
                if (v != null && !v.isBlank() && !v.startsWith("${")) {
                    return v;
                }
            }
        } catch (IOException e) {
            // fall through to the manifest
        }
        String manifest = CleanerCommand.class.getPackage().getImplementationVersion();
        return manifest != null ? manifest : "unknown";
    }

    static void usage(PrintStream out) {
        out.println("""
                datapilot-cleaner: removes DataPilot AI uploads, results and job records older than JOB_TTL_HOURS.

                Usage: java -jar datapilot-cleaner.jar [command] [options]

                Commands:
                  daemon [--dry-run]   (default) the service: runs on CLEANER_CRON_SCHEDULE, JMX, /observe/health, /observe/metrics
                  run-once [--dry-run] [--list]
                                       run one cleanup and exit (what cron, a Kubernetes CronJob or the platform scheduler call);
                                       --list prints each item, its age, size and rule, and the totals before the summary line
                  health               print the health JSON; exit 0 healthy, 1 degraded, 2 unhealthy
                  pause                pause the schedule of the service running here (same user); run-now still works
                  resume               resume it: the next run is at the next scheduled time, missed fires are skipped
                  run-now              start one run in the service now; exit 75 when a run is in progress
                  status               the service's schedule, pause, mode and last run
                                       (these four use the local JMX connector; CLEANER_SERVICE_PID picks the service)
                  demo [--keep]        lay out sample data and a private Redis, run a dry run and a real run, clean up
                  --help               this text (also after any command: nothing is run)
                  --version            the version (also after any command: nothing is run)

                --dry-run reports and deletes nothing, whatever CLEANER_DRY_RUN says. Deleting is switched on only by
                  CLEANER_DRY_RUN=false. Any other argument is refused with exit 2 and nothing is run.

                Exit codes of run-once: 0 completed without errors; 1 errors (see the audit's "errors"; a lease or
                  lock that could not be taken for any other reason than another run is one, and nothing was deleted);
                  2 settings refused or bad command line (nothing was deleted); 4 stopped early by CLEANER_MAX_RUNTIME
                  or SIGTERM (the rest is deferred); 75 another run holds the lease (nothing was deleted; try later).

                Settings (environment variables):""");
        for (String[] s : SettingsParser.DOCUMENTED) {
            out.printf("  %-30s default %-28s %s%n", s[0], s[1], s[2]);
        }
        out.println("""

                Dry run is the default: nothing is deleted until CLEANER_DRY_RUN=false.
                Every run writes <root>/<CLEANER_AUDIT_BLOB_PATH>/cleaner_*.json and prints one STRUCTURED_SUMMARY line.""");
    }
}
