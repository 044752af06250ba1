package dev.steer.engine.path;

/**
 * A source of packets polled NAPI-style by one ingress: the analogue of a NIC RX queue. Implementations
 * (synthetic, Aeron, AF_PACKET, UDP, pcap) turn each input packet into one call of
 * {@link FrameSink#onFrame}.
 *
 * <p>Thread contract: {@link #poll} is called by one ingress thread at a time; {@link #close()} after the
 * last poll, on any thread. {@code poll} must not block; it returns 0 when nothing is ready so that the
 * ingress' idle strategy can back off.
 */
public interface Feed extends AutoCloseable {
    /** Poll result of a feed that has ended (a pcap file replayed once, say). */
    int END = -1;

    /**
     * Hands at most {@code budget} packets to {@code sink}, one {@link FrameSink#onFrame} call each, in order.
     *
     * <p>Back-pressure: in drop mode every {@code onFrame} answers {@link FrameSink#ACCEPTED}. An engine running
     * lossless answers {@link FrameSink#BACK_PRESSURED} instead when the packet's target ring (or the pool) is full:
     * the packet was not taken and nothing counts it as received. The feed must then stop this poll at once, keep
     * that packet where it is, offer it again on a later poll before any packet that came after it from the same
     * source, and return the number accepted before it (0 when it was the first, which lets the ingress back off while
     * the consumer catches up). A feed that goes on calling {@code onFrame} after a refusal breaks its order (a later
     * packet to another ring overtakes the refused one), and every refused packet it then lets go is lost without a
     * trace: not received, not dropped, only the ingress' {@code back_pressured} count grows. Aeron's controlled poll
     * ({@code ABORT}) and a datagram held for the next poll are the built-in feeds' ways of keeping it.
     *
     * <p>Order is that of each source: a feed that merges several (an Aeron subscription's images, one per publisher)
     * keeps each one's order, not an order across them. Aeron's controlled poll starts each poll one image further on,
     * so with several publishers the next poll may offer other publishers' packets before the refused one; a feed of
     * one source (a socket, a ring, a file) offers the refused packet first on the next poll.
     *
     * @return packets the sink accepted, 0 when none was ready or the first was refused; {@link #END} when the feed
     *         has ended and will give no more
     */
    int poll(FrameSink sink, int budget);

    /** Name for statistics and messages. */
    String name();

    /**
     * Why the feed ended although nothing closed it and its input did not simply run out: its source went away under
     * it (an AF_PACKET interface deleted), one line for people; null while it runs, after a close, and after a normal
     * end (a pcap replay that finished its passes, a bounded synthetic feed). A run whose feed has an end reason failed
     * on its input. Feeds that cannot end that way keep the default, null; a damaged capture is reported through
     * {@code PcapFeed#damage()} instead, with file, offset and reason. Any thread; cheap (a field read).
     */
    default String endReason() {
        return null;
    }

    /** Releases the feed's resources; further polls are not allowed. */
    @Override
    default void close() {
    }

    /**
     * Closes the feed as its ingress stops: a feed that learns of lost packets only by reading a counter (a kernel
     * socket's drop count) reads it a last time and reports the increase to {@code sink} with
     * {@link FrameSink#onDropped}, so that nothing lost before the close goes uncounted. It should hand over no
     * packet; one that it hands over anyway ({@link FrameSink#onFrame}) is steered, flushed and counted as a poll's
     * would be. The default just closes. Same thread contract as {@link #close()}.
     */
    default void close(FrameSink sink) {
        close();
    }
}
