package ai.datapilot.cleaner.settings;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import ai.datapilot.cleaner.rules.CleanerRules;
import ai.datapilot.cleaner.rules.RulesFile;
import ai.datapilot.cleaner.schedule.CronSchedule;

/**
 * Turns environment variables into {@link CleanerSettings}, or refuses them. Every variable is
 * checked, and every problem reported, before anything is touched. An empty or blank variable
 * means "not set" (the default applies), as Kubernetes and cron leave such values behind. Other
 * values are trimmed, except paths: one with whitespace at either end is refused, never trimmed.
 */
public final class SettingsParser {

    public static final String LOCAL_STORAGE_ROOT = "LOCAL_STORAGE_ROOT";
    public static final String BLOB_STORAGE_URL = "BLOB_STORAGE_URL";
    public static final String CLEANER_S3_ENDPOINT = "CLEANER_S3_ENDPOINT";
    public static final String CLEANER_S3_REGION = "CLEANER_S3_REGION";
    public static final String CLEANER_S3_PATH_STYLE = "CLEANER_S3_PATH_STYLE";
    public static final String REDIS_URL = "REDIS_URL";
    public static final String JOB_TTL_HOURS = "JOB_TTL_HOURS";
    public static final String MIN_TTL_HOURS = "MIN_TTL_HOURS";
    public static final String CLEANER_DRY_RUN = "CLEANER_DRY_RUN";
    public static final String CLEANER_LOG_LEVEL = "CLEANER_LOG_LEVEL";
    public static final String CLEANER_LOG_FORMAT = "CLEANER_LOG_FORMAT";
    public static final String BLOB_PATH_PREFIXES = "BLOB_PATH_PREFIXES";
    public static final String CLEANER_AUDIT_BLOB_PATH = "CLEANER_AUDIT_BLOB_PATH";
    public static final String CLEANER_MAX_DELETE_BATCH = "CLEANER_MAX_DELETE_BATCH";
    public static final String CLEANER_DELETES_PER_SECOND = "CLEANER_DELETES_PER_SECOND";
    public static final String CLEANER_PACE_DRY_RUN = "CLEANER_PACE_DRY_RUN";
    public static final String CLEANER_DELETE_RETRIES = "CLEANER_DELETE_RETRIES";
    public static final String CLEANER_DELETE_RETRY_DELAY_MS = "CLEANER_DELETE_RETRY_DELAY_MS";
    public static final String CLEANER_REDIS_TIMEOUT_MS = "CLEANER_REDIS_TIMEOUT_MS";
    public static final String CLEANER_ROUTES_DIR = "CLEANER_ROUTES_DIR";
    public static final String CLEANER_RULES_FILE = "CLEANER_RULES_FILE";
    public static final String CLEANER_MAX_RUNTIME = "CLEANER_MAX_RUNTIME";
    public static final String CLEANER_LEASE_KEY = "CLEANER_LEASE_KEY";
    public static final String CLEANER_LEASE_TTL_SECONDS = "CLEANER_LEASE_TTL_SECONDS";
    public static final String CLEANER_CRON_SCHEDULE = "CLEANER_CRON_SCHEDULE";
    public static final String CLEANER_MANAGEMENT_PORT = "CLEANER_MANAGEMENT_PORT";
    public static final String CLEANER_ROUTES_RELOAD = "CLEANER_ROUTES_RELOAD";
    public static final String CLEANER_HEALTH_MAX_AGE_HOURS = "CLEANER_HEALTH_MAX_AGE_HOURS";
    public static final String CLEANER_HEALTH_MAX_ERRORS = "CLEANER_HEALTH_MAX_ERRORS";
    public static final String CLEANER_PUSHGATEWAY_URL = "CLEANER_PUSHGATEWAY_URL";
    public static final String CLEANER_PROGRESS_SECONDS = "CLEANER_PROGRESS_SECONDS";

