package ai.datapilot.cleaner.settings;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A parsed {@code REDIS_URL}: {@code redis[s]://[[user]:password@]host[:port][/db]} for one server,
 * or {@code redis[s]-cluster://[[user]:password@]host:port[,host:port...]} for the seed nodes of a
 * Redis Cluster. The password never leaves this class except to open a connection;
 * {@link #masked()} is what logs and audit records show.
 */
public final class RedisUrl {

    /** One server address. */
    public record Node(String host, int port) {
        @Override
        public String toString() {
            return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
        }
    }

    private final boolean tls;
    private final boolean cluster;
    private final String username;
    private final String password;
    private final List<Node> nodes;
    private final int database;

    private RedisUrl(boolean tls, boolean cluster, String username, String password, List<Node> nodes, int database) {
        this.tls = tls;
        this.cluster = cluster;
        this.username = username;
        this.password = password;
        this.nodes = List.copyOf(nodes);
        this.database = database;
    }

    /** Parses the URL, or explains in one phrase what is wrong with it. */
    public static RedisUrl parse(String url) throws IllegalArgumentException {
        String rest;
        boolean tls;
        boolean cluster = false;
        if (url.startsWith("redis://")) {
            tls = false;
            rest = url.substring("redis://".length());
        } else if (url.startsWith("rediss://")) {
            tls = true;
            rest = url.substring("rediss://".length());
        } else if (url.startsWith("redis-cluster://")) {
            tls = false;
            cluster = true;
            rest = url.substring("redis-cluster://".length());
        } else if (url.startsWith("rediss-cluster://")) {
            tls = true;
            cluster = true;
            rest = url.substring("rediss-cluster://".length());
        } else {
            throw new IllegalArgumentException("the scheme must be redis://, rediss://, redis-cluster:// or rediss-cluster://");
        }
        if (rest.contains("?") || rest.contains("#")) {
            throw new IllegalArgumentException("query options are not supported");
        }
        String user = null;
        String pass = null;
        int at = rest.lastIndexOf('@');
        if (at >= 0) {
            String info = rest.substring(0, at);
            rest = rest.substring(at + 1);
            int colon = info.indexOf(':');
            if (colon >= 0) {
                user = decode(info.substring(0, colon));
                pass = decode(info.substring(colon + 1));
            } else {
                // redis://secret@host is the old form: the user-info is the password
                pass = decode(info);
            }
            if (user != null && user.isEmpty()) {
                user = null;
            }
        }
        int db = 0;
        int slash = rest.indexOf('/');
        if (slash >= 0) {
            String dbText = rest.substring(slash + 1);
            rest = rest.substring(0, slash);
            if (!dbText.isEmpty()) {
                // parseInt also takes a sign and non-ASCII digits; a database is written in ASCII digits
                if (!dbText.chars().allMatch(c -> c >= '0' && c <= '9')) {
                    throw new IllegalArgumentException("the database after the '/' must be a number");
                }
                try {
                    db = Integer.parseInt(dbText);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("the database after the '/' must be a number");
                }
                if (db < 0 || db > 15_999) {
                    throw new IllegalArgumentException("the database number is out of range");
                }
            }
        }
        if (cluster && db != 0) {
            throw new IllegalArgumentException("a Redis Cluster has only database 0");
        }
        List<Node> nodes = new ArrayList<>();
        for (String address : rest.split(",", -1)) {
            if (cluster && address.isEmpty()) {
                throw new IllegalArgumentException("a seed node between the commas is empty");
            }
            nodes.add(node(address.trim()));
        }
        if (!cluster && nodes.size() > 1) {
            throw new IllegalArgumentException("several hosts need the redis-cluster:// scheme");
        }
        return new RedisUrl(tls, cluster, user, pass, nodes, db);
    }

    private static Node node(String rest) {
        String host = rest;
        int port = 6379;
        if (rest.startsWith("[")) {
            int close = rest.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("an IPv6 host needs a closing ']'");
            }
            host = rest.substring(1, close);
            String after = rest.substring(close + 1);
            if (after.startsWith(":")) {
                port = parsePort(after.substring(1));
            } else if (!after.isEmpty()) {
                throw new IllegalArgumentException("unexpected text after the host");
            }
        } else {
            int colon = rest.lastIndexOf(':');
            if (colon >= 0) {
                host = rest.substring(0, colon);
                port = parsePort(rest.substring(colon + 1));
            }
        }
        if (host.isEmpty()) {
            throw new IllegalArgumentException("the host is missing");
        }
        if (!host.matches("[A-Za-z0-9._:%-]+")) {
            throw new IllegalArgumentException("the host has characters a host name cannot have");
        }
        return new Node(host, port);
    }

    private static int parsePort(String text) {
        try {
            int port = Integer.parseInt(text);
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("the port must be between 1 and 65535");
            }
            return port;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("the port must be a number");
        }
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            // the decoder's message quotes the characters after the '%': a piece of the password
            throw new IllegalArgumentException("the user or password has a '%' that is not followed by two hex digits"
                    + " (write a literal '%' as %25)");
        }
    }

    /** Masks the password and query values of a URL that may not even parse, for messages about a refused value. */
    public static String maskAny(String url) {
        return SecretMask.url(url);
    }

    public String masked() {
        StringBuilder b = new StringBuilder(tls ? "rediss" : "redis").append(cluster ? "-cluster://" : "://");
        if (password != null) {
            b.append(username == null ? "" : username).append(":***@");
        } else if (username != null) {
            b.append(username).append('@');
        }
        b.append(String.join(",", nodes.stream().map(Node::toString).toList()));
        if (!cluster) {
            b.append('/').append(database);
        }
        return b.toString();
    }

    /** True for the seed nodes of a Redis Cluster. */
    public boolean cluster() {
        return cluster;
    }

    public List<Node> nodes() {
        return nodes;
    }

    public boolean tls() {
        return tls;
    }

    public Optional<String> username() {
        return Optional.ofNullable(username);
    }

    public Optional<String> password() {
        return Optional.ofNullable(password);
    }

    /** The (first) server's host. */
    public String host() {
        return nodes.get(0).host();
    }

    public int port() {
        return nodes.get(0).port();
    }

    public int database() {
        return database;
    }

    @Override
    public String toString() {
        return masked();
    }
}
