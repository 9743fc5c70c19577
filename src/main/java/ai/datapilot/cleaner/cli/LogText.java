package ai.datapilot.cleaner.cli;

/**
 * Makes text safe for one log line: a file name or Redis key holding a newline once forged a
 * {@code STRUCTURED_SUMMARY} line in a combined cron log. Escapes C0 and C1 controls, DEL and the
 * Unicode line and paragraph separators; everything else is kept as it is.
 */
public final class LogText {

    private LogText() {
    }

    public static String escape(String text) {
        if (text == null || text.codePoints().noneMatch(LogText::unsafe)) {
            return text;
        }
        StringBuilder b = new StringBuilder(text.length() + 16);
        text.codePoints().forEach(cp -> {
            if (!unsafe(cp)) {
                b.appendCodePoint(cp);
            } else if (cp == '\n') {
                b.append("\\n");
            } else if (cp == '\r') {
                b.append("\\r");
            } else if (cp == '\t') {
                b.append("\\t");
            } else if (cp <= 0xff) {
                b.append(String.format("\\x%02x", cp));
            } else {
                b.append(String.format("\\u%04x", cp));
            }
        });
        return b.toString();
    }

    static boolean unsafe(int cp) {
        return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0x2028 || cp == 0x2029;
    }
}
