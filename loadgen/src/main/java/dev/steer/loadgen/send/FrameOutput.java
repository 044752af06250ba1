package dev.steer.loadgen.send;

import org.agrona.DirectBuffer;

/**
 * Where a sender puts its frames: an Aeron publication, a UDP socket, a network interface. Non-blocking,
 * with Aeron-style result codes.
 *
 * <p>Thread contract: {@link #send} from one sending thread; {@link #close()} after the last send.
 */
public interface FrameOutput extends AutoCloseable {
    /** The frame was sent. */
    int SENT = 0;
    /** The output is full for now (publisher back-pressured, socket buffer full): try the same frame again. */
    int BACK_PRESSURED = -1;
    /** The output is not connected yet (no subscriber): try again. */
    int NOT_CONNECTED = -2;
    /** The output failed for good (closed, frame too large for it): stop. */
    int FAILED = -3;
    /**
     * Nothing receives at the target: it answered an earlier frame with a refusal (a UDP target's ICMP port
     * unreachable). This frame was not sent; the next try may go out (and be refused in turn).
     */
    int REFUSED = -4;
    /**
     * The output refused this frame for itself and would refuse it on every try (an AF_PACKET frame longer than the
     * interface's MTU): it is not sent and not tried again; the next frame goes on. Counted in {@link #rejected()}.
     */
    int REJECTED = -5;

    /**
     * Sends one frame of {@code length} bytes.
     *
     * @return {@link #SENT}, {@link #BACK_PRESSURED}, {@link #NOT_CONNECTED}, {@link #REFUSED}, {@link #REJECTED} or
     *     {@link #FAILED}
     */
    int send(DirectBuffer buffer, int offset, int length);

    /**
     * Frames the output refused for themselves so far, and dropped: those {@link #send} answered {@link #REJECTED}, and
     * those it answered {@link #SENT} (batched) that the kernel then refused when the batch went out. A running total;
     * read by the sending thread, after a send or a {@link #flush()}. Outputs that never refuse a frame return 0.
     */
    default long rejected() {
        return 0;
    }

    /** One line for a warning: why this output refuses or rejects frames and what to check; off the hot path. */
    default String refusalWarning() {
        return "refuses frames; they count as refused";
    }

    /**
     * Sends what the output has batched so far; called by a sender at the end of every burst. Outputs that
     * send each frame at once have nothing to do.
     *
     * @return {@link #SENT} (what the output could not send yet stays batched), or {@link #FAILED}: the output failed
     *     for good and dropped the batched frames ({@link #discarded()})
     */
    default int flush() {
        return SENT;
    }

    /**
     * Frames {@link #send} answered {@link #SENT} (batched) that a failure of the output then dropped unsent. A running
     * total, read by the sending thread. Outputs that send each frame at once return 0.
     */
    default long discarded() {
        return 0;
    }

    /**
     * Bytes of the frames {@link #send} answered {@link #SENT} that the output then dropped unsent: those in
     * {@link #rejected()} refused when their batch went out, and those in {@link #discarded()}. A running total, read
     * by the sending thread. Outputs that send each frame at once return 0.
     */
    default long droppedBytes() {
        return 0;
    }

    /** One line on the output's last failure (such as {@code ENETDOWN (Network is down)}), or empty; off the hot path. */
    default String lastError() {
        return "";
    }

    /**
     * Waits, at most {@code timeoutNs}, until what was sent has left this process (a transport that sends
     * from a driver of its own must not be closed with frames still in its buffers).
     *
     * @return true when everything left in time
     */
    default boolean drain(long timeoutNs) {
        return true;
    }

    /** For messages: where the frames go. */
    String describe();

    @Override
    default void close() {
    }
}
