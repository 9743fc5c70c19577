package ai.datapilot.cleaner.oracle;

import net.jqwik.api.lifecycle.AroundPropertyHook;
import net.jqwik.api.lifecycle.PropertyExecutionResult;
import net.jqwik.api.lifecycle.PropertyExecutor;
import net.jqwik.api.lifecycle.PropertyLifecycleContext;

/**
 * Tries and seed from system properties ({@code -Doracle.tries=N}, {@code -Doracle.seed=S}), and
 * the seed and the command that replays it in the failure message itself, so it shows in the
 * build log and in surefire's report even when the test's output goes to a file.
 */
public final class SeedInFailure implements AroundPropertyHook {

    @Override
    public PropertyExecutionResult aroundProperty(PropertyLifecycleContext context, PropertyExecutor property) {
        String tries = System.getProperty("oracle.tries");
        if (tries != null && !tries.isBlank()) {
            context.attributes().setTries(Integer.parseInt(tries.trim()));
        }
        String seed = System.getProperty("oracle.seed");
        if (seed != null && !seed.isBlank()) {
            context.attributes().setSeed(seed.trim());
        }
        // jqwik sizes what it generates by the number of tries: a replay needs the same number
        int configuredTries = context.attributes().tries()
                .orElseGet(() -> context.findAnnotation(net.jqwik.api.Property.class).map(net.jqwik.api.Property::tries).orElse(1000));
        PropertyExecutionResult result = property.execute();
        if (result.status() != PropertyExecutionResult.Status.FAILED) {
            return result;
        }
        String method = context.targetMethod().getName();
        String replay = "seed " + result.seed().orElse("?") + ", failed at try " + result.countTries() + " of " + configuredTries
                + "; replay with: mvn test -Dtest=" + context.containerClass().getSimpleName() + "#" + method
                + " -Doracle.seed=" + result.seed().orElse("?") + " -Doracle.tries=" + configuredTries
                + " (or @Property(tries = " + configuredTries + ", seed = \"" + result.seed().orElse("?") + "\"))";
        Throwable cause = result.throwable().orElse(null);
        AssertionError wrapped = new AssertionError(replay + "\n" + (cause == null ? "" : cause.getMessage()), cause);
        return result.mapToFailed(wrapped);
    }

    @Override
    public net.jqwik.api.lifecycle.PropagationMode propagateTo() {
        return net.jqwik.api.lifecycle.PropagationMode.ALL_DESCENDANTS; // declared on the class, meant for its properties
    }

    @Override
    public int aroundPropertyProximity() {
        return -100; // outermost: sees the final result, after shrinking
    }
}
