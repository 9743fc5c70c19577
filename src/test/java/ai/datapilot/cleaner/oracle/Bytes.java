package ai.datapilot.cleaner.oracle;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Set;

/** A byte string with value equality (Redis keys, file names), and the ways an audit may print it. */
record Bytes(byte[] b) {

    @Override
    public boolean equals(Object o) {
        return o instanceof Bytes other && Arrays.equals(b, other.b);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(b);
    }

    @Override
    public String toString() {
        return escaped(b);
    }

    /** Printable ASCII as itself, every other byte (and the backslash) as \xNN: unambiguous for reports. */
    static String escaped(byte[] bytes) {
        StringBuilder s = new StringBuilder();
        for (byte raw : bytes) {
            int c = raw & 0xff;
            if (c >= 0x20 && c < 0x7f && c != '\\') {
                s.append((char) c);
            } else {
                s.append(String.format("\\x%02x", c));
            }
        }
        return s.toString();
    }

    static String printable(byte[] bytes) {
        return escaped(bytes);
    }

    /**
     * The ids an audit may use for these bytes (README: "bytes that are not printable UTF-8 as
     * \xNN"): the UTF-8 text itself, the same with control characters escaped, or every non-ASCII
     * byte escaped; and, for a file name the platform decodes lossily, that decoding.
     */
    static Set<String> auditIds(byte[] bytes) {
        java.util.Set<String> ids = new java.util.LinkedHashSet<>();
        ids.add(escaped(bytes));
        try {
            String text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
            ids.add(text);
            StringBuilder s = new StringBuilder();
            text.codePoints().forEach(cp -> {
                if (cp < 0x20 || cp == 0x7f || cp == '\\') {
                    s.append(String.format("\\x%02x", cp));
                } else {
                    s.appendCodePoint(cp);
                }
            });
            ids.add(s.toString());
        } catch (CharacterCodingException e) {
            ids.add(new String(bytes, StandardCharsets.UTF_8));
        }
        return ids;
    }
}
