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
 * failed), through the route's camel-file endpoint ({@link AuditFolderEndpoint}), so such a run
 * still leaves the record monitoring looks for.
 */
public final class StandaloneAuditWriter {

    private static final Logger LOG = LoggerFactory.getLogger(StandaloneAuditWriter.class);

    private StandaloneAuditWriter() {
    }

    public static void write(CleanerRun run, Path directory) {
        try (CamelContext context = new DefaultCamelContext()) {
            // the route's audit-file endpoint: the folder is a path, never URI text
            AuditFolderEndpoint endpoint = new AuditFolderEndpoint(directory);
            endpoint.setCamelContext(context);
            context.start();
            ProducerTemplate template = context.createProducerTemplate();
            Exchange result = template.send(endpoint, exchange -> {
                exchange.getMessage().setHeader(Exchange.FILE_NAME, AuditRecord.fileName(run));
                exchange.getMessage().setBody(AuditRecord.stream(run));
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

    /** The same, as an object under {@code keyPrefix} of the bucket, through camel-aws2-s3. */
    public static void writeToBucket(CleanerRun run, software.amazon.awssdk.services.s3.S3Client s3, String bucket, String keyPrefix) {
        String key = keyPrefix + AuditRecord.fileName(run);
        try (CamelContext context = new DefaultCamelContext()) {
            context.getRegistry().bind("s3Client", software.amazon.awssdk.services.s3.S3Client.class, s3);
            context.start();
            ProducerTemplate template = context.createProducerTemplate();
            Exchange result = template.send("aws2-s3://" + bucket + "?amazonS3Client=#s3Client&autoCreateBucket=false", exchange -> {
                exchange.getMessage().setHeader(AuditFile.S3_KEY, key);
                exchange.getMessage().setHeader(AuditFile.S3_CONTENT_TYPE, "application/json");
                exchange.getMessage().setBody(AuditRecord.toJson(run).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            });
            if (result.getException() != null) {
                throw result.getException();
            }
            run.auditObject("s3://" + bucket + "/" + key);
            LOG.info("Audit record written to {}", run.auditLocation());
        } catch (Exception e) {
            LOG.error("Audit record could not be written to s3://{}/{}: {}", bucket, keyPrefix, e.toString());
        }
    }
}
