package ai.datapilot.cleaner.settings;

import java.nio.file.Path;
import java.util.Optional;

/**
 * What is known after a refusal: where the refusal's audit record may go (only a folder derived
 * from settings that were themselves valid), the values to report in it, and the log format to
 * report it in (text unless CLEANER_LOG_FORMAT was itself valid).
 */
public record SettingsFallback(Optional<Path> auditDirectory, boolean dryRun, Double ttlHours, Integer maxDeleteBatch,
        String logFormat) {
}
