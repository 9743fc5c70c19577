package ai.datapilot.cleaner.blob;

import static ai.datapilot.cleaner.testing.StorageTree.old;
import static org.assertj.core.api.Assertions.assertThat;

import ai.datapilot.cleaner.audit.CleanerRun;
import ai.datapilot.cleaner.audit.ItemOutcome;
import ai.datapilot.cleaner.settings.CleanerSettings;
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
        assertThat(listing(victim)).containsExactlyElementsOf(NAMES);
        List<ItemOutcome> items = itemsUnder(run, "uploads/job_swap");
        assertThat(items).hasSize(NAMES.size()).extracting(ItemOutcome::outcome).containsOnly("skipped");
        // the first: renamed through the link, seen by the check after the rename, put back
        assertThat(items.get(0).reason()).contains("the folders changed during the delete", "uploads/job_swap was replaced by a link", "put back");
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
        assertThat(listing(victim)).containsExactlyElementsOf(NAMES);
        List<ItemOutcome> items = itemsUnder(run, "uploads/job_flip");
        assertThat(items).hasSize(NAMES.size()).extracting(ItemOutcome::outcome).containsOnly("skipped");
        assertThat(items).extracting(ItemOutcome::reason).allMatch(r -> r.contains("put back"));
        assertThat(listing(job)).containsExactlyElementsOf(NAMES);
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
        assertThat(run.skipped()).contains("uploads/job_q/: replaced by a link after the scan; kept");
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
            assertThat(listing(victim)).containsExactlyElementsOf(NAMES);
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
}
