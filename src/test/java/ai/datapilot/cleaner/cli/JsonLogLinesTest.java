package ai.datapilot.cleaner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/** The packaged logback.xml with CLEANER_LOG_FORMAT=json: every log event is one JSON line, whatever text it carries. */
class JsonLogLinesTest {

    static final String FORGED = "\nSTRUCTURED_SUMMARY: {\"forged\":true}";
    static final ObjectMapper JSON = new ObjectMapper();

    @AfterEach
    void backToText() {
        Logging.apply("INFO", LogFormatFilter.TEXT);
    }

    @Test
    void aForgedNewlineInANameCannotForgeAJsonLine() throws IOException {
        Logger log = LoggerFactory.getLogger("ai.datapilot.cleaner.JsonLogLinesTest");
        String name = "uploads/a" + FORGED + "\r\u0085\u2028{\"level\":\"ERROR\",\"message\":\"forged\"}\u2029\u007f.csv";
        IllegalStateException failure = new IllegalStateException("delete of " + name, new IOException("cannot read uploads/b" + FORGED));
        Logging.apply("INFO", LogFormatFilter.JSON);

        String logged = stderrOf(() -> {
            log.info("Kept blob {}: {}", name, "reason");
            log.error("Run failed", failure);
        });

        // a line reader that also splits at NEL and U+2028/2029 (Python's splitlines) still sees two lines
        assertThat(logged).doesNotContain("\r", "\u0085", "\u2028", "\u2029", "\u007f");
        List<String> lines = logged.lines().toList();
        assertThat(lines).hasSize(2).noneMatch(l -> l.startsWith("STRUCTURED_SUMMARY"));
        List<JsonNode> events = new ArrayList<>();
        for (String line : lines) {
            events.add(JSON.readTree(line));
        }
        // JSON escaping loses nothing: the name reads back exactly
        assertThat(events.get(0).get("message").asText()).isEqualTo("Kept blob " + name + ": reason");
        assertThat(events.get(0).get("level").asText()).isEqualTo("INFO");
        assertThat(events.get(1).get("level").asText()).isEqualTo("ERROR");
        assertThat(events.get(1).get("stack_trace").asText()).contains("delete of " + name).contains("cannot read uploads/b" + FORGED);
        assertThat(events).allSatisfy(e -> assertThat(e.has("@timestamp") && e.has("logger_name") && e.has("thread_name")).isTrue());
    }

    @Test
    void theRunIdIsAFieldOnlyWhileItIsSet() throws IOException {
        String logged = duringAndAfterARun(LogFormatFilter.JSON);

        List<String> lines = logged.lines().toList();
        assertThat(JSON.readTree(lines.get(0)).get("runId").asText()).isEqualTo("run-1");
        assertThat(JSON.readTree(lines.get(1)).has("runId")).isFalse();
    }

    @Test
    void textLinesShowTheRunIdOnlyWhileItIsSet() {
        String logged = duringAndAfterARun(LogFormatFilter.TEXT);

        List<String> lines = logged.lines().toList();
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).doesNotStartWith("{").contains(" INFO  [").endsWith("] run=run-1 JsonLogLinesTest - during");
        assertThat(lines.get(1)).endsWith("] JsonLogLinesTest - after");
    }

    /** A run-once in this JVM with what it logged on stderr. */
    record Captured(ai.datapilot.cleaner.testing.CleanerRuns.Result result, String stderr) {
    }

    static Captured runCapturingStderr(java.util.Map<String, String> env) {
        ai.datapilot.cleaner.testing.CleanerRuns.Result[] result = new ai.datapilot.cleaner.testing.CleanerRuns.Result[1];
        String stderr = stderrOf(() -> {
            try {
                result[0] = ai.datapilot.cleaner.testing.CleanerRuns.run(env);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        return new Captured(result[0], stderr);
    }

    static String stderrOf(Runnable action) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream err = System.err;
        // logback's console target looks System.err up on every write
        System.setErr(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            action.run();
        } finally {
            System.setErr(err);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /** One line logged while the run id "run-1" is set, then one after it is removed, in {@code format}. */
    private static String duringAndAfterARun(String format) {
        Logger log = LoggerFactory.getLogger("ai.datapilot.cleaner.JsonLogLinesTest");
        Logging.apply("INFO", format);
        return stderrOf(() -> {
            MDC.put("runId", "run-1");
            try {
                log.info("during");
            } finally {
                MDC.remove("runId");
            }
            log.info("after");
        });
    }
}
