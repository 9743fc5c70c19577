package ai.datapilot.cleaner.metrics;

/** Folds the free-text reasons of the audit's {@code skipped} entries into a few metric labels. */
final class SkipReasons {

    /** Every label {@link #category} gives. */
    static final java.util.List<String> CATEGORIES = java.util.List.of("unknown_age", "wrong_type", "too_large", "special_file",
            "mount_point", "changed_after_scan", "not_attempted");

    private SkipReasons() {
    }

    static String category(String entry) {
        String reason = entry.substring(entry.lastIndexOf(": ") + 2);
        if (reason.startsWith("not a regular file")) {
            return "special_file";
        }
        if (reason.startsWith("mount point")) {
            return "mount_point";
        }
        if (reason.startsWith("a ") && reason.contains("not a job record")) {
            return "wrong_type";
        }
        if (reason.startsWith("modified after the scan") || reason.startsWith("value changed") || reason.startsWith("no longer")
                || reason.contains("replaced by a link")) {
            return "changed_after_scan";
        }
        if (reason.startsWith("not attempted")) {
            return "not_attempted";
        }
        if (reason.contains("larger than")) {
            return "too_large";
        }
        return "unknown_age";
    }
}
