package ai.datapilot.cleaner.cli;

import ai.datapilot.cleaner.service.CleanerControl;
import com.sun.tools.attach.VirtualMachine;
import com.sun.tools.attach.VirtualMachineDescriptor;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * {@code pause}, {@code resume}, {@code run-now}, {@code status}: control the service running on
 * this host, as the same user (in a container: {@code kubectl exec}), through the JDK's local JMX
 * connector (the attach API; nothing listens on the network). The service is the one Java process
 * started from the cleaner's jar; CLEANER_SERVICE_PID picks one when there are several.
 */
final class ServiceCommand {

    static final String SERVICE_PID = "CLEANER_SERVICE_PID";
    /** The process of a service started from the jar shows its name in its command line. */
    private static final String JAR_NAME = "datapilot-cleaner";

    private ServiceCommand() {
    }

    static int execute(String command, Map<String, String> env, PrintStream out, PrintStream err) throws Exception {
        String pid;
        try {
            pid = findService(env);
        } catch (IllegalStateException e) {
            err.println(e.getMessage());
            return 1;
        }
        String address;
        try {
            VirtualMachine vm = VirtualMachine.attach(pid);
            try {
                address = vm.startLocalManagementAgent();
            } finally {
                vm.detach();
            }
        } catch (Exception | LinkageError e) {
            // another user's process, a JVM started with -XX:+DisableAttachMechanism, no jdk.attach
            err.println("Could not reach the cleaner service (pid " + pid + ") through the local JMX connector: " + e
                    + ". Run this command as the user the service runs as, on its host (in its container).");
            return 1;
        }
        try (JMXConnector connector = JMXConnectorFactory.connect(new JMXServiceURL(address))) {
            MBeanServerConnection jmx = connector.getMBeanServerConnection();
            ObjectName control = new ObjectName(CleanerControl.OBJECT_NAME);
            if (!jmx.isRegistered(control)) {
                err.println("Process " + pid + " is not a running cleaner service (no " + CleanerControl.OBJECT_NAME + ")");
                return 1;
            }
            return switch (command) {
                case "pause" -> {
                    jmx.invoke(control, "suspendSchedule", null, null);
                    out.println("Schedule paused (service pid " + pid + "): no scheduled run starts until `resume`; run-now still works");
                    yield 0;
                }
                case "resume" -> {
                    jmx.invoke(control, "resumeSchedule", null, null);
                    out.println("Schedule resumed (service pid " + pid + "): the next run is at the next scheduled time, "
                            + jmx.getAttribute(control, "Schedule") + "; fires missed while paused are skipped");
                    yield 0;
                }
                case "run-now" -> {
                    Object answer = jmx.invoke(control, "runNow", null, null);
                    out.println("run-now (service pid " + pid + "): " + answer);
                    yield "started".equals(answer) ? 0 : 75;
                }
                default -> {
                    status(jmx, control, pid, out);
                    yield 0;
                }
            };
        }
    }

    private static void status(MBeanServerConnection jmx, ObjectName control, String pid, PrintStream out) throws Exception {
        out.println("service pid:     " + pid);
        out.println("schedule:        " + jmx.getAttribute(control, "Schedule")
                + (Boolean.TRUE.equals(jmx.getAttribute(control, "ScheduleSuspended")) ? " (PAUSED)" : ""));
        out.println("mode:            " + (Boolean.TRUE.equals(jmx.getAttribute(control, "DryRun")) ? "dry run" : "DESTRUCTIVE"));
        out.println("running:         " + jmx.getAttribute(control, "Running"));
        out.println("last run:        " + jmx.getAttribute(control, "LastRunId") + " " + jmx.getAttribute(control, "LastRunStatus")
                + " (exit code " + jmx.getAttribute(control, "LastRunExitCode") + ", completed "
                + jmx.getAttribute(control, "LastRunCompletedAt") + ")");
        Object summary = jmx.getAttribute(control, "LastRunSummary");
        if (summary != null) {
            out.println(summary);
        }
    }

    /** The pid of the one cleaner service of this user on this host. */
    private static String findService(Map<String, String> env) {
        String chosen = env.get(SERVICE_PID);
        if (chosen != null && !chosen.isBlank()) {
            if (!chosen.matches("[0-9]{1,10}")) {
                throw new IllegalStateException(SERVICE_PID + "=\"" + LogText.escape(chosen) + "\" is not a process id");
            }
            return chosen;
        }
        String self = Long.toString(ProcessHandle.current().pid());
        List<String> found = new ArrayList<>();
        for (VirtualMachineDescriptor d : VirtualMachine.list()) {
            if (!d.id().equals(self) && d.displayName().contains(JAR_NAME) && !isCommand(d.displayName())) {
                found.add(d.id());
            }
        }
        if (found.isEmpty()) {
            throw new IllegalStateException("No running cleaner service found for this user on this host"
                    + " (a Java process started from " + JAR_NAME + ".jar as daemon). Set " + SERVICE_PID + " to its pid.");
        }
        if (found.size() > 1) {
            throw new IllegalStateException("Several cleaner processes run here (pids " + String.join(", ", found)
                    + "): set " + SERVICE_PID + " to the service's pid");
        }
        return found.get(0);
    }

    /** Another control command or a run-once is not the service. */
    private static boolean isCommand(String displayName) {
        String[] words = displayName.trim().split("\\s+");
        return words.length > 1 && !words[1].equals("daemon") && !words[1].startsWith("--");
    }
}
