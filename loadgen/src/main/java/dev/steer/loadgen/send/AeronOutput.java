package dev.steer.loadgen.send;

import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

import io.aeron.Aeron;
import io.aeron.AeronCounters;
import io.aeron.Publication;
import io.aeron.exceptions.AeronException;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.status.CountersReader;

/**
 * Frames into an Aeron publication, one frame per message. Channels without an {@code mtu} get one of
 * {@value #DEFAULT_MTU} bytes, so that frames up to 8 KiB travel as one fragment each; the feed reassembles a longer
 * one from its fragments, at the cost of a copy.
 *
 * <p>A client closed under it (its media driver gone, or closed by its owner) fails the output for good: {@link #send}
 * answers {@link #FAILED}, {@link #lastError()} says why, and {@link #drain} and {@link #close()} return without
 * throwing, so that a sender's close path ends with its counts and the reason rather than the client's exception.
 */
public final class AeronOutput implements FrameOutput {
    /** MTU added to channels that give none: room for a 1518-byte frame (and jumbo frames up to 8 KiB). */
    public static final int DEFAULT_MTU = 8192;

    private static final long LINGER_NS = 100_000_000L;
    /** Longest wait of {@link #lastError()} for the reason a closing client gives. */
    private static final long CLOSE_REASON_WAIT_MS = 1_000;

    private final Aeron aeron;
    private final Publication publication;
    private final String description;
    /** The client's close reason, null until its close handler has run; null for an output given none. */
    private final Supplier<String> clientClosed;
    /** The offer result that failed the output, 0 while it has not failed; the sending thread's. */
    private long failedWith;

    /**
     * @param aeron    connected client
     * @param channel  Aeron channel URI
     * @param streamId stream id
     */
    public AeronOutput(Aeron aeron, String channel, int streamId) {
        this(aeron, channel, streamId, null);
    }

    /**
     * @param aeron        connected client
     * @param channel      Aeron channel URI
     * @param streamId     stream id
     * @param clientClosed why the client closed (such as {@code AeronMedia::clientClosed}, naming the driver), giving
     *                     null until the client's close handler has run: the reason {@link #lastError()} gives for a
     *                     closed client; null for none
     */
    public AeronOutput(Aeron aeron, String channel, int streamId, Supplier<String> clientClosed) {
        this.clientClosed = clientClosed;
        final String withMtu = channel.contains("mtu=") ? channel
            : channel + (channel.contains("?") ? "|" : "?") + "mtu=" + DEFAULT_MTU;
        this.aeron = aeron;
        this.publication = aeron.addPublication(withMtu, streamId);
        this.description = "aeron " + withMtu + " stream " + streamId;
    }

    @Override
    public int send(DirectBuffer buffer, int offset, int length) {
        final long result = publication.offer(buffer, offset, length);
        if (result >= 0) {
            return SENT;
        }
        if (result == Publication.BACK_PRESSURED || result == Publication.ADMIN_ACTION) {
            return BACK_PRESSURED;
        }
        if (result == Publication.NOT_CONNECTED) {
            return NOT_CONNECTED;
        }
        failedWith = result;
        return FAILED;
    }

    /**
     * Why {@link #send} failed: the client's close reason when the client closed, else the publication's state.
     * Empty before a failure. Off the hot path: a publication found closed, or a client found closed, may wait up to
     * {@value #CLOSE_REASON_WAIT_MS} ms for the close reason (a client that gives its driver up closes its
     * publications first, then reads closed, then runs its close handler, which gives the reason).
     */
    @Override
    public String lastError() {
        if (failedWith == 0) {
            return "";
        }
        final String reason = closeReason();
        if (reason != null || aeron.isClosed()) {
            return reason != null ? reason : "the Aeron client is closed";
        }
        if (failedWith == Publication.CLOSED) {
            return "the publication is closed";
        }
        if (failedWith == Publication.MAX_POSITION_EXCEEDED) {
            return "the publication reached its maximum position";
        }
        return "offer failed with " + failedWith;
    }

    /**
     * The client's close reason, waited for while the publication or the client reads closed; without a reason
     * supplier, only the client's close is waited for, after its publication's. Null if no reason came.
     */
    private String closeReason() {
        final long deadline = System.nanoTime() + CLOSE_REASON_WAIT_MS * 1_000_000L;
        String reason = givenReason();
        while (reason == null && (failedWith == Publication.CLOSED || aeron.isClosed())
            && (clientClosed != null || !aeron.isClosed()) && System.nanoTime() - deadline < 0) {
            LockSupport.parkNanos(1_000_000);
            reason = givenReason();
        }
        return reason;
    }

    private String givenReason() {
        return clientClosed == null ? null : clientClosed.get();
    }

    /** True once a subscriber is connected. */
    public boolean isConnected() {
        return publication.isConnected();
    }

    /**
     * Waits until the media driver's sender has sent everything published (UDP); IPC has no sender, and its
     * subscribers read the log directly, so it returns at once. Without this, closing an embedded driver right
     * after the last offer would drop what it had not yet sent. A closed client has no driver to wait for: false at
     * once, never its exception.
     */
    @Override
    public boolean drain(long timeoutNs) {
        if (aeron.isClosed() || publication.isClosed()) {
            return false;
        }
        try {
            return awaitSender(timeoutNs);
        } catch (AeronException ex) {
            return false; // the client closed while this waited (its driver went): nothing more can leave
        }
    }

    private boolean awaitSender(long timeoutNs) {
        final long deadline = System.nanoTime() + timeoutNs;
        final long target = publication.position();
        final CountersReader counters = aeron.countersReader();
        final int[] senderPosition = {CountersReader.NULL_COUNTER_ID};
        counters.forEach((counterId, typeId, key, label) -> {
            if (typeId == AeronCounters.DRIVER_SENDER_POSITION_TYPE_ID
                && key.getLong(0) == publication.originalRegistrationId()) {
                senderPosition[0] = counterId;
            }
        });
        if (senderPosition[0] == CountersReader.NULL_COUNTER_ID) {
            return true;
        }
        while (counters.getCounterValue(senderPosition[0]) < target) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            LockSupport.parkNanos(1_000_000);
        }
        // Keep the sender up a little longer for retransmissions the receiver may still ask for.
        LockSupport.parkNanos(LINGER_NS);
        return true;
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public void close() {
        if (aeron.isClosed()) {
            return; // a closed client has closed its publications, and would throw for this one
        }
        try {
            publication.close();
        } catch (AeronException ex) {
            // The client closed between the check and the close: the publication is closed with it.
        }
    }
}
