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
     * Sends one frame of {@code length} bytes.
     *
     * @return {@link #SENT}, {@link #BACK_PRESSURED}, {@link #NOT_CONNECTED}, {@link #REFUSED} or {@link #FAILED}
     */
    int send(DirectBuffer buffer, int offset, int length);

    /**
     * Sends what the output has batched so far; called by a sender at the end of every burst. Outputs that
     * send each frame at once have nothing to do.
     */
    default void flush() {
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
