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
 * JFR event with the fields of the kernel's {@code xdp_cpumap_kthread} tracepoint, one per batch a consumer takes
 * from its ring (at most the consumer batch size, 8 by default, as the tracepoint fires once per kthread loop of at
 * most CPUMAP_BATCH frames); a drain of several batches commits one each, and their fields add up to the drain's
 * counters. Off by default, as {@link CpumapEnqueueEvent}: a recording must name it,
 * {@code +dev.steer.CpumapKthread#enabled=true}.
 *
 * <p>The fields count outcomes, as the tracepoint does (kernel 5.9 and later), not the remote program's verdicts
 * that {@link PathCounters.Counter#REMOTE_PASS} and its siblings count: a redirect is counted when the frame
 * reached a bulk queue, a redirect to a key without an entry as its fallback, and {@code drops} holds only the
 * frames the handler refused, never the program's drops.
 */
@Name("dev.steer.CpumapKthread")
@Label("Cpumap Consumer Batch")
@Category({"Steer", "Data path"})
@Description("An entry's consumer handled one batch from its ring: at most the consumer batch size, 8 by default")
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
    @Description("Frames of this batch taken from the ring")
    int processed;
    @Label("Drops")
    @Description("Frames of this batch handed to the handler that it refused (threw on): the kernel's skb and stack"
        + " drops")
    int drops;
    @Label("Sched")
    @Description("1 on the first batch after the consumer went idle, 0 on every other")
    int sched;
    @Label("Remote Pass")
    @Description("Frames of this batch the remote program handed to the handler, a missing key's PASS fallback"
        + " included")
    int pass;
    @Label("Remote Drop")
    @Description("Frames of this batch ended by the remote program's DROP or ABORTED, or by a failed redirect (no_entry,"
        + " redirect_error, redirect_loop)")
    int drop;
    @Label("Remote Redirect")
    @Description("Frames of this batch the remote program redirected into a bulk queue (its ring_full is in"
        + " CpumapEnqueue)")
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
