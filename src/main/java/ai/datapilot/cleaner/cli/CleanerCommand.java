package ai.datapilot.cleaner.cli;

import ai.datapilot.cleaner.demo.Demo;
import ai.datapilot.cleaner.settings.SettingsParser;
import java.io.PrintStream;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** The command line: {@code java -jar datapilot-cleaner.jar <command>}. */
public final class CleanerCommand {

    private CleanerCommand() {
    }

    public static void main(String[] args) {
        int code;
        try {
            code = execute(args, System.getenv(), System.out, System.err);
        } catch (Throwable t) {
            // a startup failure can leave non-daemon threads behind: never hang, always exit non-zero
            t.printStackTrace();
            code = 1;
        }
        System.exit(code);
    }

    public static int execute(String[] args, Map<String, String> env, PrintStream out, PrintStream err) throws Exception {
        String command = args.length == 0 ? "daemon" : args[0];
        List<String> rest = args.length == 0 ? List.of() : Arrays.asList(args).subList(1, args.length);
        switch (command) {
            case "run-once":
                return RunOnce.execute(env, out, Clock.systemUTC());
            case "daemon":
                return Daemon.execute(env, out, Clock.systemUTC());
            case "health":
                return HealthCommand.execute(env, out, Clock.systemUTC());
            case "demo":
                return Demo.execute(rest, out, Clock.systemUTC());
            case "--help", "-h", "help":
                usage(out);
                return 0;
            default:
                err.println("Unknown command: " + command);
                usage(err);
                return 2;
        }
    }

    static void usage(PrintStream out) {
        out.println("""
                datapilot-cleaner: removes DataPilot AI uploads, results and job records older than JOB_TTL_HOURS.

                Usage: java -jar datapilot-cleaner.jar [command]

                Commands:
                  daemon        (default) the service: runs on CLEANER_CRON_SCHEDULE, JMX, /observe/health, /observe/metrics
                  run-once      run one cleanup and exit (what cron, a Kubernetes CronJob or the platform scheduler call)
                  health        print the health JSON; exit 0 healthy, 1 degraded, 2 unhealthy
                  demo [--keep] lay out sample data and a private Redis, run a dry run and a real run, clean up
                  --help        this text

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
