package ai.datapilot.cleaner.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

/** The cleaner's own workers (S3 deletes, prefix scans, lease renewal) log with the run id of whoever handed them the task. */
class RunLogContextTest {

    @Test
    void aTaskCarriesTheRunIdToItsWorkerAndLeavesTheWorkerAsItWas() throws Exception {
        ExecutorService worker = Executors.newSingleThreadExecutor();
        try {
            AtomicReference<String> seen = new AtomicReference<>();
            MDC.put(RunLogContext.KEY, "run-1");
            Runnable task;
            java.util.concurrent.Callable<String> call;
            try {
                task = RunLogContext.carried(() -> seen.set(MDC.get(RunLogContext.KEY)));
                call = RunLogContext.carried(() -> MDC.get(RunLogContext.KEY));
            } finally {
                MDC.remove(RunLogContext.KEY);
            }

            worker.submit(task).get();
            assertThat(seen.get()).isEqualTo("run-1");
            assertThat(worker.submit(call).get()).isEqualTo("run-1");
            // the pooled thread keeps no run id once the task is done
            assertThat(worker.submit(() -> MDC.get(RunLogContext.KEY)).get()).isNull();
            // a task handed over between runs carries none
            assertThat(worker.submit(RunLogContext.carried(() -> MDC.get(RunLogContext.KEY))).get()).isNull();
        } finally {
            worker.shutdownNow();
        }
    }
}
