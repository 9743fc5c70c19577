package ai.datapilot.cleaner.settings;

import java.util.Set;

/**
 * Hides the secrets a setting's value may carry before it is echoed anywhere (log, summary line,
 * audit, health): a URL's user-info password and its whole query and fragment. A refused value
 * is shown so the operator can find the mistake; a password never is.
 */
public final class SecretMask {

    /** Settings whose values are URLs: masked even when they do not parse as one. */
    static final Set<String> URL_SETTINGS = Set.of(SettingsParser.REDIS_URL, SettingsParser.BLOB_STORAGE_URL,
            SettingsParser.CLEANER_S3_ENDPOINT, SettingsParser.CLEANER_PUSHGATEWAY_URL);

    private static final java.util.regex.Pattern SCHEME = java.util.regex.Pattern.compile("[A-Za-z][A-Za-z0-9+.-]*://");

    private SecretMask() {
    }

    /** The value of {@code variable} as it may be shown. */
    public static String shown(String variable, String value) {
        if (URL_SETTINGS.contains(variable) || value.contains("://")) {
            try {
                return url(value);
            } catch (RuntimeException e) {
                return "***"; // a value the mask cannot read is not shown at all
            }
        }
        return value;
    }

    /**
     * Masks a URL that may not even parse: the user-info password ({@code user:***@}; the old
     * {@code secret@host} form becomes {@code :***@}) and everything from the first '?' or '#'
     * ({@code ?password=...}, {@code ?token=...}, {@code ?p=...} alike). When an '@' follows a
     * '?' or '#', the password may hold them or the query the '@': nothing after the scheme is
     * shown then.
     */
    public static String url(String value) {
        // a scheme only at the start: "://" may also sit inside a secret
        java.util.regex.Matcher scheme = SCHEME.matcher(value);
        int start = scheme.lookingAt() ? scheme.end() : 0;
        int query = indexOfAny(value, start, '?', '#');
        int at = value.lastIndexOf('@');
        if (at >= start && query >= 0 && at > query) {
            return value.substring(0, start) + "***";
        }
        StringBuilder b = new StringBuilder(value.substring(0, start));
        int rest = start;
        if (at >= start) {
            String info = value.substring(start, at);
            int colon = info.indexOf(':');
            String user = colon >= 0 ? info.substring(0, colon) : "";
            // only a plain user name is shown: anything odd may be part of the password
            b.append(user.matches("[A-Za-z0-9._~-]*") ? user : "").append(":***");
            rest = at;
        }
        if (query < 0) {
            return b.append(value.substring(rest)).toString();
        }
        // the whole query and fragment: an unencoded '&' or ';' in a secret would make a piece of it look like a name
        return b.append(value, rest, query).append(value.charAt(query)).append("***").toString();
    }

    private static int indexOfAny(String s, int from, char a, char c) {
        for (int i = from; i < s.length(); i++) {
            if (s.charAt(i) == a || s.charAt(i) == c) {
                return i;
            }
        }
        return -1;
    }
}