    /** Every setting, its default and its meaning: the source of {@code --help} and the table in docs/settings.md. */
    public static final List<String[]> DOCUMENTED = List.of(
            new String[] {LOCAL_STORAGE_ROOT, "/tmp/uploads", "local-disk blob store: the folder holding the prefixes and the audit folder; must exist"},
            new String[] {BLOB_STORAGE_URL, "(unset)", "object-storage blob store instead of local disk: s3://bucket[/base]; credentials from the AWS chain, never here"},
            new String[] {CLEANER_S3_ENDPOINT, "(AWS)", "S3-compatible endpoint, e.g. http://minio:9000 (MinIO, Ceph, R2, GCS interop)"},
            new String[] {CLEANER_S3_REGION, "(AWS_REGION)", "bucket region; else AWS_REGION / AWS_DEFAULT_REGION; us-east-1 with a custom endpoint"},
            new String[] {CLEANER_S3_PATH_STYLE, "false", "true: path-style URLs (endpoint/bucket/key), as MinIO and s3proxy need"},
            new String[] {REDIS_URL, "redis://localhost:6379/0", "job-record store: redis[s]://[[user]:password@]host[:port][/db], or redis[s]-cluster://[[user]:password@]host:port,host:port,... for a Redis Cluster"},
            new String[] {JOB_TTL_HOURS, "24", "retention in hours (decimal allowed); older items are expired"},
            new String[] {MIN_TTL_HOURS, "1", "guard: JOB_TTL_HOURS or a rule's ttlHours below this is refused"},
            new String[] {CLEANER_RULES_FILE, "(unset)", "YAML file of keep rules and per-prefix retention rules (docs/rules.md); unset: JOB_TTL_HOURS for everything"},
            new String[] {CLEANER_DRY_RUN, "true", "true/false (also 1/0, yes/no, on/off); true deletes nothing"},
            new String[] {CLEANER_LOG_LEVEL, "INFO", "TRACE, DEBUG, INFO, WARN/WARNING, ERROR/CRITICAL"},
            new String[] {CLEANER_LOG_FORMAT, "text", "logs on stderr as text lines, or json: one JSON object a line, with the run id"},
            new String[] {BLOB_PATH_PREFIXES, "uploads/,results/", "folders under the root to clean; must include uploads/ and results/"},
            new String[] {CLEANER_AUDIT_BLOB_PATH, "maintenance/cleaner_runs/", "audit folder under the root, outside every cleaned prefix"},
            new String[] {CLEANER_MAX_DELETE_BATCH, "500", "cap on deletions per run, both stores together; 0 = report only"},
            new String[] {CLEANER_DELETES_PER_SECOND, "100", "pace of deletes (Throttle EIP); 0 = not paced"},
            new String[] {CLEANER_PACE_DRY_RUN, "false", "true: a dry run is paced too (by default it deletes nothing, so it is not)"},
            new String[] {CLEANER_DELETE_RETRIES, "3", "retries of a failed delete (backoff x2, at most 10 s apart)"},
            new String[] {CLEANER_DELETE_RETRY_DELAY_MS, "500", "delay before the first retry of a failed delete"},
            new String[] {CLEANER_REDIS_TIMEOUT_MS, "5000", "Redis connect and read timeout"},
            new String[] {CLEANER_PROGRESS_SECONDS, "10", "a progress line on stderr this often while a run lasts (scanned, planned, deleted, rate, time left); 0 = none"},
            new String[] {CLEANER_MAX_RUNTIME, "10m", "time budget of a run (e.g. 90s, 10m, 1h, PT10M); then no new deletes"},
            new String[] {CLEANER_LEASE_KEY, "datapilot-cleaner:lease", "Redis key of the one-run-at-a-time lease (never job:*)"},
            new String[] {CLEANER_LEASE_TTL_SECONDS, "60", "lease lifetime, renewed every third of it while the run lasts"},
            new String[] {CLEANER_ROUTES_DIR, "(unset)", "folder of *.yaml routes; else ./routes if present, else the packaged copy"},
            new String[] {CLEANER_CRON_SCHEDULE, "0 3 * * *", "service schedule, UTC: crontab (5 fields), @daily..., or Quartz (6/7 fields)"},
            new String[] {CLEANER_MANAGEMENT_PORT, "9876", "service: HTTP port of /observe/health and /observe/metrics"},
            new String[] {CLEANER_ROUTES_RELOAD, "false", "service: reload edited routes/*.yaml without a restart"},
            new String[] {CLEANER_HEALTH_MAX_AGE_HOURS, "48", "health: last run older than this is degraded"},
            new String[] {CLEANER_HEALTH_MAX_ERRORS, "5", "health: last run with more errors than this is degraded"},
            new String[] {CLEANER_PUSHGATEWAY_URL, "(unset)", "run-once: push the run's metrics to this Prometheus Pushgateway, http(s)://[user:password@]host[:port][/path]"});

    static final String DEFAULT_AUDIT_PATH = "maintenance/cleaner_runs/";
    static final Set<String> TRUE_WORDS = Set.of("true", "1", "yes", "on");
    static final Set<String> FALSE_WORDS = Set.of("false", "0", "no", "off");
    static final List<String> LOG_FORMATS = List.of("text", "json");
    static final List<String> LOG_LEVELS = List.of("TRACE", "DEBUG", "INFO", "WARN", "WARNING", "ERROR", "CRITICAL");
    static final List<String> REQUIRED_PREFIXES = List.of("uploads/", "results/");

    private static final double MAX_HOURS = 1_000_000d; // about 114 years: beyond it a TTL is a typo
    private static final int MAX_BATCH = 1_000_000;

    private final Map<String, String> env;
    private final List<Refusal> refusals = new ArrayList<>();

    private SettingsParser(Map<String, String> env) {
        this.env = env;
    }

    public static CleanerSettings parse(Map<String, String> env) throws SettingsRefusedException {
        return new SettingsParser(env).parse();
    }

