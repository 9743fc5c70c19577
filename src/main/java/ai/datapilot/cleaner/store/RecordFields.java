package ai.datapilot.cleaner.store;

import java.util.Map;

/**
 * The fields of a job record that keep rules look at, as read by the scan.
 *
 * @param values     field name to value; a field the record does not have is absent
 * @param unreadable why the fields could not be read (a value over the read cap, not JSON);
 *                   null when they were read. A keep rule that cannot read its field keeps the record.
 */
public record RecordFields(Map<String, String> values, String unreadable) {

    public static RecordFields unreadable(String why) {
        return new RecordFields(Map.of(), why);
    }
}
