package ai.datapilot.cleaner.blob;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

/**
 * The mount points below the storage root, from {@code /proc/self/mountinfo}, as ids relative to
 * the root. A bind mount of a folder of the same device has the same device number as its
 * parent, so only the mount table tells it apart (systemd-tmpfiles does the same).
 */
final class MountPoints {

    static final Path MOUNTINFO = Path.of("/proc/self/mountinfo");
    static final MountPoints NONE = new MountPoints(Set.of());
    /** Names are decoded as the JDK decodes file names, so ids compare equal to the walk's. */
    private static final Charset NAMES = names();

    private final Set<String> below;

    private MountPoints(Set<String> below) {
        this.below = below;
    }

    /** True where the mount table can be read (Linux); elsewhere only device numbers tell mounts apart. */
    static boolean available() {
        return System.getProperty("os.name", "").startsWith("Linux");
    }

    /** Reads the mount table now; throws when it cannot, so the caller can fail closed. */
    static MountPoints read(Path root) throws IOException {
        if (!available()) {
            return NONE;
        }
        byte[] table = Files.readAllBytes(MOUNTINFO);
        String realRoot = root.toRealPath().toString();
        // read every time (a re-check per item); parsed again only when the text or the root differ
        Parsed last = lastParsed;
        if (last != null && last.realRoot().equals(realRoot) && Arrays.equals(last.table(), table)) {
            return last.points();
        }
        MountPoints points = new MountPoints(parse(table, realRoot));
        lastParsed = new Parsed(table, realRoot, points);
        return points;
    }

    /** The last table read and what it gave: the same bytes for the same root give the same points. */
    private record Parsed(byte[] table, String realRoot, MountPoints points) {
    }

    private static volatile Parsed lastParsed;

    /** Mount points given as ids below the root (tests). */
    static MountPoints of(Set<String> below) {
        return new MountPoints(Set.copyOf(below));
    }

    /** The mount points of both. */
    static MountPoints union(MountPoints a, MountPoints b) {
        if (b.below.isEmpty() || a.below.equals(b.below)) {
            return a;
        }
        if (a.below.isEmpty()) {
            return b;
        }
        Set<String> both = new HashSet<>(a.below);
        both.addAll(b.below);
        return new MountPoints(both);
    }

    /** A mount point below {@code folderId} that {@code earlier} does not have; null when none. */
    String newBelow(String folderId, MountPoints earlier) {
        if (below.isEmpty()) {
            return null;
        }
        String base = folderId + "/";
        for (String point : below) {
            if (point.startsWith(base) && !earlier.below.contains(point)) {
                return point;
            }
        }
        return null;
    }

    boolean isEmpty() {
        return below.isEmpty();
    }

    boolean contains(String id) {
        return !below.isEmpty() && below.contains(id);
    }

    /**
     * The mount points strictly below {@code realRoot}, relative to it. The mount point is the
     * fifth field; the kernel writes a space, tab, newline and backslash in it as {@code \ooo}.
     */
    static Set<String> parse(byte[] mountinfo, String realRoot) {
        String base = realRoot.endsWith("/") ? realRoot : realRoot + "/";
        Set<String> below = new HashSet<>();
        int lineStart = 0;
        for (int i = 0; i <= mountinfo.length; i++) {
            if (i == mountinfo.length || mountinfo[i] == '\n') {
                String point = field(mountinfo, lineStart, i, 4);
                if (point != null && point.startsWith(base) && point.length() > base.length()) {
                    below.add(point.substring(base.length()));
                }
                lineStart = i + 1;
            }
        }
        return below;
    }

    private static String field(byte[] b, int from, int to, int index) {
        int start = from;
        for (int n = 0; n < index; n++) {
            while (start < to && b[start] != ' ') {
                start++;
            }
            if (start >= to) {
                return null;
            }
            start++;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = start; i < to && b[i] != ' '; i++) {
            if (b[i] == '\\' && i + 3 < to && octal(b[i + 1]) && octal(b[i + 2]) && octal(b[i + 3])) {
                out.write(((b[i + 1] - '0') << 6) | ((b[i + 2] - '0') << 3) | (b[i + 3] - '0'));
                i += 3;
            } else {
                out.write(b[i]);
            }
        }
        return out.toString(NAMES);
    }

    private static boolean octal(byte c) {
        return c >= '0' && c <= '7';
    }

    private static Charset names() {
        try {
            return Charset.forName(System.getProperty("sun.jnu.encoding"));
        } catch (RuntimeException e) {
            return Charset.defaultCharset();
        }
    }
}
