package dev.steer.ingress.aeron;

import java.util.function.Consumer;

import io.aeron.Image;
import io.aeron.logbuffer.FrameDescriptor;
import io.aeron.logbuffer.Header;
import org.agrona.BitUtil;
import org.agrona.DirectBuffer;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.collections.LongHashSet;
import org.agrona.concurrent.UnsafeBuffer;

import dev.steer.engine.frame.FramePool;
import dev.steer.engine.stats.DropReason;

/**
 * Reassembles messages that reached an Aeron subscription in several fragments, one partial message per
 * image, since a subscription poll may stop inside one image's message and go on with another. Keyed by the image's
 * correlation id, not its session id: a publisher restarted with an explicit {@code session-id} gives a new image of
 * the same session id, which may begin a message before the old image's departure is seen ({@link #abandon}); the old
 * image's cleanup must not take that message with it.
 *
 * <p>Every message that began is accounted for exactly once: completed ({@link #COMPLETE}, then handed over by
 * the caller), or dropped and reported by the caller with the reason returned: {@link DropReason#OVERSIZE} when it
 * grew past {@value #MAX_MESSAGE} bytes (the largest pool frame; its further bytes are skipped, so an image's
 * buffer never grows beyond that, and it stays oversize whatever ends it), {@link DropReason#FEED_TRUNCATED} when
 * fragments of it are missing (a gap in the stream's positions, a last or middle fragment without its first, a new
 * message starting before it ended) or when its image went away ({@link #abandon}) or the feed closed or ended
 * ({@link #unfinished}) before its last fragment.
 *
 * <p>Lossless polls may refuse a completed message and abort, so that Aeron offers its last fragment again:
 * {@link #unaccept} undoes the last fragment so that the repeat is appended once.
 *
 * <p>Thread contract: the poll thread only. Allocates only when an image fragments its first message or a
 * message outgrows the image's buffer (doubling, at most up to {@value #MAX_MESSAGE} bytes).
 */
final class MessageReassembler {
    /** Longest message reassembled: the largest pool frame; a longer one is an oversize drop. */
    static final int MAX_MESSAGE = FramePool.Context.MAX_FRAME_SIZE;
    /** The fragment was taken into a message that has not ended yet. */
    static final int INCOMPLETE = 0;
    /** The message is complete in {@link #buffer()}, {@link #length()} bytes. */
    static final int COMPLETE = 1;
    /** The message ended and is dropped for {@link #dropReason()}. */
    static final int DROPPED = 2;

    private static final int INITIAL_CAPACITY = 2048;
    private static final int IDLE = 0;
    private static final int ASSEMBLING = 1;
    private static final int SKIPPING = 2;

    /** One image's message in progress. */
    private static final class Partial {
        UnsafeBuffer buffer;
        int length;
        int state = IDLE;
        DropReason skipReason;
        long nextPosition = Long.MIN_VALUE;
        int previousLength;
        long previousNextPosition;
        int previousState;
    }

    private final Long2ObjectHashMap<Partial> partials = new Long2ObjectHashMap<>();
    private Partial last;
    private DropReason dropReason;
    /** Images with a message in progress: while 0, {@link #interrupt} answers without a map lookup. */
    private int active;

    /**
     * Takes one fragment of a fragmented message ({@code flags} not {@link FrameDescriptor#UNFRAGMENTED}) of the image
     * that {@code header} comes from ({@link #imageOf}).
     *
     * @return {@link #INCOMPLETE}, {@link #COMPLETE} or {@link #DROPPED}
     */
    int onFragment(DirectBuffer source, int offset, int length, Header header, byte flags) {
        final Partial partial = partial(imageOf(header));
        last = partial;
        partial.previousLength = partial.length;
        partial.previousNextPosition = partial.nextPosition;
        partial.previousState = partial.state;
        final long start = header.position() - BitUtil.align(header.frameLength(), FrameDescriptor.FRAME_ALIGNMENT);
        final boolean begins = (flags & FrameDescriptor.BEGIN_FRAG_FLAG) != 0;
        if (begins) {
            // A message still in progress was dropped by the caller's interrupt() before this fragment.
            state(partial, ASSEMBLING);
            partial.length = 0;
        } else if (partial.state == IDLE || (partial.state == ASSEMBLING && start != partial.nextPosition)) {
            // The message's first fragment, or one in its middle, never reached us.
            skip(partial, DropReason.FEED_TRUNCATED);
        }
        partial.nextPosition = header.position();
        if (partial.state == ASSEMBLING) {
            append(partial, source, offset, length);
        }
        if ((flags & FrameDescriptor.END_FRAG_FLAG) == 0) {
            return INCOMPLETE;
        }
        final int result = partial.state == ASSEMBLING ? COMPLETE : DROPPED;
        dropReason = partial.skipReason;
        state(partial, IDLE);
        return result;
    }

    /**
     * Called before a fragment that begins a message is handed over or dropped; when a message of its image was in
     * progress it has lost its end (a new message began), and the reason to count it is returned.
     *
     * @return the reason the unfinished message is dropped, or null when none was in progress
     */
    DropReason interrupt(Header header) {
        if (active == 0) {
            return null; // every unfragmented message asks: no lookup while no message is in progress
        }
        final Partial partial = partials.get(imageOf(header));
        if (partial == null || partial.state == IDLE) {
            return null;
        }
        final DropReason reason = reasonToDrop(partial);
        state(partial, IDLE);
        return reason;
    }

