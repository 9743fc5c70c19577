package ai.datapilot.cleaner.lease;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Who holds the lease: {@code host:pid:space.start:run}. {@code space} names the pid namespace of
 * one boot of one kernel (a hash of {@code /proc/sys/kernel/random/boot_id} and the
 * {@code /proc/self/ns/pid} link), {@code start} is the process's start time in clock ticks since
 * boot ({@code /proc/<pid>/stat}, field 22), which never changes for a process, unlike a wall-clock
 * start time. Together with the pid they name one process for good, so a reused pid is told apart.
 *
 * <p>A holder is provably gone only when its token says it ran in this very pid namespace (same
 * host name, same boot, same namespace) and {@code /proc/<pid>/stat} shows no such process, a
 * zombie, or a process that started at another tick. Anything else (another host, a token of
 * another form, {@code /proc} unreadable or mounted with {@code hidepid=2}, which hides other
 * users' processes) may be alive, and its lease is respected.
 */
public final class LeaseHolder {

    private static final String UNKNOWN = "?";

    private final String host;
    private final long pid;
    /** This process's {@code space.start}, or "?" where /proc cannot tell. */
    private final String stamp;
    private final String space;
    private final Path proc;

    private LeaseHolder(String host, long pid, String space, String start, Path proc) {
        this.host = host;
        this.pid = pid;
        this.space = space;
        this.stamp = space == null || start == null ? UNKNOWN : space + "." + start;
        this.proc = proc;
    }

    /** This process, on this host. */
    public static LeaseHolder thisProcess() {
        return of(hostName(), ProcessHandle.current().pid(), Path.of("/proc"));
    }

    /** Process {@code pid} on {@code host}, as {@code proc} (a procfs mount) shows it. */
    static LeaseHolder of(String host, long pid, Path proc) {
        return new LeaseHolder(host, pid, pidSpace(proc), startTicks(proc, pid).orElse(null), proc);
    }

    /** The token for one run of this process. */
    public String token(String runId) {
        return host + ":" + pid + ":" + stamp + ":" + runId;
    }

    /**
     * Why the holder of {@code token} is provably gone, or empty when it may still be running (or
     * the token is not one this version can judge).
     */
    public Optional<String> goneBecause(String token) {
        String[] p = token.split(":", -1);
        if (p.length < 4 || UNKNOWN.equals(stamp)) {
            return Optional.empty();
        }
        String theirRun = p[p.length - 1];
        String theirStamp = p[p.length - 2];
        String theirHost = String.join(":", java.util.Arrays.copyOfRange(p, 0, p.length - 3));
        long theirPid;
        try {
            theirPid = Long.parseLong(p[p.length - 3]);
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        int dot = theirStamp.indexOf('.');
        if (theirRun.isEmpty() || !theirHost.equals(host) || dot < 0 || !theirStamp.substring(0, dot).equals(space)
                || theirPid <= 0 || theirPid == pid) {
            return Optional.empty();
        }
        String theirStart = theirStamp.substring(dot + 1);
        String stat;
        try {
            stat = Files.readString(proc.resolve(Long.toString(theirPid)).resolve("stat"), StandardCharsets.US_ASCII);
        } catch (NoSuchFileException e) {
            if (hidesProcesses(proc)) {
                return Optional.empty(); // another user's live process looks just like this
            }
            return Optional.of("process " + theirPid + " on this host has ended");
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
        String[] fields = fieldsAfterName(stat);
        if (fields == null) {
            return Optional.empty();
        }
        if (!fields[19].equals(theirStart)) {
            return Optional.of("process " + theirPid + " on this host has ended (the pid now belongs to a process started at tick "
                    + fields[19] + ", the holder started at tick " + theirStart + ")");
        }
        if (fields[0].equals("Z") || fields[0].equals("X")) {
            return Optional.of("process " + theirPid + " on this host has ended (it is a zombie)");
        }
        return Optional.empty();
    }

    /**
     * Whether {@code proc} is mounted with {@code hidepid} 2/invisible or 4/ptraceable, where the
     * processes of other users are simply absent; also when that cannot be read (fail closed).
     */
    static boolean hidesProcesses(Path proc) {
        String mountPoint = proc.toAbsolutePath().normalize().toString();
        boolean found = false;
        try {
            for (String line : Files.readAllLines(proc.resolve("self/mountinfo"), StandardCharsets.UTF_8)) {
                String[] halves = line.split(" - ", 2);
                String[] mount = halves[0].split(" ");
                String[] source = halves.length < 2 ? new String[0] : halves[1].split(" ");
                if (mount.length < 5 || source.length < 3 || !source[0].equals("proc") || !mount[4].equals(mountPoint)) {
                    continue;
                }
                found = true;
                for (String option : source[2].split(",")) {
                    if (option.startsWith("hidepid=") && !option.equals("hidepid=0") && !option.equals("hidepid=off")
                            && !option.equals("hidepid=1") && !option.equals("hidepid=noaccess")) {
                        return true;
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            return true;
        }
        return !found;
    }

    /** Fields 3.. of /proc/pid/stat: the name (field 2) is in parentheses and may hold spaces or ')'. */
    private static String[] fieldsAfterName(String stat) {
        int close = stat.lastIndexOf(')');
        if (close < 0) {
            return null;
        }
        String[] fields = stat.substring(close + 1).trim().split(" ");
        return fields.length > 19 ? fields : null;
    }

    private static Optional<String> startTicks(Path proc, long pid) {
        try {
            String[] fields = fieldsAfterName(Files.readString(proc.resolve(Long.toString(pid)).resolve("stat"), StandardCharsets.US_ASCII));
            return fields == null ? Optional.empty() : Optional.of(fields[19]);
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static String pidSpace(Path proc) {
        try {
            String boot = Files.readString(proc.resolve("sys/kernel/random/boot_id"), StandardCharsets.US_ASCII).trim();
            String namespace = Files.readSymbolicLink(proc.resolve("self/ns/pid")).toString();
            byte[] digest = MessageDigest.getInstance("SHA-256").digest((boot + "\n" + namespace).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 6);
        } catch (IOException | RuntimeException | NoSuchAlgorithmException e) {
            return null;
        }
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return "unknown-host";
        }
    }
}
