package ai.datapilot.cleaner.audit;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import ai.datapilot.cleaner.rules.KeepRule;
import ai.datapilot.cleaner.rules.RetentionRule;
import ai.datapilot.cleaner.rules.RunRules;
import ai.datapilot.cleaner.store.SkipReason;
import ai.datapilot.cleaner.store.StoreKind;

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
            writeHead(g, run);
            for (ItemOutcome item : run.items()) {
                writeItem(g, item);
            }
            writeTail(g);
        }
    }

    /**
     * The record as bytes made while they are read, a few hundred items at a time: the audit step
     * streams it into its destination with no staging copy anywhere else (java.io.tmpdir may be
     * full or read-only) and never holds it whole.
     */
    public static InputStream stream(CleanerRun run) {
        return new RecordStream(run);
    }

    /** The class of {@link #stream}'s streams, for Camel's stream-caching deny list. */
    public static final String STREAM_CLASS = RecordStream.class.getName();

    /** The record's size in bytes, by streaming it once (an object PUT needs the length up front). */
    public static long length(CleanerRun run) throws IOException {
        try (InputStream in = stream(run)) {
            return in.transferTo(OutputStream.nullOutputStream());
        }
    }

    private static void writeHead(JsonGenerator g, CleanerRun run) throws IOException {
        g.writeStartObject();
        g.writeStringField("runId", run.runId());
        g.writeStringField("status", run.status());
        if (run.stopReason() != null) {
            g.writeStringField("interruptedBy", run.stopReason());
        }
        if (run.leaseDeniedReason() != null) {
            g.writeStringField("leaseUnavailable", run.leaseDeniedReason());
        }
        if (run.leaseTakenOverFrom() != null) {
            g.writeStringField("leaseTakenOver", run.leaseTakenOverFrom());
        }
        if (run.jobRecordsUnguardedReason() != null) {
            g.writeStringField("jobRecordsNotCleaned", run.jobRecordsUnguardedReason());
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
        g.writeNumberField("keptBlobs", run.keptBlobs());
        g.writeNumberField("keptKeys", run.keptKeys());
        g.writeFieldName("bytes");
        JSON.writeTree(g, bytes(run));
        writeRules(g, run);
        g.writeObjectFieldStart("durationsMillis");
        writeMillis(g, "scanAndPlan", millis(run.startedAt(), run.planDecidedAt()));
        writeMillis(g, "deletes", millis(run.planDecidedAt(), run.deletesDoneAt()));
        writeMillis(g, "total", millis(run.startedAt(), run.completedAt()));
        g.writeEndObject();
        g.writeNumberField("skippedCount", run.skippedCount());
        g.writeObjectFieldStart("skippedByReason");
        for (Map.Entry<SkipReason, Long> e : new java.util.TreeMap<>(run.skipCounts()).entrySet()) {
            g.writeNumberField(e.getKey().label(), e.getValue());
        }
        g.writeEndObject();
        g.writeFieldName("skipped");
        JSON.writeValue(g, run.skipped());
        g.writeFieldName("errors");
        JSON.writeValue(g, run.errors());
        g.writeArrayFieldStart("items");
    }

    private static void writeItem(JsonGenerator g, ItemOutcome item) throws IOException {
        g.writeStartObject();
        g.writeStringField("store", item.store());
        g.writeStringField("id", item.id());
        g.writeStringField("timestamp", item.timestamp());
        g.writeStringField("outcome", item.outcome());
        if (item.reason() != null) {
            g.writeStringField("reason", item.reason());
        }
        if (item.item().size() >= 0) {
            g.writeNumberField("size", item.item().size());
        } else {
            g.writeNullField("size");
        }
        if (item.rule() != null) {
            g.writeStringField("rule", item.rule());
        }
        g.writeEndObject();
    }

    /** Bytes per store: scanned, expired, deleted (would be freed, in dry run) and kept. */
    private static ObjectNode bytes(CleanerRun run) {
        ObjectNode n = JSON.createObjectNode();
        for (StoreKind store : StoreKind.values()) {
            StoreBytes b = run.bytes(store);
            ObjectNode s = n.putObject(store.auditName());
            s.put("scanned", b.scanned());
            s.put("expired", b.expired());
            s.put("deleted", b.deleted());
            s.put("kept", b.kept());
        }
        return n;
    }

    /** The rules the run applied, with their cutoffs, so the record says why each item went or stayed. */
    private static void writeRules(JsonGenerator g, CleanerRun run) throws IOException {
        RunRules rules = run.context().rules();
        if (rules == null || rules.rules().isDefaultOnly()) {
            return;
        }
        g.writeObjectFieldStart("rules");
        g.writeStringField("file", rules.rules().source().orElse(null));
        g.writeArrayFieldStart("retention");
        for (int i = 0; i < rules.rules().retention().size(); i++) {
            RetentionRule r = rules.rules().retention().get(i);
            g.writeStartObject();
            g.writeStringField("name", r.name());
            g.writeStringField("match", r.match().pattern());
            if (r.store() != null) {
                g.writeStringField("store", r.store().auditName());
            }
            g.writeNumberField("ttlHours", r.ttlHours());
            g.writeStringField("cutoff", rules.cutoffs().get(i).cutoff().toString());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeArrayFieldStart("keep");
        for (KeepRule k : rules.rules().keep()) {
            g.writeStartObject();
            g.writeStringField("name", k.name());
            if (k.match() != null) {
                g.writeStringField("match", k.match().pattern());
            }
            if (k.store() != null) {
                g.writeStringField("store", k.store().auditName());
            }
            if (k.field() != null) {
                g.writeStringField("field", k.field());
                g.writeFieldName("in");
                JSON.writeValue(g, new java.util.TreeSet<>(k.values()));
            }
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    private static void writeTail(JsonGenerator g) throws IOException {
        g.writeEndArray();
        g.writeEndObject();
    }

    /** Pulls the record through one generator, a chunk of items per refill of its buffer. */
    private static final class RecordStream extends InputStream {
        private static final int ITEMS_PER_CHUNK = 256;

        private final CleanerRun run;
        private final Chunk chunk = new Chunk();
        private JsonGenerator g;
        private List<ItemOutcome> items;
        private int nextItem;
        private boolean finished;
        private int pos;

        RecordStream(CleanerRun run) {
            this.run = run;
        }

        /** Makes the next piece of the record; false when there is none. */
        private boolean refill() throws IOException {
            chunk.reset();
            pos = 0;
            while (chunk.size() == 0 && !finished) {
                if (g == null) {
                    g = JSON.getFactory().createGenerator(chunk).useDefaultPrettyPrinter();
                    items = run.items();
                    writeHead(g, run);
                    g.flush();
                } else if (nextItem < items.size()) {
                    int end = Math.min(items.size(), nextItem + ITEMS_PER_CHUNK);
                    for (; nextItem < end; nextItem++) {
                        writeItem(g, items.get(nextItem));
                    }
                    g.flush();
                } else {
                    writeTail(g);
                    g.close();
                    finished = true;
                }
            }
            return chunk.size() > 0;
        }

        @Override
        public int read() throws IOException {
            if (pos == chunk.size() && !refill()) {
                return -1;
            }
            return chunk.bytes()[pos++] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            if (pos == chunk.size() && !refill()) {
                return -1;
            }
            int n = Math.min(len, chunk.size() - pos);
            System.arraycopy(chunk.bytes(), pos, b, off, n);
            pos += n;
            return n;
        }
    }

    /** A byte buffer whose contents are read in place. */
    private static final class Chunk extends java.io.ByteArrayOutputStream {
        byte[] bytes() {
            return buf;
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
        n.put("keptBlobs", run.keptBlobs());
        n.put("keptKeys", run.keptKeys());
        n.put("deletedBytes", run.deletedBytes());
        n.set("bytes", bytes(run));
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
