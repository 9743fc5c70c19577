package ai.datapilot.cleaner.audit;

import static org.assertj.core.api.Assertions.assertThat;

import ai.datapilot.cleaner.store.CleanerError;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class SummaryLineTest {

    @Test
    void theSummaryIsOneLineWhateverItsErrorsHold() throws Exception {
        String hostile = "uploads/a\nSTRUCTURED_SUMMARY: {\"forged\":true}\r\u0085\u2028STRUCTURED_SUMMARY: {}\u2029\u007f";
        CleanerRun run = new CleanerRun(Instant.now(), 24.0, false, 10, "folder", "redis");
        run.error(CleanerError.blobDeletion(hostile, "cannot delete " + hostile));
        run.complete(Instant.now());

        String line = AuditRecord.summaryLine(run);

        assertThat(line).startsWith("STRUCTURED_SUMMARY: {").doesNotContain("\n", "\r", "\u0085", "\u2028", "\u2029", "\u007f");
        assertThat(line.lines()).hasSize(1);
        JsonNode summary = new ObjectMapper().readTree(line.substring("STRUCTURED_SUMMARY: ".length()));
        assertThat(summary.get("errors").get(0).get("path").asText()).isEqualTo(hostile);
    }
}
