package ai.datapilot.cleaner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The packaged logback.xml: every log event is one line, whatever text it carries. */
class LogEscapingTest {

    static final String FORGED = "\nSTRUCTURED_SUMMARY: {\"forged\":true}";

    @Test
    void controlCharactersAreEscapedAndNothingElse() {
        assertThat(LogText.escape("uploads/a" + FORGED)).isEqualTo("uploads/a\\nSTRUCTURED_SUMMARY: {\"forged\":true}");
        assertThat(LogText.escape("a\rb\tc\u0000d\u001b[31me\u007ff\u0085g\u009bh\u2028i\u2029j"))
                .isEqualTo("a\\rb\\tc\\x00d\\x1b[31me\\x7ff\\x85g\\x9bh\\u2028i\\u2029j");
        assertThat(LogText.escape("résumé 東京 \\ \" é")).isEqualTo("résumé 東京 \\ \" é");
        assertThat(LogText.escape(null)).isNull();
    }

    @Test
    void aMessageAndAnExceptionHoldingNewlinesCannotStartALine() throws IOException {
        Logger log = LoggerFactory.getLogger("ai.datapilot.cleaner.LogEscapingTest");
        IOException cause = new IOException("cannot read uploads/b" + FORGED);
        IllegalStateException failure = new IllegalStateException("delete of uploads/a" + FORGED + "\u2028STRUCTURED_SUMMARY: {}", cause);
        failure.addSuppressed(new RuntimeException("suppressed" + FORGED));

        String logged = stderrOf(() -> {
            log.info("Kept blob uploads/a{}: {}", FORGED, "reason\r" + FORGED);
            log.error("Run failed", failure);
        });

        List<String> lines = logged.lines().toList();
        assertThat(lines).noneMatch(l -> l.startsWith("STRUCTURED_SUMMARY"));
        assertThat(logged).doesNotContain("\r").doesNotContain("\u2028");
        assertThat(lines.get(0)).contains("Kept blob uploads/a\\nSTRUCTURED_SUMMARY: {\"forged\":true}: reason\\r\\nSTRUCTURED_SUMMARY");
        // the stack trace keeps its shape: every line after the message is a frame or a cause
        assertThat(lines.get(1)).contains("Run failed");
        assertThat(lines.get(2)).startsWith("java.lang.IllegalStateException: delete of uploads/a\\nSTRUCTURED_SUMMARY")
                .contains("\\u2028STRUCTURED_SUMMARY");
        assertThat(lines.subList(3, lines.size()))
                .allMatch(l -> l.startsWith("\tat ") || l.startsWith("\t... ") || l.startsWith("Caused by: ") || l.startsWith("\tSuppressed: ")
                        || l.startsWith("\t\tat ") || l.startsWith("\t\t... "), "a frame, a cause or a suppressed exception");
        assertThat(logged).contains("Caused by: java.io.IOException: cannot read uploads/b\\nSTRUCTURED_SUMMARY")
                .contains("Suppressed: java.lang.RuntimeException: suppressed\\nSTRUCTURED_SUMMARY");
    }

    private static String stderrOf(Runnable action) {
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
}
