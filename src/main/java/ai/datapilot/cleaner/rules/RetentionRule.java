package ai.datapilot.cleaner.rules;

import ai.datapilot.cleaner.store.StoreKind;

/**
 * How long items whose id matches are kept: the first rule that matches an item decides its
 * expiry. {@code store} null means both stores.
 */
public record RetentionRule(String name, PathGlob match, StoreKind store, double ttlHours) {

    public boolean appliesTo(StoreKind kind, String id) {
        return (store == null || store == kind) && match.matches(id);
    }

    public long ttlMillis() {
        return Math.round(ttlHours * 3_600_000d);
    }
}
