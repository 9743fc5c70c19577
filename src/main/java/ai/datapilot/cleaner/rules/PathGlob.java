package ai.datapilot.cleaner.rules;

import java.util.regex.Pattern;

/**
 * A path pattern as rclone and .gitignore write them, matched against an item's id (a path under
 * the storage root or the bucket's base, or a Redis key): {@code *} any characters but {@code /},
 * {@code **} any characters including {@code /}, {@code ?} one character but {@code /}; everything
 * else stands for itself. The whole id must match.
 */
public record PathGlob(String pattern, Pattern regex, Pattern anyCase) {

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
        return new PathGlob(pattern, Pattern.compile(re.toString(), Pattern.DOTALL),
                Pattern.compile(re.toString(), Pattern.DOTALL | Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE));
    }

    public boolean matches(String id) {
        return regex.matcher(id).matches();
    }

    /**
     * For a keep rule: the id or one of its folders matches (as in .gitignore, a pattern naming a
     * folder covers what is in it), in any letter case and as written or in Unicode NFC form (a
     * name in another case or form looks the same to the operator). Wider than {@link #matches}:
     * it only ever keeps more.
     */
    public boolean coversAnyForm(String id) {
        String nfc = java.text.Normalizer.normalize(id, java.text.Normalizer.Form.NFC);
        return covers(anyCase, id) || (!nfc.equals(id) && covers(anyCase, nfc));
    }

    private static boolean covers(Pattern anyCase, String id) {
        if (anyCase.matcher(id).matches()) {
            return true;
        }
        for (int slash = id.indexOf('/'); slash > 0; slash = id.indexOf('/', slash + 1)) {
            if (anyCase.matcher(id.substring(0, slash)).matches()) {
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
