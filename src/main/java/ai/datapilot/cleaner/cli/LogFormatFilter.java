package ai.datapilot.cleaner.cli;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.spi.FilterReply;

/**
 * Lets an appender of logback.xml write only in its own format (CLEANER_LOG_FORMAT, applied by
 * {@link Logging}): the text and the JSON appender are both configured, one of them writes.
 */
public class LogFormatFilter extends Filter<ILoggingEvent> {

    public static final String TEXT = "text";
    public static final String JSON = "json";

    private static volatile String selected = TEXT;

    private String format = TEXT;

    /** Set from logback.xml: the format this appender writes. */
    public void setFormat(String format) {
        this.format = format;
    }

    static void select(String format) {
        selected = JSON.equals(format) ? JSON : TEXT;
    }

    static String selected() {
        return selected;
    }

    @Override
    public FilterReply decide(ILoggingEvent event) {
        return format.equals(selected) ? FilterReply.NEUTRAL : FilterReply.DENY;
    }
}
