package ai.datapilot.cleaner.audit;

import org.apache.camel.AsyncCallback;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.NamedNode;
import org.apache.camel.Processor;
import org.apache.camel.spi.InterceptStrategy;
import org.apache.camel.support.processor.DelegateAsyncProcessor;
import org.slf4j.MDC;

/**
 * Puts the run id in the MDC around every route step of an exchange that carries a run, on
 * whichever thread runs it (the multicast's pool, the split, an async continuation), and puts
 * back what the thread had before, so no thread keeps a finished run's id. Camel's own MDC
 * logging (camel.main.useMdcLogging) stays off: it adds Camel's exchange and route keys; the
 * cleaner's lines need only the run id, which this sets per step on any thread.
 */
public final class RunIdOnLogs implements InterceptStrategy {

    @Override
    public Processor wrapProcessorInInterceptors(CamelContext context, NamedNode definition, Processor target, Processor nextTarget) {
        return new DelegateAsyncProcessor(target) {
            @Override
            public boolean process(Exchange exchange, AsyncCallback callback) {
                CleanerRun run = exchange.getProperty(CleanerRun.PROPERTY, CleanerRun.class);
                String before = MDC.get(RunLogContext.KEY);
                if (run != null) {
                    MDC.put(RunLogContext.KEY, run.runId());
                }
                try {
                    return processor.process(exchange, callback);
                } finally {
                    // the step that opens the run sets the id itself; the thread gets back what it had
                    RunLogContext.restore(before);
                }
            }
        };
    }
}
