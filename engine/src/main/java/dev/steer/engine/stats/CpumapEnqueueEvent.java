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
 * JFR event with the fields of the kernel's {@code xdp_cpumap_enqueue} tracepoint, one per bulk-queue flush.
 * Off by default, also in the JDK's {@code default} and {@code profile} settings (it fires millions of times a
 * second): a recording must name it, {@code +dev.steer.CpumapEnqueue#enabled=true}. Committed only while a
 * recording enables it: {@link #ENABLED} is checked first, so a flush allocates nothing when JFR does not record it.
 */
@Name("dev.steer.CpumapEnqueue")
@Label("Cpumap Enqueue")
@Category({"Steer", "Data path"})
@Description("A bulk queue flushed into an entry's ring")
@StackTrace(false)
@Enabled(false)
public final class CpumapEnqueueEvent extends Event {
    /** The event's type, whose {@link EventType#isEnabled()} says whether a recording wants it. */
    public static final EventType ENABLED = EventType.getEventType(CpumapEnqueueEvent.class);

    @Label("Map Id")
    int mapId;
    @Label("Processed")
    int processed;
    @Label("Drops")
    int drops;
    @Label("To CPU")
    int toCpu;

    /** Commits one event when JFR records it; the check costs one load when it does not. */
    public static void emit(int mapId, int processed, int drops, int toCpu) {
        if (ENABLED.isEnabled()) {
            final CpumapEnqueueEvent event = new CpumapEnqueueEvent();
            event.mapId = mapId;
            event.processed = processed;
            event.drops = drops;
            event.toCpu = toCpu;
            event.commit();
        }
    }
}
