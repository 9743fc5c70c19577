package ai.datapilot.cleaner.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
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

    public static ObjectNode of(CleanerRun run) {
        ObjectNode n = JSON.createObjectNode();
        n.put("runId", run.runId());
        n.put("status", run.status());
        if (run.stopReason() != null) {
            n.put("interruptedBy", run.stopReason());
        }
        if (run.leaseDeniedReason() != null) {
            n.put("leaseUnavailable", run.leaseDeniedReason());
        }
        n.put("dryRun", run.dryRun());
        n.put("startedAt", text(run.startedAt()));
        n.put("completedAt", text(run.completedAt()));
        if (run.ttlHours() == null) {
            n.putNull("ttlHours");
        } else {
            n.put("ttlHours", run.ttlHours());
        }
        n.put("cutoff", text(run.cutoff()));
        if (run.maxDeleteBatchSetting() == null) {
            n.putNull("maxDeleteBatch");
        } else {
            n.put("maxDeleteBatch", run.maxDeleteBatchSetting());
        }
        ObjectNode stores = n.putObject("stores");
        stores.put("blob", run.blobStore());
        stores.put("redis", run.jobRecordStore());
        n.put("totalBlobsScanned", run.blobsScanned());
        n.put("totalKeysScanned", run.keysScanned());
        n.put("expiredBlobs", run.expiredBlobs());
        n.put("expiredKeys", run.expiredKeys());
        n.put("deletedBlobs", run.deletedBlobs());
        n.put("deletedKeys", run.deletedKeys());
        n.put("deferredBlobs", run.deferredBlobs());
        n.put("deferredKeys", run.deferredKeys());
        n.put("foldersRemoved", run.foldersRemoved());
        n.put("futureDated", run.futureDated());
        ObjectNode durations = n.putObject("durationsMillis");
        durations.put("scanAndPlan", millis(run.startedAt(), run.planDecidedAt()));
        durations.put("deletes", millis(run.planDecidedAt(), run.deletesDoneAt()));
        durations.put("total", millis(run.startedAt(), run.completedAt()));
        n.put("skippedCount", run.skippedCount());
        n.set("skipped", JSON.valueToTree(run.skipped()));
        n.set("errors", JSON.valueToTree(run.errors()));
        n.set("items", JSON.valueToTree(run.items()));
        return n;
    }

    public static String toJson(CleanerRun run) {
        try {
            return JSON.writer().with(SerializationFeature.INDENT_OUTPUT).writeValueAsString(of(run));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
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
        n.put("auditFile", run.auditFile() == null ? null : run.auditFile().toString());
        n.put("exitCode", run.exitCode());
        try {
            return "STRUCTURED_SUMMARY: " + JSON.writeValueAsString(n);
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
