package ai.datapilot.cleaner.blob;

import static ai.datapilot.cleaner.blob.LocalDeleteRaceTest.assumeBindMounts;
import static ai.datapilot.cleaner.blob.LocalDeleteRaceTest.sh;
import static ai.datapilot.cleaner.blob.LocalDeleteRaceTest.unmount;
import static ai.datapilot.cleaner.testing.StorageTree.old;
import static org.assertj.core.api.Assertions.assertThat;

import ai.datapilot.cleaner.audit.CleanerRun;
import ai.datapilot.cleaner.audit.ItemOutcome;
import ai.datapilot.cleaner.deletion.CandidateDeleter;
import ai.datapilot.cleaner.deletion.DeleteGate;
import ai.datapilot.cleaner.deletion.EmptyFolderSweep;
import ai.datapilot.cleaner.settings.CleanerSettings;
import ai.datapilot.cleaner.testing.RedisForTests;
import ai.datapilot.cleaner.testing.RoutesHarness;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local store opens the folders of a whole chunk of deletes first, then reads the mount table
 * once. A mount made after that, over a job folder, a prefix folder or a file of a later item of
 * the same chunk, must not lead a delete into the mount: a folder's items are deleted through the
 * handle opened before it (the folder the walk saw), and a file mounted over is kept. Every
 * mounted-in ("outside") folder and file is one this test made.
 */
class MountsDuringAChunkTest extends RoutesHarness {

    @RegisterExtension
    static RedisForTests redis = new RedisForTests();

    static final List<String> NAMES = List.of("a.csv", "b.csv", "c.csv");

    @TempDir
    Path outside;

    LocalBlobStore store;
    final List<Path> mounts = new ArrayList<>();

    @Override
    protected RedisForTests redis() {
        return redis;
    }

    @Override
    protected void replaceBeans(Map<String, Object> replacements, CleanerSettings settings) {
        // the real store, unwrapped: its deletes go a chunk at a time
        store = new LocalBlobStore(settings.storageRoot(), settings.blobPrefixes());
        replacements.put("blobStore", store);
        replacements.put("candidateDeleter", new CandidateDeleter(store, configuration.jobRecordStore(), new DeleteGate(false)));
        replacements.put("emptyFolderSweep", new EmptyFolderSweep(store));
    }

    /** Old files in {@code job}, aged from {@code oldest} on (deletes go oldest first), and their twins outside. */
    Path jobAndTwin(String job, Instant oldest, Path twin) throws IOException {
        Files.createDirectories(twin);
        for (int i = 0; i < NAMES.size(); i++) {
            Instant age = oldest.plusSeconds(i);
            tree.file(job + "/" + NAMES.get(i), age);
            Files.writeString(twin.resolve(NAMES.get(i)), "outside, keep");
            Files.setLastModifiedTime(twin.resolve(NAMES.get(i)), FileTime.from(age));
        }
        return tree.path(job);
    }

    void mountOnce(Path from, Path onto) {
        if (!mounts.contains(onto) && sh("mount --bind '" + from + "' '" + onto + "'") == 0) {
            mounts.add(onto);
        }
    }

    void unmountAll() throws Exception {
        for (int i = mounts.size() - 1; i >= 0; i--) {
            unmount(mounts.get(i));
        }
    }

    static void assertUntouched(Path twin) throws IOException {
        for (String name : NAMES) {
            assertThat(twin.resolve(name)).as("outside file %s", twin.resolve(name)).exists();
            assertThat(Files.readString(twin.resolve(name))).isEqualTo("outside, keep");
        }
    }

    static List<ItemOutcome> under(CleanerRun run, String folder) {
        return run.items().stream().filter(i -> i.id().startsWith(folder)).toList();
    }

    @Test
    void aFolderOrAFileMountedOverMidChunkDoesNotLeadADeleteIntoTheMount() throws Exception {
        assumeBindMounts(outside);
        Instant oldest = old().minusSeconds(1000);
        jobAndTwin("uploads/job_first", oldest, outside.resolve("twin_first"));
        Path twinB = outside.resolve("twin_b");
        Path jobB = jobAndTwin("uploads/job_b", oldest.plusSeconds(100), twinB);
        Path result = tree.file("results/job_d.json", oldest.plusSeconds(200));
        Path outsideFile = Files.writeString(outside.resolve("outside.json"), "outside, keep");
        Files.setLastModifiedTime(outsideFile, FileTime.from(oldest.plusSeconds(200)));
        // at the chunk's first delete (its table already read): mounts over a later job folder and a later file
        store.seam = id -> {
            mountOnce(twinB, jobB);
            mountOnce(outsideFile, result);
        };
        context.start();
        CleanerRun run;
        try {
            run = runOnce();
            assertThat(mounts).as("both mounts made").hasSize(2);
            assertUntouched(twinB);
            assertThat(Files.readString(outsideFile)).isEqualTo("outside, keep");
        } finally {
            unmountAll();
        }
        assertThat(under(run, "uploads/job_first/")).extracting(ItemOutcome::outcome).containsOnly("deleted");
        // job_b's files went through the handle opened before the mount: the folder the walk saw, under the mount
        assertThat(under(run, "uploads/job_b/")).hasSize(NAMES.size()).extracting(ItemOutcome::outcome).containsOnly("deleted");
        for (String name : NAMES) {
            assertThat(jobB.resolve(name)).doesNotExist();
        }
        // a file mounted over: the name now shows another file, kept; the file under the mount too
        assertThat(outcome(run, "results/job_d.json")).isEqualTo("skipped");
        assertThat(under(run, "results/job_d.json")).extracting(ItemOutcome::reason)
                .containsExactly("replaced by another file since the scan; kept");
        assertThat(result).exists();
        assertThat(run.errors()).isEmpty();
    }

    @Test
    void aPrefixFolderMountedOverMidChunkLeadsNoDeleteOut() throws Exception {
        assumeBindMounts(outside);
        Instant oldest = old().minusSeconds(1000);
        jobAndTwin("uploads/job_first", oldest, outside.resolve("twin_first"));
        // a look-alike of uploads/ outside: the same job folders and names, all old
        Path lookAlike = outside.resolve("uploads");
        List<Path> twins = new ArrayList<>();
        for (int j = 0; j < 4; j++) {
            Path twin = lookAlike.resolve("job_" + j);
            jobAndTwin("uploads/job_" + j, oldest.plusSeconds(100 + 10 * j), twin);
            twins.add(twin);
        }
        Path uploads = tree.path("uploads");
        store.seam = id -> mountOnce(lookAlike, uploads);
        context.start();
        CleanerRun run;
        try {
            run = runOnce();
            assertThat(mounts).as("the mount made").hasSize(1);
            for (Path twin : twins) {
                assertUntouched(twin);
            }
        } finally {
            unmountAll();
        }
        // the job folders were opened before the mount: their files, the ones the walk saw, are gone
        List<ItemOutcome> later = under(run, "uploads/job_");
        assertThat(later).hasSize(5 * NAMES.size()).extracting(ItemOutcome::outcome).containsOnly("deleted");
        for (int j = 0; j < 4; j++) {
            for (String name : NAMES) {
                assertThat(tree.exists("uploads/job_" + j + "/" + name)).isFalse();
            }
        }
    }
}
