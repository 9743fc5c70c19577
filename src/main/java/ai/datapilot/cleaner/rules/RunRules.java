package ai.datapilot.cleaner.rules;

import ai.datapilot.cleaner.store.Retention;
import ai.datapilot.cleaner.store.ScannedItem;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The rules of one run with their cutoffs, fixed at its start: every later step uses these. */
public final class RunRules {

    private final CleanerRules rules;
    private final Retention fallback;
    private final List<Retention> cutoffs;
    private final Instant latestCutoff;

    RunRules(CleanerRules rules, Instant startedAt) {
        this.rules = rules;
        this.fallback = new Retention(CleanerRules.DEFAULT, startedAt.minusMillis(Math.round(rules.defaultTtlHours() * 3_600_000d)));
        this.cutoffs = new ArrayList<>();
        Instant latest = fallback.cutoff();
        for (RetentionRule rule : rules.retention()) {
            Retention r = new Retention(rule.name(), startedAt.minusMillis(rule.ttlMillis()));
            cutoffs.add(r);
            latest = r.cutoff().isAfter(latest) ? r.cutoff() : latest;
        }
        this.latestCutoff = latest;
    }

    /** The retention that applies to the item: the first rule that matches, else JOB_TTL_HOURS. */
    public Retention retentionFor(ScannedItem item) {
        Retention asWritten = retentionFor(item, item.id());
        String nfc = java.text.Normalizer.normalize(item.id(), java.text.Normalizer.Form.NFC);
        if (nfc.equals(item.id())) {
            return asWritten;
        }
        // a name in another Unicode form: of the rules its two forms match, the one that keeps it longer
        Retention asSeen = retentionFor(item, nfc);
        return asSeen.cutoff().isBefore(asWritten.cutoff()) ? asSeen : asWritten;
    }

    private Retention retentionFor(ScannedItem item, String id) {
        List<RetentionRule> retention = rules.retention();
        for (int i = 0; i < retention.size(); i++) {
            if (retention.get(i).appliesTo(item.store(), id)) {
                return cutoffs.get(i);
            }
        }
        return fallback;
    }

    /** The first keep rule that keeps the item, with why; null when none does. */
    public Kept keptBy(ScannedItem item) {
        for (KeepRule rule : rules.keep()) {
            String why = rule.keeps(item);
            if (why != null) {
                return new Kept(rule.name(), why);
            }
        }
        return null;
    }

    /** An item not older than this is expired under no rule: the scan need not look at it closely. */
    public Instant latestCutoff() {
        return latestCutoff;
    }

    /** The JOB_TTL_HOURS cutoff. */
    public Instant defaultCutoff() {
        return fallback.cutoff();
    }

    public List<Retention> cutoffs() {
        return List.copyOf(cutoffs);
    }

    public CleanerRules rules() {
        return rules;
    }

    /** A keep rule's verdict: which rule, and why it matched. */
    public record Kept(String rule, String reason) {
    }
}
