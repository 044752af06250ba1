package dev.steer.engine.path;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * An in-process feed that replays a fixed set of prebuilt packets round-robin, optionally for a bounded
 * number of packets: the synthetic traffic source for tests, benchmarks and the default {@code steer run}.
 * The packets are copied once at construction into one buffer; polling allocates nothing and stamps every
 * packet of a poll with one cached {@link System#nanoTime()} reading.
 *
 * <p>Thread contract: polled by one ingress thread at a time.
 */
public final class TemplateFeed implements Feed {
    /** Value of {@code limit} for a feed that never ends. */
    public static final long UNLIMITED = Long.MAX_VALUE;

    private final String name;
    private final DirectBuffer packets;
    private final int[] offsets;
    private final int[] lengths;
    private final long limit;
    private long sent;
    private int next;

    /**
     * @param name      feed name
     * @param templates the packets to replay, at least one, none empty
     * @param limit     packets to hand out before {@link Feed#END}; {@link #UNLIMITED} for no end
     */
    public TemplateFeed(String name, byte[][] templates, long limit) {
        if (templates.length == 0) {
            throw new IllegalArgumentException("feed " + name + ": needs at least one packet template");
        }
        if (limit < 0) {
            throw new IllegalArgumentException("feed " + name + ": limit=" + limit + ": must not be negative");
        }
        int total = 0;
        for (byte[] template : templates) {
            total += template.length;
        }
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[Math.max(total, 1)]);
        this.offsets = new int[templates.length];
        this.lengths = new int[templates.length];
        int at = 0;
        for (int i = 0; i < templates.length; i++) {
            buffer.putBytes(at, templates[i]);
            offsets[i] = at;
            lengths[i] = templates[i].length;
            at += templates[i].length;
        }
        this.name = name;
        this.packets = buffer;
        this.limit = limit;
    }

    @Override
    public int poll(FrameSink sink, int budget) {
        if (sent >= limit) {
            return END;
        }
        final long now = System.nanoTime();
        final int count = (int) Math.min(budget, limit - sent);
        int taken = 0;
        int index = next;
        while (taken < count) {
            if (sink.onFrame(packets, offsets[index], lengths[index], now) == FrameSink.BACK_PRESSURED) {
                break;
            }
            taken++;
            if (++index == offsets.length) {
                index = 0;
            }
        }
        next = index;
        sent += taken;
        return taken;
    }

    /** Packets handed out so far. */
    public long sent() {
        return sent;
    }

    @Override
    public String name() {
        return name;
    }
}
