package ai.datapilot.cleaner.settings;

/**
 * One refused setting: the variable, the value as given (made printable), and what to do about it.
 */
public record Refusal(String variable, String value, String problem, String fix) {

    /** The one-line message an operator reads in the log and the audit. */
    public String message() {
        return variable + "=\"" + value + "\" refused: " + problem + "; fix: " + fix;
    }

    @Override
    public String toString() {
        return message();
    }
}
