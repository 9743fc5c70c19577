package ai.datapilot.cleaner.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RoutesLocationTest {

    @TempDir
    Path dir;

    @Test
    void theConfiguredFolderWins() throws IOException {
        Files.createDirectories(dir.resolve("routes"));
        Files.writeString(dir.resolve("routes/x.yaml"), "[]");
        Path configured = Files.createDirectories(dir.resolve("ops-routes"));

        RoutesLocation location = RoutesLocation.choose(Optional.of(configured), dir);

        assertThat(location.includePattern()).isEqualTo("file:" + configured + "/*.yaml");
        assertThat(location.description()).contains("CLEANER_ROUTES_DIR");
    }

    @Test
    void thenRoutesInTheWorkingDirectory() throws IOException {
        Files.createDirectories(dir.resolve("routes"));
        Files.writeString(dir.resolve("routes/cleaner.camel.yaml"), "[]");

        RoutesLocation location = RoutesLocation.choose(Optional.empty(), dir);

        assertThat(location.includePattern()).isEqualTo("file:" + dir.toAbsolutePath() + "/routes/*.yaml");
    }

    @Test
    void elseThePackagedCopy() throws IOException {
        Files.createDirectories(dir.resolve("routes")); // an empty folder is not a routes folder

        RoutesLocation location = RoutesLocation.choose(Optional.empty(), dir);

        assertThat(location.includePattern()).isEqualTo("classpath:routes/cleaner.camel.yaml");
        assertThat(location.description()).contains("packaged");
    }
}
