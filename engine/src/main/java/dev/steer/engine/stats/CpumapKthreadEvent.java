package dev.steer.engine.stats;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Event;
import jdk.jfr.EventType;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * JFR event with the fields of the kernel's {@code xdp_cpumap_kthread} tracepoint, one per consumer drain (up
 * to {@link dev.steer.engine.path.ConsumerPath#BATCHES_PER_WORK} batches). Off by default, as
 * {@link CpumapEnqueueEvent}: a recording must name it, {@code +dev.steer.CpumapKthread#enabled=true}.
 */
@Name("dev.steer.CpumapKthread")
@Label("Cpumap Consumer Batch")
@Category({"Steer", "Data path"})
@Description("An entry's consumer handled one batch from its ring")
@StackTrace(false)
@Enabled(false)
public final class CpumapKthreadEvent extends Event {
    /** The event's type, whose {@link EventType#isEnabled()} says whether a recording wants it. */
    public static final EventType ENABLED = EventType.getEventType(CpumapKthreadEvent.class);

    @Label("Map Id")
    int mapId;
    @Label("CPU")
    int cpu;
    @Label("Processed")
    int processed;
    @Label("Drops")
    int drops;
    @Label("Sched")
    int sched;
    @Label("Remote Pass")
    int pass;
    @Label("Remote Drop")
    int drop;
    @Label("Remote Redirect")
    int redirect;

    /** Commits one event when JFR records it; the check costs one load when it does not. */
    public static void emit(int mapId, int cpu, int processed, int drops, int sched, int pass, int drop, int redirect) {
        if (ENABLED.isEnabled()) {
            final CpumapKthreadEvent event = new CpumapKthreadEvent();
            event.mapId = mapId;
            event.cpu = cpu;
            event.processed = processed;
            event.drops = drops;
            event.sched = sched;
            event.pass = pass;
            event.drop = drop;
            event.redirect = redirect;
            event.commit();
        }
    }
}
