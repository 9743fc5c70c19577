package ai.datapilot.cleaner.audit;

/**
 * Bytes of one store in one run. Sizes the store could not give (a Redis hash of very many
 * fields) add nothing.
 *
 * @param scanned items whose age was established
 * @param expired items expired under their rule and not kept by a keep rule
 * @param deleted items deleted; in dry run, what would be freed
 * @param kept    expired items a keep rule kept
 */
public record StoreBytes(long scanned, long expired, long deleted, long kept) {
}
