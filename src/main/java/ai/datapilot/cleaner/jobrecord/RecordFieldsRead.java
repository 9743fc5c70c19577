package ai.datapilot.cleaner.jobrecord;

import ai.datapilot.cleaner.store.RecordFields;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the fields keep rules look at from what the scan already read: a string record's JSON
 * value (within the read cap), or a hash's watched fields (each within the field cap). Anything
 * that cannot be read with certainty is reported unreadable, and the record is then kept.
 */
final class RecordFieldsRead {

    private static final ObjectMapper JSON = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private RecordFieldsRead() {
    }

    static RecordFields ofJson(byte[] value, List<String> fields) {
        if (fields.isEmpty()) {
            return null;
        }
        JsonNode root;
        try {
            root = JSON.readTree(value);
        } catch (Exception e) {
            return RecordFields.unreadable("value is not one JSON value with unique field names");
        }
        if (root == null || !root.isObject()) {
            return RecordFields.unreadable("value is not a JSON object");
        }
        Map<String, String> values = new HashMap<>();
        for (String field : fields) {
            // a name that differs only by case may be the field the application meant: not guessed about
            for (java.util.Iterator<String> names = root.fieldNames(); names.hasNext();) {
                String name = names.next();
                if (!name.equals(field) && name.equalsIgnoreCase(field)) {
                    return RecordFields.unreadable("the record has a field " + name + " beside " + field);
                }
            }
            JsonNode node = root.get(field);
            if (node == null) {
                continue;
            }
            if (node.isNull()) {
                return RecordFields.unreadable("field " + field + " is null");
            }
            if (!node.isValueNode()) {
                return RecordFields.unreadable("field " + field + " is not a single value (" + node.getNodeType().name().toLowerCase() + ")");
            }
            values.put(field, node.asText());
        }
        return new RecordFields(values, null);
    }

    /**
     * {@code row} holds, from {@code from} on, each watched field's value and its length, then a
     * field name that differs from a watched one only by case ({@code *}: too many fields to look), as BATCH_READ returns them.
     */
    static RecordFields ofHash(List<Object> row, int from, List<String> fields, int fieldCap) {
        if (fields.isEmpty()) {
            return null;
        }
        String variant = new String((byte[]) row.get(from + 2 * fields.size()), StandardCharsets.UTF_8);
        if (variant.equals("*")) {
            return RecordFields.unreadable("more than " + RedisJobRecordStore.HASH_SIZE_FIELDS + " fields: not looked through for "
                    + String.join(", ", fields) + " in another letter case");
        }
        if (!variant.isEmpty()) {
            // two names that differ only by case: which one the application means is not guessed
            return RecordFields.unreadable("the record has a field " + variant + " beside " + String.join(", ", fields));
        }
        Map<String, String> values = new HashMap<>();
        for (int i = 0; i < fields.size(); i++) {
            long length = Long.parseLong(new String((byte[]) row.get(from + 2 * i + 1), StandardCharsets.US_ASCII));
            if (length > fieldCap) {
                return RecordFields.unreadable("field " + fields.get(i) + " is larger than " + fieldCap + " bytes (" + length + " bytes)");
            }
            if (length > 0) {
                values.put(fields.get(i), new String((byte[]) row.get(from + 2 * i), StandardCharsets.UTF_8));
            }
        }
        return new RecordFields(values, null);
    }
}
