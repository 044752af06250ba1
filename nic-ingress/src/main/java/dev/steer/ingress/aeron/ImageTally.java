package dev.steer.ingress.aeron;

import java.lang.invoke.VarHandle;
import java.util.Arrays;

import io.aeron.Image;

/**
 * The images of an {@link AeronFeed}'s subscription and the bytes it consumed from them, kept from Aeron's own
 * image handlers and positions so that the poll path counts nothing: an image's bytes are its
 * {@link Image#position()} past its {@link Image#joinPosition()} (frame headers and alignment included), read when
 * {@link #bytesConsumed()} is asked; an image that goes keeps the figure of its last position.
 *
 * <p>Thread contract: {@link #joined} and {@link #left} run in Aeron's image handlers, which the client calls holding
 * its client lock (on its conductor thread, or on the thread closing the subscription or the client): one writer at a
 * time, each seeing the last's writes. Every change publishes one immutable {@link Tally} through a volatile field,
 * which a reader takes whole, so that an image is in the live array or in the bytes of those gone, never both or
 * neither. {@link #joined()} from any thread; {@link #bytesConsumed()} on the feed's poll thread, or on any thread once
 * the feed's close has returned (the subscription's close has then moved every image to the bytes of those gone, so
 * no image is read): a live image's position lies in the client's mapped files, which a close of the client on
 * another thread may unmap while that thread reads it. Reading costs one volatile read and one
 * {@link Image#position()} per live image (an aligned read of the position counter that the poll thread writes with a
 * release store), and allocates nothing; a change allocates the next tally, on an image's arrival or departure only.
 */
final class ImageTally {
    /**
     * @param live      the images present
     * @param joined    images that became available
     * @param goneBytes bytes consumed from every image no longer live, to its last position
     */
    private record Tally(Image[] live, long joined, long goneBytes) {
    }

    private volatile Tally tally = new Tally(new Image[0], 0, 0);

    /** An image became available. Aeron's available image handler, under the client lock. */
    void joined(Image image) {
        final Tally now = tally;
        final Image[] live = Arrays.copyOf(now.live, now.live.length + 1);
        live[now.live.length] = image;
        tally = new Tally(live, now.joined + 1, now.goneBytes);
    }

    /**
     * An image went away: its bytes, to the position Aeron recorded when it closed the image, stay in the count.
     * Aeron's unavailable image handler, under the client lock.
     */
    void left(Image image) {
        final Tally now = tally;
        int at = 0;
        while (at < now.live.length && now.live[at] != image) {
            at++;
        }
        final long bytes = at < now.live.length ? bytes(image) : 0; // not live: never joined, or counted already
        final Image[] live = at < now.live.length ? without(now.live, at) : now.live;
        tally = new Tally(live, now.joined, now.goneBytes + bytes);
    }

    /** Images that became available so far. Any thread. */
    long joined() {
        return tally.joined;
    }

    /**
     * Bytes the subscription consumed from every image so far, the live ones to their position now. The feed's poll
     * thread, or any thread once the feed's close has returned; allocates nothing.
     */
    long bytesConsumed() {
        final Tally now = tally;
        long bytes = now.goneBytes;
        for (Image image : now.live) {
            bytes += bytes(image);
        }
        return bytes;
    }

    private static long bytes(Image image) {
        // position() reads a closed image's final position, or the live counter with a plain read: the fence keeps
        // that read from moving past later ones, as a read with acquire semantics would.
        final long position = image.position();
        VarHandle.acquireFence();
        return position - image.joinPosition();
    }

    private static Image[] without(Image[] images, int at) {
        final Image[] rest = new Image[images.length - 1];
        System.arraycopy(images, 0, rest, 0, at);
        System.arraycopy(images, at + 1, rest, at, rest.length - at);
        return rest;
    }
}
