package ai.datapilot.cleaner.settings;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The validated {@code CLEANER_PUSHGATEWAY_URL}: http(s), a host, an optional base path and
 * optional basic-auth credentials. Shown only masked: its {@code toString} never holds the password.
 */
public record PushgatewayUrl(URI uri) {

    public boolean https() {
        return "https".equals(uri.getScheme());
    }

    /** {@code host[:port][/base]}, as the Pushgateway client takes it. */
    public String address() {
        String path = uri.getRawPath() == null ? "" : uri.getRawPath().replaceAll("/+$", "");
        return uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort()) + path;
    }

    /** User and password, decoded, when the URL carries them. */
    public Optional<String[]> basicAuth() {
        String info = uri.getRawUserInfo();
        if (info == null) {
            return Optional.empty();
        }
        int colon = info.indexOf(':');
        return Optional.of(new String[] {decode(info.substring(0, colon)), decode(info.substring(colon + 1))});
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return SecretMask.url(uri.toString());
    }
}
