package ai.datapilot.cleaner.blob;

import static ai.datapilot.cleaner.testing.StorageTree.old;
import static org.assertj.core.api.Assertions.assertThat;

import ai.datapilot.cleaner.audit.CleanerRun;
import ai.datapilot.cleaner.audit.ItemOutcome;
import ai.datapilot.cleaner.settings.CleanerSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link LocalDeleteRaceTest}'s races again, through the real routes, with the store forced onto
 * the path fallback of platforms without folder handles (Windows). Where a folder is swapped right
 * before the delete, the handle path still deletes the checked file through its folder's handle;
 * by path the rename that starts the delete follows the swap, is seen by the check after it, and
 * is undone: the item is kept, and nothing outside the root is deleted or left renamed.
 * Every "outside" folder is one this test made.
 */
class LocalDeleteRacePathFallbackTest extends LocalDeleteRaceTest {

    @Override
    LocalBlobStore localStore(CleanerSettings settings) {
        LocalBlobStore local = super.localStore(settings);
        local.forcePathFallback = true;
        return local;
    }

    @Override
    @Test
    void aJobFolderSwappedForALinkAfterTheReCheckIsNotFollowedByTheDelete() throws Exception {
        Path victim = outside.resolve("victim");
        Path job = jobAndVictim("uploads/job_swap", victim);
        Path held = tree.path("swap/held");
        store.seam = id -> {
            if (!Files.isSymbolicLink(job)) {
                swapForLink(job, held, victim);
            }
        };
        context.start();

        CleanerRun run = runOnce();

        assertAllThere(victim);
        assertOutsideNamesKeptWithPrivateNames(victim, 1);
        List<ItemOutcome> items = itemsUnder(run, "uploads/job_swap");
        assertThat(items).hasSize(NAMES.size()).extracting(ItemOutcome::outcome).containsOnly("skipped");
        // the first: renamed through the link, seen by the check after the rename, put back
        assertThat(items.get(0).reason()).contains("the folders changed during the delete", "uploads/job_swap was replaced by a link",
                "put back", "is left");
        for (ItemOutcome item : items.subList(1, items.size())) {
            assertThat(item.reason()).contains("uploads/job_swap was replaced by a link");
        }
        assertThat(listing(held)).containsExactlyElementsOf(NAMES);
        assertThat(run.exitCode()).isZero();
    }

    @Override
    @Test
    void aSwapBetweenEveryReCheckAndItsDeleteStillDeletesOnlyWhatWasChecked() throws Exception {
        Path victim = outside.resolve("victim");
        Path job = jobAndVictim("uploads/job_flip", victim);
        Path held = tree.path("swap/held");
        beforeDelete = item -> swapBack(job, held);
        store.seam = id -> swapForLink(job, held, victim);
        context.start();

        CleanerRun run = runOnce();
        swapBack(job, held);

        assertAllThere(victim);
        // the first swap is seen by the check after the rename, which puts the outside file back; the run deletes nothing more
        assertOutsideNamesKeptWithPrivateNames(victim, 1);
        List<ItemOutcome> items = itemsUnder(run, "uploads/job_flip");
        assertThat(items).hasSize(NAMES.size()).extracting(ItemOutcome::outcome).containsOnly("skipped");
        assertThat(items.get(0).reason()).contains("put back");
        assertThat(items.subList(1, items.size())).extracting(ItemOutcome::reason)
                .allMatch(r -> r.startsWith("not deleted: a folder on the way was swapped earlier in this run (")
                        && r.endsWith("without folder handles nothing more is deleted in this run; kept"));
        assertThat(listing(job)).containsExactlyElementsOf(NAMES);
    }

    /** By path, the link seen under the first emptied folder ends the run's deletes: its parent is kept for that reason. */
    @Override
    @Test
    void aParentFolderSwappedForALinkBeforeTheSweepKeepsTheOutsideFolder() throws Exception {
        tree.file("uploads/job_p/sub/old.csv", old());
        Path victim = Files.createDirectories(outside.resolve("victim_p"));
        Path outsideEmpty = Files.createDirectories(victim.resolve("sub"));
        Files.writeString(victim.resolve("keep.txt"), "keep");
        Path job = tree.path("uploads/job_p");
        afterDelete = item -> swapForLink(job, tree.path("swap/held_p"), victim);
        context.start();

        CleanerRun run = runOnce();

        assertThat(outsideEmpty).isDirectory();
        assertThat(victim.resolve("keep.txt")).exists();
        assertThat(outcome(run, "uploads/job_p/sub/old.csv")).isEqualTo("deleted");
        assertThat(run.foldersRemoved()).isZero();
        assertThat(run.skipped()).contains(
                "uploads/job_p/sub/: folder uploads/job_p was replaced by a link after the scan; kept",
                "uploads/job_p/: not deleted: a folder on the way was swapped earlier in this run "
                        + "(folder uploads/job_p was replaced by a link after the scan); without folder handles nothing more is deleted in this run; kept");
        assertThat(Files.isSymbolicLink(job)).isTrue();
    }

