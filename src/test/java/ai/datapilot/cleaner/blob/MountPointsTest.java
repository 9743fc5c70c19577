package ai.datapilot.cleaner.blob;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class MountPointsTest {

    /** Lines as the kernel writes them: a space, tab, newline and backslash in a path are octal escapes. */
    static final String MOUNTINFO = String.join("\n",
            "27 1 254:0 / / rw,relatime - ext4 /dev/vda rw",
            "60 27 254:0 /srv/data /srv/store\\040a rw,relatime shared:1 - ext4 /dev/vda rw",
            "61 60 254:0 /elsewhere /srv/store\\040a/uploads/job\\040bound rw,relatime - ext4 /dev/vda rw",
            "62 60 0:40 / /srv/store\\040a/results/tab\\011and\\012newline\\134x rw - tmpfs tmpfs rw",
            "63 27 0:41 / /srv/store\\040ab/uploads/sibling rw - tmpfs tmpfs rw",
            "64 61 254:0 /f.csv /srv/store\\040a/uploads/job\\040bound/f.csv rw - ext4 /dev/vda rw",
            "");

    @Test
    void mountPointsStrictlyBelowTheRootAreFoundWithTheirEscapesDecoded() {
        assertThat(MountPoints.parse(MOUNTINFO.getBytes(StandardCharsets.UTF_8), "/srv/store a"))
                .containsExactlyInAnyOrder("uploads/job bound", "results/tab\tand\nnewline\\x", "uploads/job bound/f.csv");
    }

    @Test
    void aRootThatIsTheFileSystemRootSeesEveryMountPoint() {
        assertThat(MountPoints.parse(MOUNTINFO.getBytes(StandardCharsets.UTF_8), "/"))
                .contains("srv/store a", "srv/store ab/uploads/sibling").doesNotContain("");
    }

    /** What a chunk keeps a prefix's items for: a mount point below it that its walk did not start with. */
    @Test
    void aMountPointNewBelowAFolderIsFoundAndOnlyBelowIt() {
        MountPoints walked = MountPoints.of(java.util.Set.of("uploads/skipped", "results/r"));
        assertThat(MountPoints.of(java.util.Set.of("uploads/skipped", "results/r")).newBelow("uploads", walked)).isNull();
        assertThat(MountPoints.of(java.util.Set.of("uploads/skipped", "uploads/job-renamed/sub1")).newBelow("uploads", walked))
                .isEqualTo("uploads/job-renamed/sub1");
        // a sibling whose name starts alike, the folder itself, another prefix: not below it
        assertThat(MountPoints.of(java.util.Set.of("uploads-old/x", "uploads", "results/new")).newBelow("uploads", walked)).isNull();
        assertThat(MountPoints.NONE.newBelow("uploads", walked)).isNull();
    }

    @Test
    void theUnionOfTwoReadsHasTheMountPointsOfBoth() {
        MountPoints before = MountPoints.of(java.util.Set.of("uploads/a"));
        MountPoints after = MountPoints.of(java.util.Set.of("uploads/b"));
        MountPoints both = MountPoints.union(before, after);
        assertThat(both.contains("uploads/a") && both.contains("uploads/b")).isTrue();
        assertThat(MountPoints.union(MountPoints.NONE, after).contains("uploads/b")).isTrue();
        assertThat(MountPoints.union(before, MountPoints.NONE).contains("uploads/a")).isTrue();
        assertThat(MountPoints.union(MountPoints.NONE, MountPoints.NONE).isEmpty()).isTrue();
    }

    @Test
    void aTruncatedLineIsIgnored() {
        assertThat(MountPoints.parse("27 1 254:0".getBytes(StandardCharsets.UTF_8), "/")).isEmpty();
    }
}
