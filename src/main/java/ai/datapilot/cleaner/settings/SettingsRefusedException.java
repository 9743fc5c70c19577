package ai.datapilot.cleaner.settings;

import java.util.List;

/**
 * Thrown when one or more settings are refused. Carries every refusal, so the operator fixes them
 * all in one go, and what could still be salvaged to write an audit record of the refusal.
 */
public class SettingsRefusedException extends Exception {

    private final List<Refusal> refusals;
    private final SettingsFallback fallback;

    public SettingsRefusedException(List<Refusal> refusals, SettingsFallback fallback) {
        super(refusals.size() + " setting(s) refused: " + refusals.get(0).message());
        this.refusals = List.copyOf(refusals);
        this.fallback = fallback;
    }

    public List<Refusal> refusals() {
        return refusals;
    }

    public SettingsFallback fallback() {
        return fallback;
    }
}
