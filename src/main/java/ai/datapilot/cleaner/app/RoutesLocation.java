package ai.datapilot.cleaner.app;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where the YAML routes come from: the folder named by {@code CLEANER_ROUTES_DIR}, else
 * {@code ./routes} when it holds YAML files, else the copy packaged in the jar. An absolute path
 * always, because camel-main resolves a relative one against whatever directory cron started in.
 */
public record RoutesLocation(String includePattern, String description, Optional<Path> directory) {

    public static RoutesLocation choose(Optional<Path> configured, Path workingDirectory) {
        if (configured.isPresent()) {
            Path dir = configured.get().toAbsolutePath().normalize();
            return new RoutesLocation("file:" + dir + "/*.yaml", "folder " + dir + " (CLEANER_ROUTES_DIR)", Optional.of(dir));
        }
        Path local = workingDirectory.resolve("routes").toAbsolutePath().normalize();
        if (hasYaml(local)) {
            return new RoutesLocation("file:" + local + "/*.yaml", "folder " + local + " (./routes)", Optional.of(local));
        }
        // an exact name: a wildcard makes Camel scan every entry of the 30 MB jar, twice
        return new RoutesLocation("classpath:routes/cleaner.camel.yaml", "the copy packaged in the jar (no ./routes folder)", Optional.empty());
    }

    private static boolean hasYaml(Path dir) {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (DirectoryStream<Path> yaml = Files.newDirectoryStream(dir, "*.yaml")) {
            return yaml.iterator().hasNext();
        } catch (IOException e) {
            return false;
        }
    }
}
