package ai.datapilot.cleaner.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import ai.datapilot.cleaner.settings.SettingsParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import javax.xml.XMLConstants;
import javax.xml.namespace.NamespaceContext;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPath;
import javax.xml.xpath.XPathFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

/**
 * deploy/windows/: the task definition is well-formed Task Scheduler XML with the schedule and
 * limits docs/deployment.md promises, and the settings file names only settings the cleaner knows.
 * (PowerShell and Task Scheduler do not run here: the scripts themselves are not run by a test.)
 */
class WindowsTaskTest {

    static final Path WINDOWS = Path.of("deploy/windows");

    @Test
    void theTaskRunsOnceADayAt0300UtcNeverTwiceAtOnceAndNotLongerThanTheRunsBudget() throws Exception {
        XPath x = taskXPath();
        Document task = parse(WINDOWS.resolve("datapilot-cleanup.xml"));

        // the Z: anchored to UTC, not to the machine's local time and its daylight saving
        assertThat(x.evaluate("/t:Task/t:Triggers/t:CalendarTrigger/t:StartBoundary", task)).endsWith("T03:00:00Z");
        assertThat(x.evaluate("/t:Task/t:Triggers/t:CalendarTrigger/t:ScheduleByDay/t:DaysInterval", task)).isEqualTo("1");
        assertThat(x.evaluate("count(/t:Task/t:Triggers/*)", task)).isEqualTo("1");
        assertThat(x.evaluate("/t:Task/t:Settings/t:MultipleInstancesPolicy", task)).isEqualTo("IgnoreNew");
        assertThat(x.evaluate("count(/t:Task/t:Settings/t:RestartOnFailure)", task)).isEqualTo("0");
        assertThat(x.evaluate("/t:Task/t:Principals/t:Principal/t:RunLevel", task)).isEqualTo("LeastPrivilege");
        Duration limit = Duration.parse(x.evaluate("/t:Task/t:Settings/t:ExecutionTimeLimit", task));
        Duration budget = Duration.parse("PT" + setting("CLEANER_MAX_RUNTIME").toUpperCase());
        assertThat(limit).as("the hard stop comes after the run's own time budget").isGreaterThan(budget);
        String arguments = x.evaluate("/t:Task/t:Actions/t:Exec/t:Arguments", task);
        assertThat(arguments).contains("-File \"@INSTALL_DIR@\\run-cleaner.ps1\"");
        assertThat(WINDOWS.resolve("run-cleaner.ps1")).exists();
        assertThat(Files.readString(WINDOWS.resolve("run-cleaner.ps1"))).contains("run-once", "exit $run.ExitCode");
        assertThat(Files.readString(WINDOWS.resolve("register-task.ps1"))).contains("datapilot-cleanup.xml", "Register-ScheduledTask");
    }

    @Test
    void theSettingsFileNamesOnlySettingsTheCleanerKnows() throws Exception {
        Set<String> known = SettingsParser.DOCUMENTED.stream().map(s -> s[0]).collect(Collectors.toSet());
        List<String> keys = Files.readAllLines(WINDOWS.resolve("cleaner.env.example")).stream()
                .filter(l -> !l.isBlank() && !l.startsWith("#"))
                .map(l -> l.substring(0, l.indexOf('='))).toList();

        assertThat(keys).isNotEmpty();
        assertThat(known).containsAll(keys);
        assertThat(setting("CLEANER_DRY_RUN")).isEqualTo("true");
    }

    private static String setting(String key) throws Exception {
        return Files.readAllLines(WINDOWS.resolve("cleaner.env.example")).stream()
                .filter(l -> l.startsWith(key + "=")).map(l -> l.substring(key.length() + 1)).findFirst().orElseThrow();
    }

    private static Document parse(Path file) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        return factory.newDocumentBuilder().parse(file.toFile());
    }

    private static XPath taskXPath() {
        XPath x = XPathFactory.newInstance().newXPath();
        x.setNamespaceContext(new NamespaceContext() {
            @Override
            public String getNamespaceURI(String prefix) {
                return "t".equals(prefix) ? "http://schemas.microsoft.com/windows/2004/02/mit/task" : XMLConstants.NULL_NS_URI;
            }

            @Override
            public String getPrefix(String uri) {
                return null;
            }

            @Override
            public java.util.Iterator<String> getPrefixes(String uri) {
                return null;
            }
        });
        return x;
    }
}
