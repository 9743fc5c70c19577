package ai.datapilot.cleaner.cli;

import static ai.datapilot.cleaner.testing.CleanerRuns.env;
import static ai.datapilot.cleaner.testing.RedisForTests.job;
import static ai.datapilot.cleaner.testing.StorageTree.old;
import static org.assertj.core.api.Assertions.assertThat;

import ai.datapilot.cleaner.audit.CleanerRun;
import ai.datapilot.cleaner.audit.RunProgress;
import ai.datapilot.cleaner.audit.ScanResult;
import ai.datapilot.cleaner.progress.ProgressReporter;
import ai.datapilot.cleaner.settings.SettingsParser;
import ai.datapilot.cleaner.settings.SettingsRefusedException;
import ai.datapilot.cleaner.store.ScannedItem;
import ai.datapilot.cleaner.store.StoreKind;
import ai.datapilot.cleaner.testing.RedisForTests;
import ai.datapilot.cleaner.testing.StorageTree;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run longer than CLEANER_PROGRESS_SECONDS logs progress lines while it goes: paced real runs of a
 * few seconds with a 1 s interval, read back from stderr in both log formats.
 */
class ProgressLinesTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final int FILES = 50;
    static final int PACE = 20;
    static final Pattern DELETING = Pattern.compile("Progress: deleting; scanned (\\d+) blob item\\(s\\), (\\d+) job record\\(s\\); "
            + "planned (\\d+): (\\d+) deleted, 0 kept, 0 failed, 0 skipped; ([0-9.]+) done/s \\(paced at 20/s\\); (?:about (\\d+)s|under 1s) left");

    @RegisterExtension
    static RedisForTests redis = new RedisForTests();

    @TempDir
    Path tmp;

    StorageTree tree;

    @BeforeEach
    void storage() throws IOException {
        tree = new StorageTree(Files.createDirectory(tmp.resolve("storage")));
        for (int i = 0; i < FILES; i++) {
            tree.file("uploads/job_" + i + "/data.csv", old());
        }
        redis.setJob("job:old", job("old", old()));
    }

    @AfterEach
    void backToText() {
        Logging.apply("INFO", LogFormatFilter.TEXT);
    }

    private String[] run(Map<String, String> env) {
        JsonLogLinesTest.Captured captured = JsonLogLinesTest.runCapturingStderr(env);
        assertThat(captured.result().exitCode()).as(captured.stderr()).isZero();
        return new String[] {captured.result().summary().get("runId").asText(), captured.stderr()};
    }

    @Test
    void aPacedRunLogsWhereItStandsEverySecondWithTheRateAndTheTimeLeft() {
        String[] done = run(env(tree.root(), redis.url(), "CLEANER_DRY_RUN", "false",
                "CLEANER_DELETES_PER_SECOND", Integer.toString(PACE), "CLEANER_PROGRESS_SECONDS", "1"));
        String runId = done[0];
        List<String> lines = done[1].lines().toList();
        List<String> progress = lines.stream().filter(l -> l.contains("Progress: ")).toList();

        // 51 deletes at 20/s: about 2.5 s of deletes, so at least two lines while deleting
        List<Matcher> deleting = progress.stream().map(DELETING::matcher).filter(Matcher::find).toList();
        assertThat(deleting).as(String.join("\n", progress)).hasSizeGreaterThanOrEqualTo(2);
        for (Matcher m : deleting) {
            assertThat(Long.parseLong(m.group(1))).isEqualTo(FILES);
            assertThat(Long.parseLong(m.group(2))).isEqualTo(1);
            assertThat(Long.parseLong(m.group(3))).isEqualTo(FILES + 1);
            long deleted = Long.parseLong(m.group(4));
            assertThat(deleted).isBetween(1L, (long) FILES);
            double rate = Double.parseDouble(m.group(5));
            // the throttle lets a second's worth through at once, so a short window may see more
            assertThat(rate).isBetween(PACE * 0.3, PACE * 3d);
            // the time left is what is left over the rate measured, never faster than the pace
            double expected = (FILES + 1 - deleted) / Math.min(rate, PACE);
            long left = m.group(6) == null ? 0 : Long.parseLong(m.group(6));
            assertThat((double) left).isBetween(Math.floor(expected) - 1, Math.ceil(expected) + 1);
        }
        long first = Long.parseLong(deleting.get(0).group(4));
        long last = Long.parseLong(deleting.get(deleting.size() - 1).group(4));
        assertThat(last).as("live counts").isGreaterThan(first);
        // every line carries the run id, and none comes after the run's end
        assertThat(progress).allSatisfy(l -> assertThat(l).contains("run=" + runId).contains(" INFO "));
        int end = indexOf(lines, "Run " + runId + " ended");
        assertThat(lines.subList(end, lines.size())).noneMatch(l -> l.contains("Progress: "));
        assertThat(Thread.getAllStackTraces().keySet()).as("the reporter's thread is idle, not ticking for the old run")
                .noneMatch(t -> t.getName().equals("cleaner-progress") && t.getState() == Thread.State.RUNNABLE);
    }

    @Test
    void inJsonTheLineCarriesTheRunIdAndItsNumbersAsFields() throws IOException {
        Map<String, String> env = env(tree.root(), redis.url(), "CLEANER_DRY_RUN", "true", "CLEANER_PACE_DRY_RUN", "true",
                "CLEANER_DELETES_PER_SECOND", Integer.toString(PACE), "CLEANER_PROGRESS_SECONDS", "1");
        env.put("CLEANER_LOG_FORMAT", "json");
        String[] done = run(env);

        List<JsonNode> progress = done[1].lines().map(ProgressLinesTest::json)
                .filter(e -> e.get("message").asText().startsWith("Progress: deleting")).toList();
        assertThat(progress).isNotEmpty();
        for (JsonNode e : progress) {
            assertThat(e.get("runId").asText()).isEqualTo(done[0]);
            assertThat(e.get("level").asText()).isEqualTo("INFO");
            JsonNode p = e.get("progress");
            assertThat(p.get("phase").asText()).isEqualTo("deleting");
            assertThat(p.get("blobsScanned").asLong()).isEqualTo(FILES);
            assertThat(p.get("planned").asLong()).isEqualTo(FILES + 1);
            assertThat(p.get("wouldDelete").asLong()).isBetween(1L, (long) FILES);
            assertThat(e.get("message").asText()).contains(p.get("wouldDelete").asLong() + " would delete");
            assertThat(p.get("perSecond").asDouble()).isPositive();
            assertThat(p.get("secondsLeft").asLong()).isNotNegative();
        }
        assertThat(tree.exists("uploads/job_0/data.csv")).isTrue();
    }

    @Test
    void zeroTurnsTheLinesOffAndShortRunsPrintNone() throws IOException {
        String[] off = run(env(tree.root(), redis.url(), "CLEANER_DRY_RUN", "false",
                "CLEANER_DELETES_PER_SECOND", Integer.toString(PACE), "CLEANER_PROGRESS_SECONDS", "0"));
        assertThat(off[1]).doesNotContain("Progress: ");

        tree.file("uploads/job_new/data.csv", old());
        String[] quick = run(env(tree.root(), redis.url(), "CLEANER_DRY_RUN", "false"));
        assertThat(quick[1]).doesNotContain("Progress: ");
    }

    @Test
    void aBadIntervalIsRefusedNamingTheSetting() {
        for (String bad : List.of("-1", "ten", "86401", "1.5")) {
            Map<String, String> env = env(tree.root(), redis.url(), "CLEANER_PROGRESS_SECONDS", bad);
            try {
                SettingsParser.parse(env);
                throw new AssertionError(bad + " accepted");
            } catch (SettingsRefusedException e) {
                assertThat(e.refusals()).singleElement().satisfies(r -> {
                    assertThat(r.variable()).isEqualTo("CLEANER_PROGRESS_SECONDS");
                    assertThat(r.message()).contains(bad).contains("0 = no progress lines");
                });
            }
        }
    }

    @Test
    void theScanCountsAreLiveBeforeTheScanIsHandedToTheRun() {
        CleanerRun run = new CleanerRun(Instant.now(), 24d, true, 500, "blobs", "redis");
        ScanResult blobs = new ScanResult(StoreKind.BLOB, 500, run.live());
        ScanResult keys = new ScanResult(StoreKind.REDIS, 500, run.live());
        for (int i = 0; i < 7; i++) {
            blobs.countScanned(10);
        }
        blobs.countSeen();
        blobs.expired(new ScannedItem(StoreKind.BLOB, "uploads/a", old(), "f", null, 3));
        blobs.kept(new ScannedItem(StoreKind.BLOB, "uploads/b", old(), "f", null, 3), "keep", "kept");
        keys.countScanned(5);

        RunProgress p = run.progress();
        assertThat(p.phase()).isEqualTo(RunProgress.SCANNING);
        assertThat(p.blobsScanned()).isEqualTo(8);
        assertThat(p.keysScanned()).isEqualTo(1);
        assertThat(p.expired()).isEqualTo(1);
        assertThat(p.kept()).isEqualTo(1);

        run.absorb(blobs);
        run.absorb(keys);
        assertThat(run.blobsScanned()).as("the tally's own count agrees").isEqualTo(p.blobsScanned());
        List<ScannedItem> plan = run.decidePlan();
        assertThat(run.progress().phase()).isEqualTo(RunProgress.DELETING);
        assertThat(run.progress().planned()).isEqualTo(plan.size()).isEqualTo(1);
    }

    @Test
    void aScanInProgressIsReportedFromTheLiveCountsAndTheTicksStopOnceTheRunIsComplete() throws Exception {
        CleanerRun run = new CleanerRun(Instant.now(), 24d, false, 500, "blobs", "redis");
        ScanResult scan = new ScanResult(StoreKind.BLOB, 500, run.live());
        String logged = JsonLogLinesTest.stderrOf(() -> {
            try (ProgressReporter reporter = new ProgressReporter(Duration.ofMillis(200), 0)) {
                reporter.opened(run);
                for (int i = 0; i < 1000; i++) {
                    scan.countScanned(10);
                }
                Thread.sleep(700);
                // a run whose close step never came: its audit is complete, so the ticks stop
                run.complete(Instant.now());
                Thread.sleep(900);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        List<String> lines = logged.lines().filter(l -> l.contains("Progress: ")).toList();
        assertThat(lines).isNotEmpty().allSatisfy(l -> assertThat(l)
                .contains("run=" + run.runId())
                .contains("Progress: scanning; scanned 1000 blob item(s), 0 job record(s); 0 expired so far, 0 kept; "));
        assertThat(lines.size()).as("about 3 ticks in 0.7 s, none in the 0.9 s after the run was complete").isBetween(2, 5);
    }

    private static JsonNode json(String line) {
        try {
            return JSON.readTree(line);
        } catch (IOException e) {
            throw new AssertionError("not a JSON line: " + line, e);
        }
    }

    private static int indexOf(List<String> lines, String text) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(text)) {
                return i;
            }
        }
        throw new AssertionError("no line with " + text);
    }
}