    /** Undoes the last fragment given to {@link #onFragment}, which Aeron will offer again (a lossless abort). */
    void unaccept() {
        last.length = last.previousLength;
        last.nextPosition = last.previousNextPosition;
        state(last, last.previousState);
    }

    /**
     * Forgets an image that went away.
     *
     * @param imageCorrelationId the image's {@link Image#correlationId()}
     * @return the reason to count its unfinished message, or null when it had none
     */
    DropReason abandon(long imageCorrelationId) {
        final Partial partial = partials.remove(imageCorrelationId);
        if (partial == null || partial.state == IDLE) {
            return null;
        }
        active--;
        return reasonToDrop(partial);
    }

    /**
     * Forgets every image that is not in {@code present}: images gone whose departure was not handed to
     * {@link #abandon} (more went between two polls than the hand-over holds). Each unfinished message of theirs is
     * given to {@code dropped} with the reason {@link #abandon} would give. Allocates nothing; costs one pass over the
     * images with a buffer.
     *
     * @param present the {@link Image#correlationId()}s of the subscription's images now: an image gone is never
     *                among them again, and only the poll thread, which calls this, makes new entries
     */
    void abandonAllBut(LongHashSet present, Consumer<DropReason> dropped) {
        final Long2ObjectHashMap<Partial>.EntryIterator entries = partials.entrySet().iterator();
        while (entries.hasNext()) {
            entries.next();
            if (!present.contains(entries.getLongKey())) {
                final Partial partial = entries.getValue();
                entries.remove();
                if (partial.state != IDLE) {
                    active--;
                    dropped.accept(reasonToDrop(partial));
                }
            }
        }
    }

    /**
     * Messages still unfinished that are dropped for {@code reason}, counted by the caller when the feed closes or
     * ends: the same reason {@link #abandon} gives when an image goes, so one message has one reason whichever end it
     * meets ({@link DropReason#OVERSIZE} for one already skipped for its size, else {@link DropReason#FEED_TRUNCATED}).
     */
    int unfinished(DropReason reason) {
        int count = 0;
        for (Partial partial : partials.values()) {
            count += partial.state != IDLE && reasonToDrop(partial) == reason ? 1 : 0;
        }
        return count;
    }

    /** Why a message in progress is dropped when it loses its end: its skip reason, or truncated when it was whole so far. */
    private static DropReason reasonToDrop(Partial partial) {
        return partial.state == SKIPPING ? partial.skipReason : DropReason.FEED_TRUNCATED;
    }

    /** The buffer of the last {@link #COMPLETE} message. */
    DirectBuffer buffer() {
        return last.buffer;
    }

    /** Length of the last {@link #COMPLETE} message. */
    int length() {
        return last.length;
    }

    /** Why the last {@link #DROPPED} message was dropped. */
    DropReason dropReason() {
        return dropReason;
    }

    /** Bytes held by the largest image buffer: at most {@value #MAX_MESSAGE}. */
    int largestCapacity() {
        int largest = 0;
        for (Partial partial : partials.values()) {
            largest = Math.max(largest, partial.buffer == null ? 0 : partial.buffer.capacity());
        }
        return largest;
    }

    private Partial partial(long image) {
        Partial partial = partials.get(image);
        if (partial == null) {
            partial = new Partial();
            partials.put(image, partial);
        }
        return partial;
    }

    /**
     * The correlation id of the image a fragment comes from: a subscription's poll hands every fragment with a header
     * whose context is its {@link Image}. A field read; no allocation.
     */
    static long imageOf(Header header) {
        return ((Image) header.context()).correlationId();
    }

    private void skip(Partial partial, DropReason reason) {
        state(partial, SKIPPING);
        partial.skipReason = reason;
    }

    /** Moves an image's message to {@code state}, keeping count of the images with one in progress. */
    private void state(Partial partial, int state) {
        active += (state != IDLE ? 1 : 0) - (partial.state != IDLE ? 1 : 0);
        partial.state = state;
    }

    /** Images with a message in progress. */
    int active() {
        return active;
    }

    private void append(Partial partial, DirectBuffer source, int offset, int length) {
        final int needed = partial.length + length;
        if (needed > MAX_MESSAGE) {
            skip(partial, DropReason.OVERSIZE);
            return;
        }
        if (partial.buffer == null || partial.buffer.capacity() < needed) {
            int capacity = partial.buffer == null ? INITIAL_CAPACITY : partial.buffer.capacity();
            while (capacity < needed) {
                capacity <<= 1;
            }
            final UnsafeBuffer grown = new UnsafeBuffer(new byte[Math.min(capacity, MAX_MESSAGE)]);
            if (partial.buffer != null) {
                grown.putBytes(0, partial.buffer, 0, partial.length);
            }
            partial.buffer = grown;
        }
        partial.buffer.putBytes(partial.length, source, offset, length);
        partial.length = needed;
    }
}
