package ai.datapilot.cleaner.audit;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;
import java.io.OutputStream;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * The audit record of a run and its file name. Field names and meanings of the original job are
 * kept (monitoring reads them); the per-item list, cap and cutoff fields are additions.
 */
public final class AuditRecord {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter NAME_TIME = DateTimeFormatter.ofPattern("yyyyMMdd_HHmmss_SSS").withZone(ZoneOffset.UTC);
    /** How many error entries the one-line summary carries; the audit file has them all. */
    static final int SUMMARY_ERRORS = 20;

    private AuditRecord() {
    }

    /**
     * {@code cleaner_YYYYMMDD_HHMMSS_mmm_<run id>.json}: UTC, sorting in time order, and unique per
     * run, so two runs in one second never overwrite each other (the original's did).
     */
    public static String fileName(CleanerRun run) {
        return "cleaner_" + NAME_TIME.format(run.startedAt()) + "_" + run.runId().substring(0, 8) + ".json";
    }

    /**
     * Writes the record as a stream: a run that planned hundreds of thousands of items never holds
     * its audit as one tree or one string in memory.
     */
    public static void write(CleanerRun run, OutputStream out) throws IOException {
        try (JsonGenerator g = JSON.getFactory().createGenerator(out).useDefaultPrettyPrinter()) {
            g.writeStartObject();
            g.writeStringField("runId", run.runId());
            g.writeStringField("status", run.status());
            if (run.stopReason() != null) {
                g.writeStringField("interruptedBy", run.stopReason());
            }
            if (run.leaseDeniedReason() != null) {
                g.writeStringField("leaseUnavailable", run.leaseDeniedReason());
            }
            g.writeBooleanField("dryRun", run.dryRun());
            g.writeStringField("startedAt", text(run.startedAt()));
            g.writeStringField("completedAt", text(run.completedAt()));
            g.writeFieldName("ttlHours");
            if (run.ttlHours() == null) {
                g.writeNull();
            } else {
                g.writeNumber(run.ttlHours());
            }
            g.writeStringField("cutoff", text(run.cutoff()));
            g.writeFieldName("maxDeleteBatch");
            if (run.maxDeleteBatchSetting() == null) {
                g.writeNull();
            } else {
                g.writeNumber(run.maxDeleteBatchSetting());
            }
            g.writeObjectFieldStart("stores");
            g.writeStringField("blob", run.blobStore());
            g.writeStringField("redis", run.jobRecordStore());
            g.writeEndObject();
            g.writeNumberField("totalBlobsScanned", run.blobsScanned());
            g.writeNumberField("totalKeysScanned", run.keysScanned());
            g.writeNumberField("expiredBlobs", run.expiredBlobs());
            g.writeNumberField("expiredKeys", run.expiredKeys());
            g.writeNumberField("deletedBlobs", run.deletedBlobs());
            g.writeNumberField("deletedKeys", run.deletedKeys());
            g.writeNumberField("deferredBlobs", run.deferredBlobs());
            g.writeNumberField("deferredKeys", run.deferredKeys());
            g.writeNumberField("foldersRemoved", run.foldersRemoved());
            g.writeNumberField("futureDated", run.futureDated());
            g.writeObjectFieldStart("durationsMillis");
            writeMillis(g, "scanAndPlan", millis(run.startedAt(), run.planDecidedAt()));
            writeMillis(g, "deletes", millis(run.planDecidedAt(), run.deletesDoneAt()));
            writeMillis(g, "total", millis(run.startedAt(), run.completedAt()));
            g.writeEndObject();
            g.writeNumberField("skippedCount", run.skippedCount());
            g.writeFieldName("skipped");
            JSON.writeValue(g, run.skipped());
            g.writeFieldName("errors");
            JSON.writeValue(g, run.errors());
            g.writeArrayFieldStart("items");
            for (ItemOutcome item : run.items()) {
                g.writeStartObject();
                g.writeStringField("store", item.store());
                g.writeStringField("id", item.id());
                g.writeStringField("timestamp", item.timestamp());
                g.writeStringField("outcome", item.outcome());
                if (item.reason() != null) {
                    g.writeStringField("reason", item.reason());
                }
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        }
    }

    private static void writeMillis(JsonGenerator g, String field, Long millis) throws IOException {
        if (millis == null) {
            g.writeNullField(field);
        } else {
            g.writeNumberField(field, millis);
        }
    }

    public static String toJson(CleanerRun run) {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try {
            write(run, bytes);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return bytes.toString(java.nio.charset.StandardCharsets.UTF_8);
    }

    /** The one-line summary that log pipelines pick up: {@code STRUCTURED_SUMMARY: {...}}. */
    public static String summaryLine(CleanerRun run) {
        ObjectNode n = JSON.createObjectNode();
        n.put("runId", run.runId());
        n.put("startedAt", text(run.startedAt()));
        n.put("completedAt", text(run.completedAt()));
        n.put("status", run.status());
        n.put("dryRun", run.dryRun());
        n.put("deletedBlobs", run.deletedBlobs());
        n.put("deletedKeys", run.deletedKeys());
        n.put("deferredBlobs", run.deferredBlobs());
        n.put("deferredKeys", run.deferredKeys());
        n.put("skipped", run.skippedCount());
        List<?> errors = run.errors();
        n.put("errorCount", errors.size());
        n.set("errors", JSON.valueToTree(errors.subList(0, Math.min(SUMMARY_ERRORS, errors.size()))));
        n.put("auditFile", run.auditLocation());
        n.put("exitCode", run.exitCode());
        try {
            return "STRUCTURED_SUMMARY: " + OneLineJson.write(n);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Long millis(Instant from, Instant to) {
        return from == null || to == null ? null : java.time.Duration.between(from, to).toMillis();
    }

    private static String text(Instant instant) {
        return instant == null ? null : instant.toString();
    }
}
