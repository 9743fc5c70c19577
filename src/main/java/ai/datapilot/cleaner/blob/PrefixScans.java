package ai.datapilot.cleaner.blob;

import ai.datapilot.cleaner.audit.RunLogContext;
import ai.datapilot.cleaner.store.CleanerError;
import ai.datapilot.cleaner.store.ItemScan;
import ai.datapilot.cleaner.store.ScanSink;
import ai.datapilot.cleaner.store.ScannedItem;
import ai.datapilot.cleaner.store.StoreKind;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BiConsumer;

/**
 * Scans the prefixes of a blob store at once, one thread each: a walk or a listing mostly waits
 * on the disk or the network. The sink is shared, so its calls are serialised.
 */
final class PrefixScans {

    private static final int MAX_THREADS = Math.max(2, Runtime.getRuntime().availableProcessors());

    private PrefixScans() {
    }

    /** A blob scan that, when drained, scans every prefix at once with {@code scanPrefix}. */
    static ItemScan of(List<String> prefixes, BiConsumer<String, ScanSink> scanPrefix, String threadName) {
        return new ItemScan() {
            @Override
            public StoreKind store() {
                return StoreKind.BLOB;
            }

            @Override
            public void drain(ScanSink sink) {
                atOnce(prefixes, sink, scanPrefix, threadName);
            }
        };
    }

    private static void atOnce(List<String> prefixes, ScanSink sink, BiConsumer<String, ScanSink> scanPrefix, String threadName) {
        ScanSink shared = synchronizedSink(sink);
        if (prefixes.size() == 1) {
            scanPrefix.accept(prefixes.get(0), shared);
            return;
        }
        ExecutorService scanners = Executors.newFixedThreadPool(Math.min(prefixes.size(), MAX_THREADS), r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<?>> scans = new ArrayList<>();
            for (String prefix : prefixes) {
                scans.add(scanners.submit(RunLogContext.carried(() -> {
                    if (!shared.stopRequested()) {
                        scanPrefix.accept(prefix, shared);
                    }
                })));
            }
            for (Future<?> scan : scans) {
                scan.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            shared.failed(CleanerError.blobScan(null, null, "scan interrupted"));
        } catch (ExecutionException e) {
            shared.failed(CleanerError.blobScan(null, null, "scan stopped: " + e.getCause()));
        } finally {
            scanners.shutdownNow();
        }
    }

    private static ScanSink synchronizedSink(ScanSink sink) {
        return new ScanSink() {
            @Override
            public synchronized void scanned(ScannedItem item) {
                sink.scanned(item);
            }

            @Override
            public boolean interested(Instant age) {
                return sink.interested(age);
            }

            @Override
            public synchronized void passed() {
                sink.passed();
            }

            @Override
            public synchronized void skipped(String id, String reason) {
                sink.skipped(id, reason);
            }

            @Override
            public synchronized void failed(CleanerError error) {
                sink.failed(error);
            }

            @Override
            public boolean stopRequested() {
                return sink.stopRequested();
            }
        };
    }
}
