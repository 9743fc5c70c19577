package ai.datapilot.cleaner.audit;

import java.nio.file.Path;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.impl.DefaultCamelContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the audit record of a run that never reached the routes (settings refused, startup
 * failed), through camel-file with the same options as the route's audit step, so such a run
 * still leaves the record monitoring looks for.
 */
public final class StandaloneAuditWriter {

    private static final Logger LOG = LoggerFactory.getLogger(StandaloneAuditWriter.class);

    private StandaloneAuditWriter() {
    }

    /** Same options as the {@code audit-file} step of routes/cleaner.camel.yaml. */
    static String endpointUri(Path directory) {
        return "file:" + directory + "?fileExist=Fail&tempFileName=.${file:name}.part&charset=utf-8";
    }

    public static void write(CleanerRun run, Path directory) {
        try (CamelContext context = new DefaultCamelContext()) {
            context.start();
            ProducerTemplate template = context.createProducerTemplate();
            Exchange result = template.send(endpointUri(directory), exchange -> {
                exchange.getMessage().setHeader(Exchange.FILE_NAME, AuditRecord.fileName(run));
                exchange.getMessage().setBody(AuditRecord.toJson(run));
            });
            if (result.getException() != null) {
                throw result.getException();
            }
            run.auditFile(directory.resolve(AuditRecord.fileName(run)));
            LOG.info("Audit record written to {}", run.auditFile());
        } catch (Exception e) {
            LOG.error("Audit record could not be written to {}: {}", directory, e.toString());
        }
    }
}
