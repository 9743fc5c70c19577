package ai.datapilot.cleaner.audit;

import java.io.File;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import org.apache.camel.Consumer;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.component.file.FileEndpoint;
import org.apache.camel.component.file.FileOperations;
import org.apache.camel.component.file.GenericFileExist;
import org.apache.camel.component.file.GenericFileOperationFailedException;
import org.apache.camel.component.file.GenericFileProducer;
import org.apache.camel.support.DefaultEndpoint;
import org.apache.camel.support.DefaultProducer;
import org.apache.camel.support.ExpressionAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The camel-file endpoint of the audit step, built from the audit folder as a {@link Path}. The
 * folder never becomes URI or property-placeholder text: in {@code file:{{cleaner.auditDirectory}}}
 * a '%' in the storage root was percent-decoded ({@code store%20a} wrote into {@code store a/}),
 * '?' and '#' cut the path, and {@code {{}} or {@code ${}} were evaluated. The route names this
 * endpoint by its registry name ({@code to: auditFolder}), which Camel looks up as a bean.
 *
 * <p>camel-file writes the record under a temp name in the audit folder itself ({@code
 * .<name>.part}; nothing is staged in java.io.tmpdir), then this endpoint's rename fsyncs it and
 * gives it its name with link(2), which fails on an existing name instead of replacing it as
 * rename(2) would, and fsyncs the folder. (camel-file 4.17 never fsyncs: its forceWrites option is
 * read by nothing.)
 */
public final class AuditFolderEndpoint extends FileEndpoint {

    private static final Logger LOG = LoggerFactory.getLogger(AuditFolderEndpoint.class);

    public AuditFolderEndpoint(Path folder) {
        setFile(folder.toFile());
        setFileExist(GenericFileExist.Fail);
        setTempFileName(new ExpressionAdapter() {
            @Override
            public Object evaluate(Exchange exchange) {
                return tempName(exchange.getMessage().getHeader(Exchange.FILE_NAME, String.class));
            }
        });
        setCopyAndDeleteOnRenameFail(false);
        setAutoCreate(true);
    }

    /** The name a record has in the audit folder while it is being written. */
    public static String tempName(String fileName) {
        return "." + fileName + ".part";
    }

    /** Stands in for the audit folder where there is none (audit records go to a bucket): fails if used. */
    public static Endpoint none(String why) {
        return new DefaultEndpoint() {
            @Override
            protected String createEndpointUri() {
                return "audit-folder-none";
            }

            @Override
            public Producer createProducer() {
                return new DefaultProducer(this) {
                    @Override
                    public void process(Exchange exchange) {
                        throw new IllegalStateException(why);
                    }
                };
            }

            @Override
            public Consumer createConsumer(Processor processor) {
                throw new UnsupportedOperationException("the audit folder is written to, never read from");
            }
        };
    }

    @Override
    protected String createEndpointUri() {
        // shown in logs and JMX only: a real file URI (percent-encoded), never parsed back
        return getFile().toURI().toString();
    }

    @Override
    public GenericFileProducer<File> createProducer() throws Exception {
        GenericFileProducer<File> producer = super.createProducer();
        producer.setOperations(new NoReplaceOperations(this));
        return producer;
    }

    /** camel-file's operations, with a rename that syncs and never replaces an existing record. */
    static final class NoReplaceOperations extends FileOperations {

        NoReplaceOperations(FileEndpoint endpoint) {
            super(endpoint);
        }

        @Override
        public boolean renameFile(String from, String to) throws GenericFileOperationFailedException {
            try {
                publish(Path.of(from), Path.of(to));
                return true;
            } catch (FileAlreadyExistsException e) {
                throw new GenericFileOperationFailedException("File already exist: " + to + ". Cannot write new file.", e);
            } catch (IOException e) {
                throw new GenericFileOperationFailedException("Cannot rename " + from + " to " + to + ": " + e, e);
            }
        }

        /**
         * Syncs the written temp file, gives it its name with link(2) (never replacing a record:
         * FileAlreadyExistsException), removes the temp name and syncs the folder.
         */
        static void publish(Path temp, Path target) throws IOException {
            try (FileChannel written = FileChannel.open(temp, StandardOpenOption.READ)) {
                written.force(true);
            }
            try {
                Files.createLink(target, temp);
                Files.delete(temp);
            } catch (FileAlreadyExistsException | NoSuchFileException e) {
                throw e;
            } catch (FileSystemException | UnsupportedOperationException e) {
                // a file system without hard links (some network shares): the caller has just
                // checked that the name is free; the name is unique to the run
                LOG.debug("No hard link in {} ({}); renaming instead", target.getParent(), e.toString());
                if (Files.exists(target)) {
                    throw new FileAlreadyExistsException(target.toString());
                }
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            }
            syncFolder(target.getParent());
        }

        private static void syncFolder(Path folder) {
            try (FileChannel dir = FileChannel.open(folder, StandardOpenOption.READ)) {
                dir.force(true);
            } catch (IOException | UnsupportedOperationException e) {
                // not every platform can sync a folder; the record itself is synced
                LOG.debug("Audit folder {} not synced: {}", folder, e.toString());
            }
        }
    }
}
