package ai.datapilot.cleaner.testing;

import ai.datapilot.cleaner.app.CleanerConfiguration;
import ai.datapilot.cleaner.audit.CleanerRun;
import ai.datapilot.cleaner.settings.CleanerSettings;
import ai.datapilot.cleaner.settings.SettingsParser;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.camel.BindToRegistry;
import org.apache.camel.Exchange;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.spi.Registry;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.apache.camel.test.junit5.TestExecutionConfiguration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The YAML routes in a camel-test-junit5 context with the beans of {@link CleanerConfiguration}
 * and real stores. Subclasses set {@link #env} in {@link #settingsFor(Map)}, replace beans in
 * {@link #replaceBeans(Registry, CleanerSettings)} to inject a fault, and advise routes before
 * starting the context.
 */
public abstract class RoutesHarness extends CamelTestSupport {

    protected static Path base;
    protected StorageTree tree;
    protected final Map<String, String> env = new HashMap<>();
    protected CleanerConfiguration configuration;

    protected abstract RedisForTests redis();

    @BeforeAll
    static void makeBase() throws IOException {
        base = Files.createTempDirectory("cleaner-routes-test-");
    }

    @AfterAll
    static void removeBase() throws IOException {
        try (Stream<Path> paths = Files.walk(base)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** Adjusts the settings of the coming test (the environment already names root and Redis). */
    protected void settingsFor(Map<String, String> env) {
    }

    /** Beans to use instead of the configuration's, by name: e.g. a store wrapped to fail on demand. */
    protected void replaceBeans(Map<String, Object> replacements, CleanerSettings settings) throws Exception {
    }

    @Override
    protected void doPreSetup() throws Exception {
        tree = new StorageTree(Files.createTempDirectory(base, "storage-"));
        env.clear();
        env.put("LOCAL_STORAGE_ROOT", tree.root().toString());
        env.put("REDIS_URL", redis().url());
        env.put("CLEANER_DRY_RUN", "false");
        env.put("CLEANER_DELETES_PER_SECOND", "0");
        env.put("CLEANER_DELETE_RETRY_DELAY_MS", "20");
        settingsFor(env);
    }

    @Override
    public void configureTest(TestExecutionConfiguration config) {
        super.configureTest(config);
        config.withUseAdviceWith(true);
    }

    protected CleanerSettings settings() throws Exception {
        return SettingsParser.parse(env);
    }

    @Override
    protected void bindToRegistry(Registry registry) throws Exception {
        CleanerSettings settings = settings();
        // the same {{cleaner.*}} properties the application hands to camel-main
        Properties p = new Properties();
        p.putAll(settings.routeProperties());
        context.getPropertiesComponent().setOverrideProperties(p);
        configuration = new CleanerConfiguration(settings, new PrintStream(new ByteArrayOutputStream()), Clock.systemUTC());
        // the registry keys beans by name and type: a replacement must be bound instead, not as well
        Map<String, Object> replacements = new HashMap<>();
        replaceBeans(replacements, settings);
        for (Method m : CleanerConfiguration.class.getMethods()) {
            if (m.isAnnotationPresent(BindToRegistry.class) && !replacements.containsKey(m.getName())) {
                registry.bind(m.getName(), m.invoke(configuration));
            }
        }
        replacements.forEach(registry::bind);
    }

    @Override
    protected RoutesBuilder[] createRouteBuilders() throws Exception {
        Collection<RoutesBuilder> builders = PluginHelper.getRoutesLoader(context)
                .findRoutesBuilders(ResourceHelper.resolveResource(context, "file:routes/cleaner.camel.yaml"));
        return builders.toArray(new RoutesBuilder[0]);
    }

    @Override
    protected void doPostTearDown() {
        if (configuration != null) {
            configuration.close();
        }
    }

    protected CleanerRun runOnce() {
        Exchange done = template.request("direct:run-once", e -> { });
        if (done.getException() != null) {
            throw new AssertionError("run failed", done.getException());
        }
        return done.getProperty(CleanerRun.PROPERTY, CleanerRun.class);
    }

    protected static String outcome(CleanerRun run, String id) {
        return run.items().stream().filter(i -> i.id().equals(id)).map(i -> i.outcome()).findFirst().orElse("none");
    }
}
