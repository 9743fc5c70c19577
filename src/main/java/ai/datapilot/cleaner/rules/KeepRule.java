package ai.datapilot.cleaner.rules;

import ai.datapilot.cleaner.store.RecordFields;
import ai.datapilot.cleaner.store.ScannedItem;
import ai.datapilot.cleaner.store.StoreKind;
import java.util.Set;

/**
 * An exclusion: an item it matches is kept whatever its age. It matches by id ({@code match}),
 * by a job record's field ({@code field} with one of {@code values}), or both. {@code store} null
 * means both stores; a field rule applies to job records only.
 */
public record KeepRule(String name, PathGlob match, StoreKind store, String field, Set<String> values) {

    /** Why this rule keeps the item, or null when it does not. A field that cannot be read keeps the item. */
    public String keeps(ScannedItem item) {
        if (store != null && store != item.store()) {
            return null;
        }
        if (match != null && !match.coversAnyForm(item.id())) {
            return null;
        }
        if (field == null) {
            return "matches " + match;
        }
        if (item.store() != StoreKind.REDIS) {
            return null;
        }
        RecordFields fields = item.fields();
        if (fields == null || fields.unreadable() != null) {
            // fail closed: a record whose field cannot be read might be in flight
            return "field " + field + " could not be read (" + (fields == null ? "not read" : fields.unreadable()) + ")";
        }
        String value = fields.values().get(field);
        if (value == null) {
            return null;
        }
        if (values.contains(value)) {
            return field + " is " + value;
        }
        // fail closed: a value that differs from a listed one only by case or surrounding blanks keeps the record
        String plain = value.strip();
        for (String listed : values) {
            if (listed.equalsIgnoreCase(plain)) {
                return field + " is '" + value + "', taken for " + listed;
            }
        }
        return null;
    }
}
