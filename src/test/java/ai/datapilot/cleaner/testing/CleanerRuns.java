package ai.datapilot.cleaner.testing;

import ai.datapilot.cleaner.cli.RunOnce;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Runs {@code run-once} in this JVM, exactly as the command does, and reads back what it left. */
public final class CleanerRuns {

    private static final ObjectMapper JSON = new ObjectMapper();

    private CleanerRuns() {
    }

    /** The result of one run: exit code, its stdout, the parsed summary line and audit record. */
    public record Result(int exitCode, String stdout, JsonNode summary, JsonNode audit) {

        public List<String> itemIds(String outcome) {
            List<String> ids = new java.util.ArrayList<>();
            audit.get("items").forEach(i -> {
                if (i.get("outcome").asText().equals(outcome)) {
                    ids.add(i.get("id").asText());
                }
            });
            return ids;
        }

        public List<String> errorTypes() {
            List<String> types = new java.util.ArrayList<>();
            summary.get("errors").forEach(e -> types.add(e.get("type").asText()));
            return types;
        }
    }

    public static Map<String, String> env(Path root, String redisUrl, String... overrides) {
        Map<String, String> env = new HashMap<>();
        env.put("LOCAL_STORAGE_ROOT", root.toString());
        env.put("REDIS_URL", redisUrl);
        env.put("JOB_TTL_HOURS", "24");
        env.put("CLEANER_DELETES_PER_SECOND", "0");
        env.put("CLEANER_DELETE_RETRY_DELAY_MS", "10");
        for (int i = 0; i < overrides.length; i += 2) {
            env.put(overrides[i], overrides[i + 1]);
        }
        return env;
    }

    public static Result run(Map<String, String> env) throws IOException {
        return run(env, null);
    }

    /** A run whose audit record may be an object: {@code s3} reads it back. */
    public static Result run(Map<String, String> env, S3ForTests s3) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int code;
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            code = RunOnce.execute(env, out, Clock.systemUTC());
        }
        String stdout = bytes.toString(StandardCharsets.UTF_8);
        List<String> lines = stdout.lines().filter(l -> l.startsWith("STRUCTURED_SUMMARY: ")).toList();
        if (lines.size() != 1) {
            throw new AssertionError("expected exactly one STRUCTURED_SUMMARY line, got: " + stdout);
        }
        JsonNode summary = JSON.readTree(lines.get(0).substring("STRUCTURED_SUMMARY: ".length()));
        JsonNode audit = null;
        if (summary.hasNonNull("auditFile")) {
            String where = summary.get("auditFile").asText();
            String prefix = "s3://" + S3ForTests.BUCKET + "/";
            audit = JSON.readTree(where.startsWith("s3://") && s3 != null
                    ? s3.read(where.substring(prefix.length()))
                    : Files.readString(Path.of(where)));
        }
        return new Result(code, stdout, summary, audit);
    }
}
