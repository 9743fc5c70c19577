package ai.datapilot.cleaner.audit;

import org.apache.camel.AsyncCallback;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.NamedNode;
import org.apache.camel.Processor;
import org.apache.camel.spi.InterceptStrategy;
import org.apache.camel.support.processor.DelegateAsyncProcessor;

/**
 * Notes which route step threw, for the run in progress: once a doCatch runs, the exchange no
 * longer knows the step (and with message history off, Camel keeps no record of it). Every step
 * is wrapped once, when its route is built: a step that ends with an exception tells the
 * {@link RunTracker} its route id and step id.
 */
public final class FailedStep implements InterceptStrategy {

    private final RunTracker tracker;

    public FailedStep(RunTracker tracker) {
        this.tracker = tracker;
    }

    @Override
    public Processor wrapProcessorInInterceptors(CamelContext context, NamedNode step, Processor target, Processor next) {
        String route = routeOf(step);
        String id = step.getId();
        return new DelegateAsyncProcessor(target) {
            @Override
            public boolean process(Exchange exchange, AsyncCallback callback) {
                return processor.process(exchange, doneSync -> {
                    Exception failure = exchange.getException();
                    if (failure != null) {
                        tracker.stepFailed(route, id, failure);
                    }
                    callback.done(doneSync);
                });
            }
        };
    }

    private static String routeOf(NamedNode step) {
        NamedNode node = step;
        while (node.getParent() != null) {
            node = node.getParent();
        }
        return node.getId();
    }
}
