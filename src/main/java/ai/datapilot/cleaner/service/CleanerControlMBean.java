package ai.datapilot.cleaner.service;

/**
 * What an operator can do and see over JMX, beside Camel's own route and context MBeans:
 * {@code ai.datapilot.cleaner:type=CleanerControl,context=datapilot-cleaner}.
 */
public interface CleanerControlMBean {

    /** Starts one run now in the background (dry run or not, as configured); says what happened. */
    String runNow();

    /** Asks the run in progress to stop after its delete in flight. */
    String stopRun();

    /** Pauses the schedule (suspends the trigger-schedule route); runNow still works. */
    void suspendSchedule() throws Exception;

    void resumeSchedule() throws Exception;

    boolean isScheduleSuspended();

    String getSchedule();

    boolean isDryRun();

    boolean isRunning();

    String getLastRunId();

    String getLastRunStatus();

    int getLastRunExitCode();

    String getLastRunStartedAt();

    String getLastRunCompletedAt();

    long getLastRunDeleted();

    long getLastRunDeferred();

    int getLastRunErrors();

    String getLastAuditFile();

    /** The last run's STRUCTURED_SUMMARY line. */
    String getLastRunSummary();
}
