package ai.datapilot.cleaner.store;

/**
 * What the store found when it looked at a candidate again just before deleting it.
 *
 * @param state  {@link State#EXPIRED}: still there, unchanged, still expired; {@link State#GONE}:
 *               already removed by someone else; {@link State#CHANGED}: touched since the scan
 * @param reason why, for the audit (null when still expired)
 */
public record Recheck(State state, String reason) {

    public enum State { EXPIRED, GONE, CHANGED }

    public static final Recheck EXPIRED = new Recheck(State.EXPIRED, null);

    public static Recheck gone(String reason) {
        return new Recheck(State.GONE, reason);
    }

    public static Recheck changed(String reason) {
        return new Recheck(State.CHANGED, reason);
    }
}
