package ai.datapilot.cleaner.service;

import ai.datapilot.cleaner.app.CleanerApplication;
import ai.datapilot.cleaner.metrics.RunMetrics;
import org.apache.camel.CamelContext;
import org.apache.camel.NamedNode;
import org.apache.camel.Route;
import org.apache.camel.spi.RoutePolicy;
import org.apache.camel.spi.RoutePolicyFactory;
import org.apache.camel.support.RoutePolicySupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sees the schedule paused and resumed, however it is done (the control MBean, Camel's route
 * MBean, the {@code pause}/{@code resume} commands): one log line and a count in
 * {@code cleaner_control_actions_total} each. Set on the {@code trigger-schedule} route by Camel
 * (a route policy factory), so an edit of the routes cannot drop it.
 */
public final class ScheduleControls implements RoutePolicyFactory {

    private static final Logger LOG = LoggerFactory.getLogger(ScheduleControls.class);

    /** Set while a reload puts the schedule back as it was: not an operator's action. */
    private volatile boolean restoring;

    static void count(CamelContext context, String action) {
        RunMetrics metrics = context.getRegistry().findSingleByType(RunMetrics.class);
        if (metrics != null) {
            metrics.control(action);
        }
    }

    @Override
    public RoutePolicy createRoutePolicy(CamelContext context, String routeId, NamedNode route) {
        if (!CleanerApplication.SCHEDULE_ROUTE.equals(routeId)) {
            return null;
        }
        return new RoutePolicySupport() {
            @Override
            public void onSuspend(Route r) {
                if (!restoring) {
                    LOG.warn("Schedule paused (route {} suspended): no scheduled run starts until it is resumed; run-now still works",
                            r.getRouteId());
                    count(context, "suspend");
                }
            }

            @Override
            public void onResume(Route r) {
                LOG.warn("Schedule resumed (route {}): the next run is at the next scheduled time; fires missed while paused are skipped",
                        r.getRouteId());
                count(context, "resume");
            }
        };
    }

    /** Suspends the schedule again after a reload recreated it, without counting it as a pause. */
    void keepSuspended(CamelContext context) throws Exception {
        restoring = true;
        try {
            context.getRouteController().suspendRoute(CleanerApplication.SCHEDULE_ROUTE);
        } finally {
            restoring = false;
        }
    }
}