    private CleanerSettings parse() throws SettingsRefusedException {
        Optional<S3Location> s3 = objectStorage();
        Path root = isSet(BLOB_STORAGE_URL) ? null : storageRoot();
        RedisUrl redis = redisUrl();
        Double minTtl = hours(MIN_TTL_HOURS, "1");
        Double ttl = hours(JOB_TTL_HOURS, "24");
        if (ttl != null && minTtl != null && ttl < minTtl) {
            refuse(JOB_TTL_HOURS, raw(JOB_TTL_HOURS, "24"),
                    "TTL (" + plain(ttl) + "h) is less than minimum allowed (" + plain(minTtl) + "h)",
                    "set " + JOB_TTL_HOURS + " to at least " + plain(minTtl) + ", or set " + MIN_TTL_HOURS + " to override");
        }
        CleanerRules rules = ttl == null || minTtl == null ? null : rules(ttl, minTtl);
        Boolean dryRun = dryRun();
        String logLevel = logLevel();
        String logFormat = logFormat();
        List<String> prefixes = prefixes(root);
        String auditPath = auditPath(root, prefixes);
        Integer batch = integer(CLEANER_MAX_DELETE_BATCH, "500", 0, MAX_BATCH, "a whole number of deletions, e.g. 500 (0 = report only)");
        Integer rate = integer(CLEANER_DELETES_PER_SECOND, "100", 0, 1_000_000, "a whole number of deletes per second, e.g. 100 (0 = not paced)");
        Boolean paceDryRun = yesNo(CLEANER_PACE_DRY_RUN, "false");
        if (rate != null && Boolean.TRUE.equals(dryRun) && Boolean.FALSE.equals(paceDryRun)) {
            rate = 0; // a dry run deletes nothing: pacing it would only delay the report
        }
        Integer retries = integer(CLEANER_DELETE_RETRIES, "3", 0, 10, "a whole number of retries from 0 to 10");
        Integer retryDelay = integer(CLEANER_DELETE_RETRY_DELAY_MS, "500", 0, 60_000, "milliseconds from 0 to 60000");
        Integer redisTimeout = integer(CLEANER_REDIS_TIMEOUT_MS, "5000", 100, 600_000, "milliseconds from 100 to 600000");
        Integer progressSeconds = integer(CLEANER_PROGRESS_SECONDS, "10", 0, 86_400, "a whole number of seconds from 0 to 86400, e.g. 10 (0 = no progress lines)");
        Duration maxRuntime = duration(CLEANER_MAX_RUNTIME, "10m", Duration.ofSeconds(1), Duration.ofHours(24));
        String leaseKey = leaseKey();
        Integer leaseTtl = integer(CLEANER_LEASE_TTL_SECONDS, "60", 5, 3600, "seconds from 5 to 3600");
        Optional<Path> routes = routesDirectory();
        CronSchedule schedule = schedule();
        Integer managementPort = integer(CLEANER_MANAGEMENT_PORT, "9876", 1, 65535, "a TCP port from 1 to 65535");
        Boolean reload = yesNo(CLEANER_ROUTES_RELOAD, "false");
        Double healthAge = hours(CLEANER_HEALTH_MAX_AGE_HOURS, "48");
        Integer healthErrors = integer(CLEANER_HEALTH_MAX_ERRORS, "5", 0, 1_000_000, "a whole number of errors, e.g. 5");
        Optional<PushgatewayUrl> pushgateway = pushgateway();

        if (!refusals.isEmpty()) {
            Optional<Path> auditDir = Optional.empty();
            // with object storage there is no local folder for the refusal's audit: the summary line tells
            if (root != null && Files.isWritable(root)) {
                // the default folder only where it is itself safe (it may be the link into a prefix)
                String safeAudit = auditPath != null ? auditPath
                        : auditProblem(DEFAULT_AUDIT_PATH, root, prefixes) == null ? DEFAULT_AUDIT_PATH : null;
                auditDir = Optional.ofNullable(safeAudit).map(a -> root.resolve(a).normalize());
            }
            throw new SettingsRefusedException(refusals,
                    new SettingsFallback(auditDir, dryRun == null || dryRun, ttl, batch, logFormat == null ? "text" : logFormat));
        }
        return new CleanerSettings(root, s3, redis, ttl, minTtl, dryRun, logLevel, logFormat, prefixes, auditPath, batch, rate,
                retries, retryDelay, Duration.ofMillis(redisTimeout), maxRuntime, leaseKey, Duration.ofSeconds(leaseTtl), routes,
                schedule, managementPort, reload, Duration.ofMillis(Math.round(healthAge * 3_600_000d)), healthErrors,
                pushgateway, rules, Duration.ofSeconds(progressSeconds));
    }

    private String raw(String name, String fallback) {
        String v = env.get(name);
        return v == null || v.isBlank() ? fallback : v.trim();
    }

    /**
     * A path-like setting exactly as given, or null after refusing it: trimming once turned
     * ".../store " into its sibling ".../store". Blank still means "not set".
     */
    private String exactPath(String name, String fallback) {
        String v = env.get(name);
        if (v == null || v.isBlank()) {
            return fallback;
        }
        if (space(v.codePointAt(0)) || space(v.codePointBefore(v.length()))) {
            refuse(name, v, "begins or ends with whitespace; a path is used exactly as given, never trimmed",
                    "remove the leading/trailing whitespace from " + name + " (or rename the folder if its name really has it)");
            return null;
        }
        return v;
    }

    private static boolean space(int cp) {
        return Character.isWhitespace(cp) || Character.isSpaceChar(cp);
    }

