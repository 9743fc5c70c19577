package ai.datapilot.cleaner.lease;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A procfs mounted with {@code hidepid=2} (a common hardening) hides the processes of other users:
 * a cleaner run by another user (cron as one, an operator as another, on one bucket) is then absent
 * from /proc although alive, and its lease must not be taken over as if its holder had ended.
 * Mounting procfs needs privileges a test does not have, so the procfs is a folder laid out like one.
 */
class HiddenProcessesTest {

    static final long US = 4242;
    static final long THEM = 31337;

    @TempDir
    Path proc;

    LeaseHolder holderOn(String procOptions) throws Exception {
        Files.createDirectories(proc.resolve("sys/kernel/random"));
        Files.writeString(proc.resolve("sys/kernel/random/boot_id"), "5c0ffee0-0000-4000-8000-000000000001\n");
        Files.createDirectories(proc.resolve("self/ns"));
        Files.createSymbolicLink(proc.resolve("self/ns/pid"), Path.of("pid:[4026531836]"));
        Files.writeString(proc.resolve("self/mountinfo"),
                "1 0 8:1 / / rw,relatime - ext4 /dev/sda1 rw\n"
                + "22 1 0:21 / " + proc.toAbsolutePath() + " rw,nosuid,nodev,noexec,relatime - proc proc " + procOptions + "\n");
        Files.createDirectories(proc.resolve(Long.toString(US)));
        Files.writeString(proc.resolve(US + "/stat"), US + " (java) S 1 " + US + " 1 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 30 0 777 0 0\n");
        return LeaseHolder.of("host-a", US, proc);
    }

    @Test
    void aHolderAbsentFromAProcThatHidesOtherUsersProcessesIsNotProvedGone() throws Exception {
        LeaseHolder us = holderOn("rw,hidepid=2");
        String theirs = us.token("their-run").replace(":" + US + ":", ":" + THEM + ":");

        assertThat(us.goneBecause(theirs)).isEmpty();
    }

    @Test
    void aHolderAbsentFromAProcThatShowsEveryProcessHasEnded() throws Exception {
        LeaseHolder us = holderOn("rw");
        String theirs = us.token("their-run").replace(":" + US + ":", ":" + THEM + ":");

        assertThat(us.goneBecause(theirs)).hasValueSatisfying(why -> assertThat(why).contains("has ended"));
    }

    @Test
    void hidepidFormsThatHideProcessesAreKnownAsSuch() throws Exception {
        holderOn("rw,hidepid=invisible");
        assertThat(LeaseHolder.hidesProcesses(proc)).isTrue();
        Files.writeString(proc.resolve("self/mountinfo"), "22 1 0:21 / " + proc.toAbsolutePath() + " rw - proc proc rw,hidepid=ptraceable\n");
        assertThat(LeaseHolder.hidesProcesses(proc)).isTrue();
        Files.writeString(proc.resolve("self/mountinfo"), "22 1 0:21 / " + proc.toAbsolutePath() + " rw - proc proc rw,hidepid=0\n");
        assertThat(LeaseHolder.hidesProcesses(proc)).isFalse();
        Files.writeString(proc.resolve("self/mountinfo"), "22 1 0:21 / /elsewhere rw - proc proc rw\n");
        assertThat(LeaseHolder.hidesProcesses(proc)).as("no line for this procfs: not known, so hiding").isTrue();
    }
}
