package ai.datapilot.cleaner.blob;

import ai.datapilot.cleaner.testing.StorageTree;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** A storage tree and an outside folder, both made by the test under its temp folder, and a store on the tree. */
abstract class StoreFixture {

    @TempDir
    Path tmp;

    Path outside;
    StorageTree tree;
    Instant cutoff;

    @BeforeEach
    void dirs() throws IOException {
        tree = new StorageTree(Files.createDirectory(tmp.resolve("storage")).toRealPath());
        outside = Files.createDirectory(tmp.resolve("outside")).toRealPath();
        cutoff = Instant.now().minus(StorageTree.TTL);
    }

    LocalBlobStore store() {
        return new LocalBlobStore(tree.root(), List.of("uploads", "results"));
    }
}