    @Override
    @Test
    void aParentFolderSwappedForALinkRightBeforeTheRmdirRemovesOnlyTheCheckedFolder() throws Exception {
        tree.file("uploads/job_q/sub/old.csv", old());
        Path victim = Files.createDirectories(outside.resolve("victim_q"));
        Path outsideEmpty = Files.createDirectories(victim.resolve("sub"));
        Path job = tree.path("uploads/job_q");
        Path held = tree.path("swap/held_q");
        store.seam = id -> {
            if (id.equals("uploads/job_q/sub/")) {
                swapForLink(job, held, victim);
            }
        };
        context.start();

        CleanerRun run = runOnce();

        assertThat(outsideEmpty).isDirectory();
        assertThat(listing(victim)).containsExactly("sub");
        // by path the rmdir could not be tied to the checked folder: it stays, under its name
        assertThat(held.resolve("sub")).isDirectory();
        assertThat(run.foldersRemoved()).isZero();
        assertThat(run.skipped()).anyMatch(s -> s.startsWith("uploads/job_q/sub/: the folders changed during the delete")
                && s.contains("put back"));
        assertThat(run.skipped()).contains("uploads/job_q/: not deleted: a folder on the way was swapped earlier in this run "
                + "(folder uploads/job_q was replaced by a link after the scan); without folder handles nothing more is deleted in this run; kept");
    }

    @Override
    @Test
    void aBindMountAppearingAfterTheReCheckDoesNotRedirectTheDelete() throws Exception {
        Path victim = outside.resolve("bound");
        Path job = jobAndVictim("uploads/job_n", victim);
        assumeBindMounts();
        boolean[] mounted = {false};
        store.seam = id -> {
            if (!mounted[0]) {
                mounted[0] = sh("mount --bind '" + victim + "' '" + job + "'") == 0;
            }
        };
        context.start();
        CleanerRun run;
        try {
            run = runOnce();

            assertThat(mounted[0]).isTrue();
            assertAllThere(victim);
            assertOutsideNamesKeptWithPrivateNames(victim, 1);
        } finally {
            unmount(job);
        }
        List<ItemOutcome> items = itemsUnder(run, "uploads/job_n");
        assertThat(items).hasSize(NAMES.size()).extracting(ItemOutcome::outcome).containsOnly("skipped");
        assertThat(items.get(0).reason()).contains("is not the folder the scan saw", "put back");
        assertThat(listing(job)).containsExactlyElementsOf(NAMES);
    }

    private static List<String> listing(Path dir) throws Exception {
        try (var names = Files.list(dir)) {
            return names.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /**
     * The outside folder holds its own names, each with its own file, and {@code privateNames}
     * more: a file renamed through the swapped folder is put back under its name by a hard link,
     * and its private name is left beside it (a second name of the same file, never removed by
     * path: the private name could be an outside file's last other name).
     */
    static void assertOutsideNamesKeptWithPrivateNames(Path victim, int privateNames) throws Exception {
        List<String> names = listing(victim);
        assertThat(names.stream().filter(n -> !PathFallbackDeleter.isPrivateName(Path.of(n)))).containsExactlyElementsOf(NAMES);
        List<String> aside = names.stream().filter(n -> PathFallbackDeleter.isPrivateName(Path.of(n))).toList();
        assertThat(aside).hasSize(privateNames);
        for (String name : aside) {
            Path p = victim.resolve(name);
            assertThat(NAMES).as("%s is a second name of one of the outside files", name)
                    .anyMatch(n -> sameFile(p, victim.resolve(n)));
        }
    }

    private static boolean sameFile(Path a, Path b) {
        try {
            return Files.isSameFile(a, b);
        } catch (IOException e) {
            return false;
        }
    }
}