    private boolean isSet(String name) {
        String v = env.get(name);
        return v != null && !v.isBlank();
    }

    private void refuse(String variable, String value, String problem, String fix) {
        String shown = SecretMask.shown(variable, value);
        refusals.add(new Refusal(variable, printable(shown), problem, fix));
    }

    /** Control characters and overlong values would let a setting forge log lines. */
    static String printable(String value) {
        StringBuilder b = new StringBuilder();
        value.codePoints().limit(200).forEach(cp -> {
            if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)) {
                b.append(String.format("\\x%02x", cp));
            } else if (cp == 0x2028 || cp == 0x2029) {
                b.append(String.format("\\u%04x", cp)); // line and paragraph separators
            } else if (cp == '"' || cp == '\\') {
                b.append('\\').appendCodePoint(cp);
            } else {
                b.appendCodePoint(cp);
            }
        });
        if (value.codePointCount(0, value.length()) > 200) {
            b.append("...");
        }
        return b.toString();
    }

    static String plain(double hours) {
        return BigDecimal.valueOf(hours).stripTrailingZeros().toPlainString();
    }

    private Path storageRoot() {
        String value = exactPath(LOCAL_STORAGE_ROOT, "/tmp/uploads");
        if (value == null) {
            return null;
        }
        String fix = "set " + LOCAL_STORAGE_ROOT + " to the existing folder that holds uploads/ and results/";
        Path path;
        try {
            path = Path.of(value).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            refuse(LOCAL_STORAGE_ROOT, value, "not a valid path", fix);
            return null;
        }
        if (!Files.isDirectory(path)) {
            refuse(LOCAL_STORAGE_ROOT, value, Files.exists(path) ? "not a folder" : "the folder does not exist", fix);
            return null;
        }
        try {
            // the root itself may be a link chosen by the operator; everything below it is checked link by link
            path = path.toRealPath();
        } catch (IOException e) {
            refuse(LOCAL_STORAGE_ROOT, value, "cannot be resolved: " + e.getMessage(), fix);
            return null;
        }
        if (path.getParent() == null) {
            refuse(LOCAL_STORAGE_ROOT, value, "the file-system root cannot be a storage root", fix);
            return null;
        }
        return path;
    }

    /**
     * Empty for the local-disk store; null when the object-storage settings are refused. Both stores
     * at once is refused: which one a run cleans must never be a guess.
     */
    private Optional<S3Location> objectStorage() {
        if (!isSet(BLOB_STORAGE_URL)) {
            for (String s3Only : List.of(CLEANER_S3_ENDPOINT, CLEANER_S3_REGION, CLEANER_S3_PATH_STYLE)) {
                if (isSet(s3Only)) {
                    refuse(s3Only, raw(s3Only, ""), "applies to object storage only, and " + BLOB_STORAGE_URL + " is not set",
                            "set " + BLOB_STORAGE_URL + "=s3://bucket, or unset " + s3Only);
                }
            }
            return Optional.empty();
        }
        String value = exactPath(BLOB_STORAGE_URL, "");
        if (value == null) {
            return null;
        }
        String fix = "set " + BLOB_STORAGE_URL + " to s3://bucket or s3://bucket/base-folder (credentials come from the AWS provider chain)";
        boolean ok = true;
        if (isSet(LOCAL_STORAGE_ROOT)) {
            refuse(LOCAL_STORAGE_ROOT, raw(LOCAL_STORAGE_ROOT, ""), "is set together with " + BLOB_STORAGE_URL + "; a run cleans one blob store",
                    "unset " + LOCAL_STORAGE_ROOT + " to clean the bucket, or unset " + BLOB_STORAGE_URL + " to clean the folder");
            ok = false;
        }
        if (!value.startsWith("s3://")) {
            refuse(BLOB_STORAGE_URL, value, "the scheme must be s3://", fix);
            return null;
        }
        String rest = value.substring("s3://".length());
        if (rest.contains("@")) {
            // never echo what may be a secret
            refusals.add(new Refusal(BLOB_STORAGE_URL, "s3://***", "holds credentials",
                    "remove them from the URL; give them as AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, a profile or a web identity"));
            return null;
        }
        if (rest.contains("?") || rest.contains("#")) {
            refuse(BLOB_STORAGE_URL, value, "query options are not supported", fix + "; endpoint, region and path style have their own settings");
            return null;
        }
        int slash = rest.indexOf('/');
        String bucket = slash < 0 ? rest : rest.substring(0, slash);
        String base = slash < 0 ? "" : rest.substring(slash + 1);
        if (!bucket.matches("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")) {
            refuse(BLOB_STORAGE_URL, value, "\"" + printable(bucket) + "\" is not a bucket name (3-63 of a-z, 0-9, '.', '-')", fix);
            ok = false;
        }
        if (!base.isEmpty() && !base.replace("/", "").isEmpty()) {
            // a key is literal: "./tenant/" is not "tenant/", so no spelling of the base is rewritten
            String problem = base.startsWith("./") ? "contains a '.' folder; a path is used exactly as given, never collapsed"
                    : relativeFolderProblem(base, null);
            if (problem != null) {
                refuse(BLOB_STORAGE_URL, value, "base folder \"" + printable(base) + "\" " + problem, fix);
                ok = false;
            }
        } else if (!base.isEmpty()) {
            refuse(BLOB_STORAGE_URL, value, "the base folder is empty", fix);
            ok = false;
        }
        Optional<java.net.URI> endpoint = Optional.empty();
        if (isSet(CLEANER_S3_ENDPOINT)) {
            String e = raw(CLEANER_S3_ENDPOINT, "");
            String endpointFix = "set " + CLEANER_S3_ENDPOINT + " to the server's URL, e.g. http://minio:9000, or unset it for AWS";
            try {
                java.net.URI uri = new java.net.URI(e);
                if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
                    refuse(CLEANER_S3_ENDPOINT, e, "not an http:// or https:// URL with a host", endpointFix);
                    ok = false;
                } else if (uri.getUserInfo() != null) {
                    refusals.add(new Refusal(CLEANER_S3_ENDPOINT, "***", "holds credentials", endpointFix));
                    ok = false;
                } else if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
                    refuse(CLEANER_S3_ENDPOINT, e, "query options are not supported", endpointFix);
                    ok = false;
                } else {
                    endpoint = Optional.of(uri);
                }
            } catch (java.net.URISyntaxException ex) {
                refuse(CLEANER_S3_ENDPOINT, e, "not a URL", endpointFix);
                ok = false;
            }
        }
        String region = raw(CLEANER_S3_REGION, firstSet("AWS_REGION", "AWS_DEFAULT_REGION"));
        if (region == null || region.isEmpty()) {
            if (endpoint.isPresent()) {
                region = "us-east-1"; // what S3-compatible servers expect when they have no regions
            } else {
                refuse(CLEANER_S3_REGION, "(unset)", "no region for the bucket (nor AWS_REGION)",
                        "set " + CLEANER_S3_REGION + " (or AWS_REGION) to the bucket's region, e.g. eu-west-1");
                ok = false;
            }
        } else if (!region.matches("[a-z][a-z0-9-]{1,39}")) {
            refuse(CLEANER_S3_REGION, region, "not a region name", "set " + CLEANER_S3_REGION + " to a region such as eu-west-1");
            ok = false;
        }
        Boolean pathStyle = yesNo(CLEANER_S3_PATH_STYLE, "false");
        if (!ok || pathStyle == null) {
            return null;
        }
        return Optional.of(new S3Location(bucket, base.isEmpty() ? "" : withSlash(base), endpoint, region, pathStyle));
    }

    /** Empty when unset; null after refusing it. Basic-auth credentials may be in the URL: they are masked wherever it is shown. */
    private Optional<PushgatewayUrl> pushgateway() {
        if (!isSet(CLEANER_PUSHGATEWAY_URL)) {
            return Optional.empty();
        }
        String value = raw(CLEANER_PUSHGATEWAY_URL, "");
        String fix = "set " + CLEANER_PUSHGATEWAY_URL + " to the Pushgateway's URL, e.g. http://pushgateway:9091, or unset it";
        java.net.URI uri;
        try {
            uri = new java.net.URI(value);
        } catch (java.net.URISyntaxException e) {
            refuse(CLEANER_PUSHGATEWAY_URL, value, "not a URL", fix);
            return null;
        }
        if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
            refuse(CLEANER_PUSHGATEWAY_URL, value, "not an http:// or https:// URL with a host", fix);
            return null;
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            refuse(CLEANER_PUSHGATEWAY_URL, value, "query options are not supported", fix);
            return null;
        }
        if (uri.getRawPath() != null && uri.getRawPath().contains("/metrics/job")) {
            refuse(CLEANER_PUSHGATEWAY_URL, value, "names a job: the cleaner pushes to its own job, datapilot-cleaner",
                    "set " + CLEANER_PUSHGATEWAY_URL + " to the Pushgateway's base URL, e.g. http://pushgateway:9091");
            return null;
        }
        if (uri.getRawUserInfo() != null && !uri.getRawUserInfo().contains(":")) {
            refuse(CLEANER_PUSHGATEWAY_URL, value, "has a user but no password", "give both, as http://user:password@host:9091, or neither");
            return null;
        }
        return Optional.of(new PushgatewayUrl(uri));
    }

    private String firstSet(String... names) {
        for (String name : names) {
            if (isSet(name)) {
                return env.get(name).trim();
            }
        }
        return null;
    }

    private RedisUrl redisUrl() {
        String value = raw(REDIS_URL, "redis://localhost:6379/0");
        try {
            return RedisUrl.parse(value);
        } catch (IllegalArgumentException e) {
            refuse(REDIS_URL, value, e.getMessage(), "use redis://[[user]:password@]host[:port][/db] (rediss://... for TLS), or redis-cluster://host:port,host:port for a Redis Cluster");
            return null;
        }
    }

    private Double hours(String name, String fallback) {
        String value = raw(name, fallback);
        String fix = "set " + name + " to a number of hours, e.g. 24 or 0.5";
        double hours;
        try {
            if (!value.matches("[0-9]+(\\.[0-9]+)?|\\.[0-9]+|-[0-9.]+")) {
                throw new NumberFormatException();
            }
            hours = Double.parseDouble(value);
        } catch (NumberFormatException e) {
            refuse(name, value, "not a number", fix);
            return null;
        }
        if (hours < 0) {
            refuse(name, value, "negative", fix);
            return null;
        }
        if (hours > MAX_HOURS) {
            refuse(name, value, "larger than " + plain(MAX_HOURS) + " hours", fix);
            return null;
        }
        return hours;
    }

    private Integer integer(String name, String fallback, int min, int max, String what) {
        String value = raw(name, fallback);
        String fix = "set " + name + " to " + what;
        if (value.matches("-?[0-9]{11,}")) {
            refuse(name, value, value.startsWith("-") ? "negative" : "out of range " + min + ".." + max, fix);
            return null;
        }
        if (!value.matches("-?[0-9]{1,10}")) {
            refuse(name, value, "not a whole number", fix);
            return null;
        }
        long n = Long.parseLong(value);
        if (n < min || n > max) {
            refuse(name, value, n < 0 ? "negative" : "out of range " + min + ".." + max, fix);
            return null;
        }
        return (int) n;
    }

    /** Accepts 90s, 10m, 1h, 1h30m, ISO-8601 (PT10M) and plain seconds. */
    private Duration duration(String name, String fallback, Duration min, Duration max) {
        String value = raw(name, fallback);
        String fix = "set " + name + " to a duration such as 90s, 10m or 1h (between " + min.toSeconds() + "s and " + max.toHours() + "h)";
        Duration d = null;
        String text = value.toLowerCase(Locale.ROOT);
        try {
            if (text.matches("[0-9]{1,9}")) {
                d = Duration.ofSeconds(Long.parseLong(text));
            } else if (text.matches("([0-9]{1,6}h)?([0-9]{1,6}m)?([0-9]{1,9}s)?") && !text.isEmpty()) {
                d = Duration.parse("PT" + text.toUpperCase(Locale.ROOT));
            } else if (text.startsWith("pt")) {
                d = Duration.parse(text.toUpperCase(Locale.ROOT));
            }
        } catch (java.time.format.DateTimeParseException | ArithmeticException e) {
            d = null;
        }
        if (d == null) {
            refuse(name, value, "not a duration", fix);
            return null;
        }
        if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
            refuse(name, value, d.isNegative() ? "negative" : "out of range", fix);
            return null;
        }
        return d;
    }

    private String leaseKey() {
        String value = raw(CLEANER_LEASE_KEY, "datapilot-cleaner:lease");
        String fix = "set " + CLEANER_LEASE_KEY + " to a key outside job:*, e.g. datapilot-cleaner:lease";
        if (value.startsWith("job:")) {
            refuse(CLEANER_LEASE_KEY, value, "would be scanned as a job record", fix);
            return null;
        }
        if (!value.matches("[A-Za-z0-9:_.{}-]{1,200}")) {
            refuse(CLEANER_LEASE_KEY, value, "has characters other than letters, digits and :_.{}-", fix);
            return null;
        }
        return value;
    }

    private Boolean dryRun() {
        return yesNo(CLEANER_DRY_RUN, "true");
    }

    private Boolean yesNo(String name, String fallback) {
        String value = raw(name, fallback);
        String word = value.toLowerCase(Locale.ROOT);
        if (TRUE_WORDS.contains(word)) {
            return true;
        }
        if (FALSE_WORDS.contains(word)) {
            return false;
        }
        String meaning = CLEANER_DRY_RUN.equals(name) ? "true (report only) or false (delete)" : "true or false";
        refuse(name, value, "not a yes/no word", "set " + name + " to " + meaning + "; 1/0, yes/no and on/off also work");
        return null;
    }

    private CronSchedule schedule() {
        String value = raw(CLEANER_CRON_SCHEDULE, "0 3 * * *");
        try {
            return CronSchedule.parse(value);
        } catch (IllegalArgumentException e) {
            refuse(CLEANER_CRON_SCHEDULE, value, e.getMessage(),
                    "set " + CLEANER_CRON_SCHEDULE + " to a crontab line such as \"0 3 * * *\" (UTC) or a Quartz expression such as \"0 0 3 * * ?\"");
            return null;
        }
    }

    private String logLevel() {
        String value = raw(CLEANER_LOG_LEVEL, "INFO");
        String level = value.toUpperCase(Locale.ROOT);
        if (!LOG_LEVELS.contains(level)) {
            refuse(CLEANER_LOG_LEVEL, value, "unknown log level", "set " + CLEANER_LOG_LEVEL + " to one of " + String.join(", ", LOG_LEVELS));
            return null;
        }
        return switch (level) {
            case "WARNING" -> "WARN";
            case "CRITICAL" -> "ERROR";
            default -> level;
        };
    }

    private String logFormat() {
        String value = raw(CLEANER_LOG_FORMAT, "text");
        String format = value.toLowerCase(Locale.ROOT);
        if (!LOG_FORMATS.contains(format)) {
            refuse(CLEANER_LOG_FORMAT, value, "unknown log format", "set " + CLEANER_LOG_FORMAT + " to text or json");
            return null;
        }
        return format;
    }

    /**
     * The original accepted "../x/" and absolute prefixes and then walked outside the root; given
     * "/etc/" it emptied /etc. A prefix here is a plain relative folder strictly inside the root.
     */
    private List<String> prefixes(Path root) {
        String value = isSet(BLOB_PATH_PREFIXES) ? env.get(BLOB_PATH_PREFIXES) : "uploads/,results/";
        String fix = "set " + BLOB_PATH_PREFIXES + " to relative folders under the storage root, e.g. uploads/,results/";
        List<String> prefixes = new ArrayList<>();
        boolean ok = true;
        for (String part : value.split(",", -1)) {
            // never trimmed: "results /" or " results" is another folder than "results/"
            if (!part.isEmpty() && (space(part.codePointAt(0)) || space(part.codePointBefore(part.length())))) {
                refuse(BLOB_PATH_PREFIXES, value, "prefix \"" + printable(part) + "\" begins or ends with whitespace; a prefix is used exactly as given, never trimmed",
                        "write the list without spaces, e.g. uploads/,results/ (a folder whose name has whitespace cannot be a prefix)");
                ok = false;
                continue;
            }
            String problem = relativeFolderProblem(part, root);
            if (problem != null) {
                refuse(BLOB_PATH_PREFIXES, value, "prefix \"" + printable(part) + "\" " + problem, fix);
                ok = false;
                continue;
            }
            String prefix = withSlash(part);
            for (String other : prefixes) {
                if (prefix.startsWith(other) || other.startsWith(prefix)) {
                    refuse(BLOB_PATH_PREFIXES, value, "prefixes \"" + other + "\" and \"" + prefix + "\" overlap", fix);
                    ok = false;
                }
            }
            prefixes.add(prefix);
        }
        for (String required : REQUIRED_PREFIXES) {
            if (!prefixes.contains(required)) {
                refuse(BLOB_PATH_PREFIXES, value, "must include \"" + required + "\"", "add " + required + " to " + BLOB_PATH_PREFIXES);
                ok = false;
            }
        }
        return ok ? List.copyOf(prefixes) : null;
    }

    private String auditPath(Path root, List<String> prefixes) {
        String value = exactPath(CLEANER_AUDIT_BLOB_PATH, DEFAULT_AUDIT_PATH);
        if (value == null) {
            return null;
        }
        String fix = "set " + CLEANER_AUDIT_BLOB_PATH + " to a relative folder outside the cleaned prefixes, e.g. maintenance/cleaner_runs/,"
                + " and make sure no link on its way leads into a prefix";
        String problem = auditProblem(value, root, prefixes);
        if (problem != null) {
            refuse(CLEANER_AUDIT_BLOB_PATH, value, problem, fix);
            return null;
        }
        return withSlash(value);
    }

    /**
     * Why an audit folder is unsafe, or null. Checked on the text, then, on local disk, where the
     * folders really are: a link on the way (the audit folder itself, or a folder above it) into a
     * prefix made the next run delete the previous audit records.
     */
    private static String auditProblem(String value, Path root, List<String> prefixes) {
        String problem = relativeFolderProblem(value, root);
        if (problem != null) {
            return problem;
        }
        String audit = withSlash(value);
        List<String> cleaned = prefixes != null ? prefixes : REQUIRED_PREFIXES;
        for (String prefix : cleaned) {
            if (audit.startsWith(prefix)) {
                return "is inside the cleaned prefix \"" + prefix + "\"; audit files would be deleted";
            }
            if (prefix.startsWith(audit)) {
                return "contains the cleaned prefix \"" + prefix + "\"";
            }
        }
        if (root == null) {
            return null; // object storage: keys, no links
        }
        Path auditReal;
        try {
            auditReal = whereItReallyIs(root, audit);
        } catch (IOException | RuntimeException e) {
            return "cannot be resolved (" + e + "); a link on its way may lead anywhere";
        }
        if (!auditReal.startsWith(root) || auditReal.equals(root)) {
            return "lies at " + auditReal + " (links followed), outside the storage root " + root
                    + "; nothing below the root is followed out of it";
        }
        for (String prefix : cleaned) {
            Path prefixReal;
            try {
                prefixReal = whereItReallyIs(root, prefix);
            } catch (IOException | RuntimeException e) {
                return "cannot be checked against the prefix \"" + prefix + "\", which cannot be resolved (" + e + ")";
            }
            if (auditReal.startsWith(prefixReal)) {
                return "lies at " + auditReal + " (links followed), inside the cleaned prefix \"" + prefix + "\" at "
                        + prefixReal + "; audit files would be deleted";
            }
            if (prefixReal.startsWith(auditReal)) {
                return "lies at " + auditReal + " (links followed), which contains the cleaned prefix \"" + prefix + "\" at "
                        + prefixReal;
            }
        }
        return null;
    }

    /**
     * Where a folder under the (real) root really is: every part that exists is resolved with its
     * links followed; the parts that do not exist yet are appended as they are.
     */
    static Path whereItReallyIs(Path root, String relative) throws IOException {
        Path current = root;
        for (Path part : Path.of(relative)) {
            if (part.toString().equals(".")) {
                continue;
            }
            Path next = current.resolve(part);
            if (Files.exists(next, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                // a dangling link throws here: where it would lead is unknown
                next = next.toRealPath();
            }
            current = next;
        }
        return current;
    }

    /** Why a relative folder setting is unsafe, or null when it is a plain folder inside the root. */
    private static String relativeFolderProblem(String value, Path root) {
        if (value.isEmpty()) {
            return "is empty (it would mean the whole storage root)";
        }
        if (value.startsWith("/") || value.startsWith("\\") || value.startsWith("~") || value.matches("^[A-Za-z]:.*")) {
            return "is absolute; it must be relative to the storage root";
        }
        if (value.contains("\\")) {
            return "contains a backslash";
        }
        if (value.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            return "contains control characters";
        }
        if (!value.matches("[A-Za-z0-9._/-]+")) {
            return "may hold only letters, digits, '.', '_', '-' and '/'";
        }
        for (String segment : value.split("/")) {
            if (segment.equals("..")) {
                return "contains '..'";
            }
        }
        String trimmed = withSlash(value);
        if (trimmed.equals("./") || trimmed.replace("./", "").replace("/", "").isEmpty()) {
            return "names the storage root itself";
        }
        // never collapsed: ".//maint" once became "/maint/", an absolute folder outside the root, and
        // in a bucket "tenant//" or "./tenant" is another key space than "tenant/"
        String body = value.endsWith("/") ? value.substring(0, value.length() - 1) : value;
        while (body.startsWith("./")) {
            body = body.substring(2); // "./uploads/" is a spelling of "uploads/"
        }
        for (String segment : body.split("/", -1)) {
            if (segment.isEmpty()) {
                return "contains '//' (an empty folder name); a path is used exactly as given, never collapsed";
            }
            if (segment.equals(".")) {
                return "contains a '.' folder; a path is used exactly as given, never collapsed";
            }
        }
        if (root != null) {
            try {
                Path resolved = root.resolve(value).normalize();
                if (!resolved.startsWith(root) || resolved.equals(root)) {
                    return "leaves the storage root";
                }
            } catch (InvalidPathException e) {
                return "is not a valid path";
            }
        }
        return null;
    }

    private static String withSlash(String value) {
        String v = value;
        while (v.startsWith("./")) {
            v = v.substring(2);
        }
        v = v.replaceAll("/{2,}", "/");
        return v.endsWith("/") ? v : v + "/";
    }

    /** The rules file, checked whole (a rule below MIN_TTL_HOURS included), or JOB_TTL_HOURS alone. */
    private CleanerRules rules(double ttl, double minTtl) {
        String value = exactPath(CLEANER_RULES_FILE, null);
        if (value == null) {
            return CleanerRules.defaultOnly(ttl);
        }
        Path file;
        try {
            file = Path.of(value).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            refuse(CLEANER_RULES_FILE, value, "not a valid path", "set " + CLEANER_RULES_FILE + " to a rules file, or unset it");
            return null;
        }
        if (!Files.isRegularFile(file)) {
            refuse(CLEANER_RULES_FILE, value, "the file does not exist", "set " + CLEANER_RULES_FILE + " to a rules file (docs/rules.md), or unset it");
            return null;
        }
        RulesFile.Read read = RulesFile.read(file, ttl, minTtl);
        for (String problem : read.problems()) {
            int fix = problem.lastIndexOf("; fix: ");
            refuse(CLEANER_RULES_FILE, value, fix < 0 ? problem : problem.substring(0, fix), fix < 0 ? "see docs/rules.md" : problem.substring(fix + 7));
        }
        return read.rules();
    }

    private Optional<Path> routesDirectory() {
        if (!isSet(CLEANER_ROUTES_DIR)) {
            return Optional.empty();
        }
        String value = exactPath(CLEANER_ROUTES_DIR, null);
        if (value == null) {
            return Optional.empty();
        }
        try {
            Path dir = Path.of(value).toAbsolutePath().normalize();
            String fix = "set " + CLEANER_ROUTES_DIR + " to the folder holding cleaner.camel.yaml, or unset it";
            if (!Files.isDirectory(dir)) {
                refuse(CLEANER_ROUTES_DIR, value, "the folder does not exist", fix);
                return Optional.empty();
            }
            try (java.nio.file.DirectoryStream<Path> yaml = Files.newDirectoryStream(dir, "*.yaml")) {
                if (yaml.iterator().hasNext()) {
                    return Optional.of(dir);
                }
            } catch (IOException e) {
                refuse(CLEANER_ROUTES_DIR, value, "cannot be read: " + e.getMessage(), fix);
                return Optional.empty();
            }
            refuse(CLEANER_ROUTES_DIR, value, "holds no *.yaml route file", fix);
        } catch (InvalidPathException e) {
            refuse(CLEANER_ROUTES_DIR, value, "not a valid path", "set " + CLEANER_ROUTES_DIR + " to a folder, or unset it");
        }
        return Optional.empty();
    }
}
