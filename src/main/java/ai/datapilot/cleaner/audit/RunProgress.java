package ai.datapilot.cleaner.audit;

/**
 * Where a run stands, read while it goes (the progress line).
 *
 * @param phase    scanning, deleting (the plan is decided), or finishing (audit, summary)
 * @param expired  expired items found so far that no keep rule kept
 * @param planned  items the plan chose (0 while scanning)
 * @param removed  planned items deleted (in dry run: that would be deleted)
 * @param kept     items kept by a keep rule or a route step
 * @param failed   planned items whose delete failed
 * @param skipped  planned items skipped at the delete (changed since the scan, not attempted)
 * @param settled  planned items done with, whatever became of them
 */
public record RunProgress(String phase, boolean dryRun, long blobsScanned, long keysScanned, long expired, long planned,
        long removed, long kept, long failed, long skipped, long settled) {

    public static final String SCANNING = "scanning";
    public static final String DELETING = "deleting";
    public static final String FINISHING = "finishing";

    public long scanned() {
        return blobsScanned + keysScanned;
    }
}
