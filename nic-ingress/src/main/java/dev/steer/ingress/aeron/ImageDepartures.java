package dev.steer.ingress.aeron;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import io.aeron.Image;
import io.aeron.Subscription;
import org.agrona.collections.LongHashSet;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;

import dev.steer.engine.stats.DropReason;

/**
 * The images (publishers) that went away from an {@link AeronFeed}'s subscription, handed from the client conductor
 * to the poll thread, which drops each one's unfinished message from the {@link MessageReassembler}. By image
 * correlation id, not session id: a new image of the same session id (an explicit {@code session-id=} in the channel)
 * may have begun a message before the old one's departure is taken.
 *
 * <p>The hand-over never waits (the poll thread may have stopped): it holds {@value #CAPACITY} departures; should more
 * go within one poll, the next poll finds the rest by what the subscription no longer has.
 *
 * <p>Thread contract: {@link #imageGone} on the client conductor's thread; {@link #take} and {@link #drain} on the
 * poll thread (or the closing one, after the last poll); {@link #count()} on any. {@link #take} costs one queue
 * emptiness check and one volatile read while nothing went away, and allocates nothing unless the subscription has
 * more images than ever after an overflow.
 */
final class ImageDepartures {
    /**
     * Images gone that the client may hand over before the poll thread takes them; departures beyond that are found
     * by the next poll in the subscription's images instead.
     */
    static final int CAPACITY = 1024;

    private final MessageReassembler reassembler;
    /** Counts each unfinished message dropped (its reason; null: nothing to count). */
    private final Consumer<DropReason> dropped;
    // Correlation ids of images that went away, told by the client conductor, taken by the poll thread.
    private final ManyToOneConcurrentArrayQueue<Long> gone = new ManyToOneConcurrentArrayQueue<>(CAPACITY);
    private final Consumer<Long> onGone = this::onGone;
    /**
     * Set by the client conductor when an image's departure found {@link #gone} full; the poll thread then forgets
     * every image the subscription no longer has ({@link #forgetImagesGone}).
     */
    private final AtomicBoolean overflowed = new AtomicBoolean();
    /** The subscription's images at the last {@link #forgetImagesGone}; reused. Poll thread. */
    private final LongHashSet imagesPresent = new LongHashSet();
    private final Consumer<Image> addPresent = image -> imagesPresent.add(image.correlationId());
    private final AtomicLong count = new AtomicLong();

    /**
     * @param reassembler the feed's, whose messages of images gone are dropped
     * @param dropped     counts one message dropped for the reason given; null: nothing to count
     */
    ImageDepartures(MessageReassembler reassembler, Consumer<DropReason> dropped) {
        this.reassembler = reassembler;
        this.dropped = dropped;
    }

    /** Client conductor thread: hands the image {@code imageCorrelationId} over to the poll thread. */
    void imageGone(long imageCorrelationId) {
        if (!gone.offer(imageCorrelationId)) {
            // Before the count below, as the hand-over: whoever sees the count finds the flag.
            overflowed.set(true);
        }
        // Counted after the hand-over, so that whoever sees the count sees the image queued for the next poll.
        count.incrementAndGet();
    }

    /**
     * Poll thread: drops the unfinished messages of the images handed over, and after an overflow those of every image
     * that {@code subscription} no longer has.
     */
    void take(Subscription subscription) {
        if (!gone.isEmpty()) {
            gone.drain(onGone, CAPACITY);
        }
        if (overflowed.get() && overflowed.getAndSet(false)) {
            forgetImagesGone(subscription);
        }
    }

    /** Drops the unfinished messages of the images handed over, as the feed ends or closes. */
    void drain() {
        gone.drain(onGone, CAPACITY);
    }

    /** Images that went away (a publisher closed or timed out) so far. Any thread. */
    long count() {
        return count.get();
    }

    /**
     * Forgets the images whose departure did not fit {@link #gone}: every image with a reassembly buffer that the
     * subscription no longer has (it removes an image before reporting it gone), counting its unfinished message.
     * Poll thread, only after such an overflow.
     */
    private void forgetImagesGone(Subscription subscription) {
        imagesPresent.clear();
        subscription.forEachImage(addPresent);
        reassembler.abandonAllBut(imagesPresent, dropped);
    }

    private void onGone(Long imageCorrelationId) {
        dropped.accept(reassembler.abandon(imageCorrelationId));
    }
}
