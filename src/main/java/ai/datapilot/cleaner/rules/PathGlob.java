package ai.datapilot.cleaner.rules;

import java.util.regex.Pattern;

/**
 * A path pattern as rclone and .gitignore write them, matched against an item's id (a path under
 * the storage root or the bucket's base, or a Redis key): {@code *} any characters but {@code /},
 * {@code **} any characters including {@code /}, {@code ?} one character but {@code /}; everything
 * else stands for itself. The whole id must match.
 */
public record PathGlob(String pattern, Pattern regex) {

    public static PathGlob of(String pattern) {
        StringBuilder re = new StringBuilder();
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '*' && i + 1 < pattern.length() && pattern.charAt(i + 1) == '*') {
                i++;
                if (i + 1 < pattern.length() && pattern.charAt(i + 1) == '/') {
                    i++;
                    re.append("(?:.*/)?"); // "**/" also matches no folder at all
                } else {
                    re.append(".*");
                }
            } else if (c == '*') {
                re.append("[^/]*");
            } else if (c == '?') {
                re.append("[^/]");
            } else {
                re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return new PathGlob(pattern, Pattern.compile(re.toString(), Pattern.DOTALL));
    }

    public boolean matches(String id) {
        return regex.matcher(id).matches();
    }

    /**
     * For a keep rule: the id or one of its folders matches (as in .gitignore, a pattern naming a
     * folder covers what is in it), as written or in Unicode NFC form (a name written in another
     * form looks the same to the operator). Wider than {@link #matches}: it only ever keeps more.
     */
    public boolean coversAnyForm(String id) {
        String nfc = java.text.Normalizer.normalize(id, java.text.Normalizer.Form.NFC);
        return covers(id) || (!nfc.equals(id) && covers(nfc));
    }

    private boolean covers(String id) {
        if (matches(id)) {
            return true;
        }
        for (int slash = id.indexOf('/'); slash > 0; slash = id.indexOf('/', slash + 1)) {
            if (matches(id.substring(0, slash))) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return pattern;
    }
}
