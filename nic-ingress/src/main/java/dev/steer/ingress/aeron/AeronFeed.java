package dev.steer.ingress.aeron;

import java.util.concurrent.TimeUnit;

import io.aeron.Aeron;
import io.aeron.ChannelUri;
import io.aeron.CommonContext;
import io.aeron.Image;
import io.aeron.Subscription;
import io.aeron.logbuffer.ControlledFragmentHandler;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.FrameDescriptor;
import io.aeron.logbuffer.Header;
import org.agrona.DirectBuffer;

import dev.steer.engine.path.EngineWarning;
import dev.steer.engine.path.Feed;
import dev.steer.engine.path.FrameSink;
import dev.steer.engine.stats.DropReason;

/**
 * A feed from an Aeron subscription (IPC, UDP unicast or multicast: any channel): one message is one
 * Ethernet frame, polled with the ingress budget as the fragment limit.
 *
 * <p>Two modes. {@link Mode#DROP} is the kernel's: every fragment is taken, and a full target ring drops
 * and counts. {@link Mode#LOSSLESS} uses a controlled poll: when the sink refuses a frame because its target
 * ring is full ({@link FrameSink#BACK_PRESSURED}), the poll is aborted with the fragment left in Aeron, so
 * the subscriber's position stops, the publisher is back-pressured, and nothing is dropped; the poll ends there, the
 * subscription's other images (publishers) included, whose fragments wait unoffered for the next poll. Order is kept
 * per image, not across images: each controlled poll starts one image further on, so the next poll may offer another
 * publisher's fragments before the refused one. The engine must run lossless too
 * ({@code SteerEngine.Builder#lossless(true)}).
 *
 * <p>A message longer than the channel's MTU reaches a subscriber as several fragments; they are reassembled
 * per image ({@link MessageReassembler}: one publisher's connection; a publisher restarted with the same explicit
 * {@code session-id} is a new image, whose messages the old image's departure leaves alone) and the message is
 * handed over whole with its last fragment (a lossless refusal aborts on that last fragment, whose repeat is appended
 * once). One longer than a pool frame is counted as oversize by the sink (EOVERFLOW) in a poll, as
 * feed_overrun by the close (see {@link #close(FrameSink)}); one longer than
 * {@value MessageReassembler#MAX_MESSAGE} bytes is not reassembled but counted as one {@link DropReason#OVERSIZE}
 * drop, whatever ends it. An empty message is no frame: one {@link DropReason#FEED_TRUNCATED} drop, as an empty UDP
 * datagram is. Any other message with fragments missing, or whose image went away (its publisher closed
 * or timed out) before its last fragment, or still unfinished when the feed closes, is one
 * {@link DropReason#FEED_TRUNCATED} drop.
 *
 * <p>When its client closes under it (the client gives its media driver up after the driver timeout, the driver
 * having stopped, or something closes the client), the feed ends ({@link Feed#END}) and {@link #endReason()} names
 * the driver's directory and what happened; a message unfinished then is one {@link DropReason#FEED_TRUNCATED}
 * drop (or {@link DropReason#OVERSIZE}, as above). A feed made on an {@link AeronMedia} also reports each of the
 * client's asynchronous errors once with {@link FrameSink#onFeedError} (its ingress counts {@code feed_errors};
 * errors beyond the {@value AeronClientEvents#CAPACITY} a client holds for its feeds are counted there too, with one
 * summary report; errors still waiting when the feed is closed are handed over by {@link #close(FrameSink)}); one
 * made on an {@link Aeron} client of the caller's leaves them to that client's own error handler.
 *
 * <p>A UDP channel whose {@code endpoint} has port 0 ({@code aeron:udp?endpoint=127.0.0.1:0}) is bound by the media
 * driver to an ephemeral port of its choosing, which {@link #resolvedEndpoint()} tells, so that a publisher can find
 * the feed without a port picked beforehand that something else might take before the driver binds it; {@link #name()}
 * names that endpoint too. A multicast group on port 0 is refused by the {@link Settings}: no publisher could find it.
 *
 * <p>Thread contract: {@link #poll} on one ingress thread; {@link #close()} after the last poll. Polling
 * allocates nothing in steady state: the handlers are created once and every frame of a poll gets one cached
 * {@link System#nanoTime()}; an image's first fragmented message allocates its reassembly buffer. Watching the
 * client costs one volatile read per poll, and looking out for more images gone than the client could hand over one
 * more.
 */
public final class AeronFeed implements Feed {
    /** Images gone that the client may hand over before the poll thread takes them ({@link ImageDepartures}). */
    static final int GONE_CAPACITY = ImageDepartures.CAPACITY;
    private static final int OPEN = 0;
    private static final int ENDED = 1;
    private static final int CLOSED = 2;
    /** Fragments a close drains from an image per bounded poll; the drain's bound is the image's term length. */
    private static final int DRAIN_FRAGMENTS = 4096;

    /** What a full target ring does to the feed. */
    public enum Mode {
        /** A full ring drops the frame and counts it, as the kernel's cpumap does. */
        DROP,
        /** A full ring leaves the fragment in Aeron and back-pressures the publisher; nothing is dropped. */
        LOSSLESS
    }

    /**
     * Settings of an Aeron feed.
     *
     * @param channel  Aeron channel URI, e.g. {@value #DEFAULT_CHANNEL} or {@code aeron:udp?endpoint=127.0.0.1:40123}
     * @param streamId stream id within the channel
     * @param mode     drop or lossless
     */
    public record Settings(String channel, int streamId, Mode mode) {
        /** Default channel: IPC within the media driver. */
        public static final String DEFAULT_CHANNEL = "aeron:ipc";
        /** Default stream id. */
        public static final int DEFAULT_STREAM_ID = 1001;
        /** What a spy channel starts with, before the channel of the publication it reads. */
        public static final String SPY_PREFIX = CommonContext.SPY_PREFIX;

        /** IPC, default stream, drop mode. */
        public static Settings defaults() {
            return new Settings(DEFAULT_CHANNEL, DEFAULT_STREAM_ID, Mode.DROP);
        }

        /**
         * Validates the settings: an Aeron channel URI, or a spy's ({@value #SPY_PREFIX} and a UDP publication's
         * channel: a driver keeps no log of an IPC publication for spies, the subscription reads it itself), a UDP
         * {@code endpoint} with port 0 only for a unicast channel that receives (a multicast group or a spy on port 0
         * no publisher could find), a mode.
         *
         * @throws IllegalArgumentException naming the setting, its value and what is allowed
         */
        public Settings {
            if (channel == null || !(channel.startsWith("aeron:") || channel.startsWith(SPY_PREFIX + "aeron:"))) {
                throw new IllegalArgumentException("aeron channel='" + channel
                    + "': must be an Aeron channel URI such as aeron:ipc or aeron:udp?endpoint=127.0.0.1:40123, or a"
                    + " spy on a publication of the same media driver, " + SPY_PREFIX + "aeron:udp?endpoint=...");
            }
            final ChannelUri uri = parsed(channel);
            final boolean spy = channel.startsWith(SPY_PREFIX);
            if (spy && !uri.isUdp()) {
                // The driver keeps a publication's log for spies only when it sends it over UDP.
                throw new IllegalArgumentException("aeron channel='" + channel + "': a spy reads a UDP publication of"
                    + " its own media driver; media " + uri.media() + " has none to spy on: spy on " + SPY_PREFIX
                    + "aeron:udp?endpoint=HOST:PORT, or subscribe to an IPC publication's channel (aeron:ipc) itself");
            }
            final String endpoint = uri.get("endpoint");
            if (spy && BoundEndpoint.portZero(endpoint)) {
                throw new IllegalArgumentException("aeron channel='" + channel + "': a spy reads a publication of its"
                    + " own media driver, which sends to an endpoint it names: a spy's endpoint needs a port 1..65535"
                    + " (port 0, a port the media driver chooses, is for a subscription that receives)");
            }
            if (BoundEndpoint.portZero(endpoint) && BoundEndpoint.multicast(endpoint)) {
                // A publisher to a group must know its port beforehand: there is no subscription's bound port to ask.
                throw new IllegalArgumentException("aeron channel='" + channel + "': endpoint " + endpoint
                    + " is a multicast group on port 0, which no publisher can know: a multicast endpoint needs a port"
                    + " 1..65535; port 0 (a port the media driver chooses) is for a unicast endpoint only");
            }
            if (mode == null) {
                throw new IllegalArgumentException("aeron mode=null: must be drop or lossless");
            }
        }

        /** The channel parsed; a channel Aeron cannot parse is refused, naming it. */
        private static ChannelUri parsed(String channel) {
            try {
                return ChannelUri.parse(channel);
            } catch (RuntimeException ex) {
                throw new IllegalArgumentException("aeron channel='" + channel + "': " + ex.getMessage(), ex);
            }
        }

        /**
         * True when the channel's {@code endpoint} has port 0: the media driver binds the subscription to a port of its
         * own, which {@link AeronFeed#resolvedEndpoint()} names once the feed is open. Only a unicast endpoint may: a
         * multicast group on port 0 is refused by the constructor.
         */
        public boolean endpointOnPortZero() {
            return BoundEndpoint.portZero(ChannelUri.parse(channel).get("endpoint"));
        }

        /** True for a spy channel ({@value #SPY_PREFIX}...): it reads a publication of the feed's own media driver. */
        public boolean spy() {
            return channel.startsWith(SPY_PREFIX);
        }

        /** The same settings with another mode. */
        public Settings withMode(Mode newMode) {
            return new Settings(channel, streamId, newMode);
        }
    }

    private final Settings settings;
    private final Subscription subscription;
    private final String name;
    /** Where the subscription listens: the endpoint the driver bound for one with port 0. */
    private final BoundEndpoint endpoint;
    private final FragmentHandler onFragment = this::onFragment;
    private final ControlledFragmentHandler onControlledFragment = this::onControlledFragment;
    private final FragmentHandler onLeftFragment = (buffer, offset, length, header) ->
        take(buffer, offset, length, header, false);
    private final MessageReassembler reassembler = new MessageReassembler();
    // Images that went away, told by the client conductor, their unfinished messages dropped by the poll thread.
    private final ImageDepartures departures = new ImageDepartures(reassembler, this::count);
    // Images joined and the bytes consumed from them, from Aeron's image handlers and positions: nothing per message.
    private final ImageTally images = new ImageTally();
    private final AeronClientEvents events;
    private final Aeron aeron;
    /** True for a caller's client, on which this feed registered a close handler, removed at the close. */
    private final boolean callersClient;
    private final long closeHandlerId;
    /** {@link AeronClientEvents#changes()} when the poll thread last looked. */
    private long eventsSeen;
    private volatile String endReason;
    private FrameSink sink;
    private long pollNanos;
    private long fragments;
    private long multiFragmentMessages;
    private long truncatedMessages;
    private long oversizeMessages;
    /** Messages left unpolled in the subscription's images when the feed closed, counted feed_overrun. */
    private volatile long leftAtClose;
    /**
     * Set by a lossless refusal, cleared by the next poll: a subscription's controlled poll goes on to its other images
     * after one aborts, and their fragments are aborted unoffered, so that the poll stops at the refusal.
     */
    private boolean refused;
    /** {@link #OPEN}, {@link #ENDED} (its client closed under it) or {@link #CLOSED}: one read per poll. */
    private int state = OPEN;

    /**
     * Subscribes to the channel through the client of {@code media}, whose asynchronous errors this feed reports to
     * its ingress. The subscription is made now, so a publisher can connect before the engine starts polling.
     *
     * @param media    a connected client and its driver
     * @param settings channel, stream and mode
     * @throws IllegalStateException when the client is closed (nothing of Aeron's is touched then), when the driver
     *                               refuses the subscription (a bad or taken UDP endpoint, say), or does not report
     *                               the port it bound for an endpoint with port 0 within the client's driver timeout
     */
    public AeronFeed(AeronMedia media, Settings settings) {
        this(media.aeron(), media.events(), settings);
    }

    /**
     * Subscribes to the channel through a client of the caller's: the feed ends when that client closes, but its
     * asynchronous errors go to the client's own error handler, not to the ingress (prefer
     * {@link #AeronFeed(AeronMedia, Settings)}). The subscription is made now.
     *
     * @param aeron    a connected client
     * @param settings channel, stream and mode
     * @throws IllegalStateException when the client is closed (nothing of Aeron's is touched then), when the driver
     *                               refuses the subscription (a bad or taken UDP endpoint, say), or does not report
     *                               the port it bound for an endpoint with port 0 within the client's driver timeout
     */
    public AeronFeed(Aeron aeron, Settings settings) {
        this(aeron, null, settings);
    }

    private AeronFeed(Aeron aeron, AeronClientEvents mediaEvents, Settings settings) {
        if (aeron.isClosed()) {
            // Before anything of Aeron's: a closed client's calls throw its own "client is closed", which reads as the
            // media driver refusing the subscription.
            throw new IllegalStateException("aeron channel='" + settings.channel() + "' stream " + settings.streamId()
                + ": the Aeron client of media driver " + aeron.context().aeronDirectoryName() + " is closed: a feed"
                + " needs an open client (close the feeds before their client, and make new ones on a new client)");
        }
        this.settings = settings;
        this.aeron = aeron;
        if (mediaEvents != null) {
            this.events = mediaEvents;
            this.callersClient = false;
            this.closeHandlerId = 0;
        } else {
            this.events = new AeronClientEvents(aeron.context().aeronDirectoryName());
            this.callersClient = true;
            this.closeHandlerId = aeron.addCloseHandler(events::onClose);
        }
        // Not a value changes() takes: the first poll looks once, for errors queued and a client closed before it.
        this.eventsSeen = -1;
        try {
            this.subscription = aeron.addSubscription(settings.channel(), settings.streamId(),
                images::joined, this::onUnavailableImage);
        } catch (RuntimeException ex) {
            if (callersClient) {
                aeron.removeCloseHandler(closeHandlerId);
            }
            throw new IllegalStateException("aeron channel='" + settings.channel() + "' stream " + settings.streamId()
                + ": the media driver refused the subscription: " + ex.getMessage(), ex);
        }
        try {
            this.endpoint = BoundEndpoint.of(subscription, settings,
                TimeUnit.MILLISECONDS.toNanos(aeron.context().driverTimeoutMs()));
            // The channel a publisher uses: with port 0, the port the driver bound, which every message naming the
            // feed (a run's failure, its summary) should show; nothing keys on the name before the feed is open.
            this.name = "aeron:" + settings.streamId() + "@"
                + (settings.spy() ? settings.channel() : endpoint.publicationChannel());
        } catch (RuntimeException ex) {
            subscription.close();
            if (callersClient) {
                aeron.removeCloseHandler(closeHandlerId);
            }
            throw ex;
        }
    }

    /**
     * Aeron's unavailable image handler, under the client lock: keeps the image's bytes and, unless the feed's own
     * close takes the image (its subscription's close calls this on the closing thread, after {@link #close()} has set
     * {@link #CLOSED}), counts it gone and hands it to the poll thread, which drops its unfinished message.
     */
    private void onUnavailableImage(Image image) {
        images.left(image); // before the count: whoever sees the image gone sees its last bytes
        if (state != CLOSED) {
            imageGone(image.correlationId());
        }
    }

    /** {@link #onUnavailableImage} for the image {@code imageCorrelationId}; the client conductor's thread. */
    void imageGone(long imageCorrelationId) {
        departures.imageGone(imageCorrelationId);
    }

    @Override
    public int poll(FrameSink sink, int budget) {
        if (state != OPEN) {
            return END;
        }
        this.sink = sink;
        this.pollNanos = System.nanoTime();
        departures.take(subscription);
        if (events.changes() != eventsSeen && onClientEvents()) {
            return END;
        }
        if (settings.mode() == Mode.LOSSLESS) {
            refused = false;
            return subscription.controlledPoll(onControlledFragment, budget);
        }
        return subscription.poll(onFragment, budget);
    }

    /**
     * Reports the client's errors not yet reported (by any feed on it) and ends the feed when the client has closed:
     * a closed client's subscription polls nothing for ever. Poll thread, off the hot path.
     *
     * @return true when the feed has ended
     */
    private boolean onClientEvents() {
        eventsSeen = events.changes();
        reportErrors(sink);
        final String closedReason = events.closed();
        if (closedReason == null) {
            return false;
        }
        countUnfinished(sink);
        state = ENDED;
        endReason = closedReason;
        return true;
    }

    /**
     * Hands the client's errors not yet reported (by any feed on it) to {@code to}: the queued ones one by one, then
     * those that found the queue full, counted in feed_errors with one report for all of them. Bounded: at most
     * {@link AeronClientEvents#CAPACITY} reports and one summary. Poll thread (or the closing one), off the hot path.
     */
    private void reportErrors(FrameSink to) {
        EngineWarning error;
        for (int i = 0; i < AeronClientEvents.CAPACITY && (error = events.poll()) != null; i++) {
            to.onFeedError(error);
        }
        final long overflowed = events.takeOverflow();
        if (overflowed > 0) {
            to.onFeedErrors(events.overflowReport(overflowed), overflowed);
        }
    }

    /**
     * Counts every message still unfinished (its images gone or the feed ending) as one drop each: feed_truncated, or
     * oversize for one already skipped for its size (as when its image goes: one message, one reason).
     */
    private void countUnfinished(FrameSink to) {
        this.sink = to;
        departures.drain();
        final int truncated = reassembler.unfinished(DropReason.FEED_TRUNCATED);
        if (truncated > 0) {
            truncatedMessages += truncated;
            to.onDropped(DropReason.FEED_TRUNCATED, truncated);
        }
        final int oversize = reassembler.unfinished(DropReason.OVERSIZE);
        if (oversize > 0) {
            oversizeMessages += oversize;
            to.onDropped(DropReason.OVERSIZE, oversize);
        }
    }

    private void onFragment(DirectBuffer buffer, int offset, int length, Header header) {
        fragments++;
        if (take(buffer, offset, length, header, false) == FrameSink.BACK_PRESSURED) {
            // A lossless engine behind a drop-mode feed: the fragment is consumed and cannot be left
            // in Aeron, so it is counted as the drop it is, for the refusal's reason, rather than lost without a trace.
            sink.onDropped(sink.refusalReason(), 1);
        }
    }

    private ControlledFragmentHandler.Action onControlledFragment(DirectBuffer buffer, int offset, int length,
                                                                  Header header) {
        if (refused || take(buffer, offset, length, header, true) == FrameSink.BACK_PRESSURED) {
            refused = true;
            return ControlledFragmentHandler.Action.ABORT;
        }
        fragments++;
        return ControlledFragmentHandler.Action.CONTINUE;
    }

    /**
     * Hands over an unfragmented message, or a fragmented one when its last fragment arrives. On
     * {@link FrameSink#BACK_PRESSURED}, with {@code offeredAgain} (a controlled poll that aborts) the last fragment
     * is undone so that its repeat completes the message again; without it (a plain poll has consumed the fragment)
     * the message is over, and the caller counts it.
     */
    private int take(DirectBuffer buffer, int offset, int length, Header header, boolean offeredAgain) {
        final byte flags = header.flags();
        if ((flags & FrameDescriptor.BEGIN_FRAG_FLAG) != 0) {
            count(reassembler.interrupt(header));
        }
        if ((flags & FrameDescriptor.UNFRAGMENTED) == FrameDescriptor.UNFRAGMENTED) {
            if (length == 0) {
                count(DropReason.FEED_TRUNCATED); // no Ethernet frame: as an empty datagram or capture record
                return FrameSink.ACCEPTED;
            }
            return sink.onFrame(buffer, offset, length, pollNanos);
        }
        final int result = reassembler.onFragment(buffer, offset, length, header, flags);
        if (result == MessageReassembler.COMPLETE) {
            if (sink.onFrame(reassembler.buffer(), 0, reassembler.length(), pollNanos) == FrameSink.BACK_PRESSURED) {
                if (offeredAgain) {
                    reassembler.unaccept();
                }
                return FrameSink.BACK_PRESSURED;
            }
            multiFragmentMessages++;
        } else if (result == MessageReassembler.DROPPED) {
            count(reassembler.dropReason());
        }
        return FrameSink.ACCEPTED;
    }

    /** Counts one message dropped for {@code reason}; null: nothing to count. */
    private void count(DropReason reason) {
        if (reason == null) {
            return;
        }
        if (reason == DropReason.OVERSIZE) {
            oversizeMessages++;
        } else {
            truncatedMessages++;
        }
        sink.onDropped(reason, 1);
    }

    /**
     * Takes what the subscription's images still hold, up to one term length past each image's position (what a
     * publisher still writing adds beyond that stays), and counts each message as one feed_overrun drop: they go with
     * the feed, which no longer polls. An empty message, a message with fragments missing or one past
     * {@value MessageReassembler#MAX_MESSAGE} bytes keeps its own reason, as in a poll. One longer than a frame of the
     * sink's pool but not past that is a feed_overrun drop too: the sink does not tell the feed its frames' size, and
     * the close hands it no message. Closing thread, off the hot path; allocates the images' list.
     */
    private void countLeft(FrameSink to) {
        final LeftCounter counter = new LeftCounter(to);
        this.sink = counter;
        for (Image image : subscription.images()) {
            final long limit = image.position() + image.termBufferLength();
            // Until the position stops (the image is empty or closed) or reaches the limit. Not until a poll takes no
            // fragment: one that reads only a term's padding frame takes none, and the next term is still to read.
            for (long at = image.position(); at < limit; ) {
                image.boundedPoll(onLeftFragment, limit, DRAIN_FRAGMENTS);
                final long next = image.position();
                if (next == at) {
                    break;
                }
                at = next;
            }
        }
        this.sink = to;
        leftAtClose = counter.left;
        for (long rest = counter.left; rest > 0; rest -= Integer.MAX_VALUE) {
            to.onDropped(DropReason.FEED_OVERRUN, (int) Math.min(Integer.MAX_VALUE, rest));
        }
    }

    /** Takes every message a close drains without a frame of the pool, and hands every drop on to its target. */
    private static final class LeftCounter implements FrameSink {
        private final FrameSink target;
        private long left;

        LeftCounter(FrameSink target) {
            this.target = target;
        }

        @Override
        public int onFrame(DirectBuffer buffer, int offset, int length, long timestampNs) {
            left++;
            return ACCEPTED;
        }

        @Override
        public void onDropped(DropReason reason, int count) {
            target.onDropped(reason, count);
        }

        @Override
        public void onFeedError(Throwable error) {
            target.onFeedError(error);
        }
    }

    /**
     * Messages the subscription still held, unpolled, when the feed was closed, each counted as a feed_overrun drop by
     * {@link #close(FrameSink)}; 0 before the close, and for a feed that ended before it. Any thread.
     */
    public long leftAtClose() {
        return leftAtClose;
    }

    /** Fragments taken so far; read from the polling thread or after it stopped. */
    public long fragments() {
        return fragments;
    }

    /** Messages that arrived in several fragments and were reassembled and handed over. Poll thread. */
    public long multiFragmentMessages() {
        return multiFragmentMessages;
    }

    /**
     * Fragmented messages longer than {@value MessageReassembler#MAX_MESSAGE} bytes, counted as oversize drops
     * without being reassembled. Poll thread.
     */
    public long oversizeMessages() {
        return oversizeMessages;
    }

    /**
     * Messages counted as {@code feed_truncated} drops: empty ones, and fragmented ones with fragments missing or whose
     * image (publisher) went before their last fragment. Poll thread.
     */
    public long truncatedMessages() {
        return truncatedMessages;
    }

    /** Images (publisher sessions) that became available so far. Any thread. */
    public long imagesAvailable() {
        return images.joined();
    }

    /**
     * Images that went away (a publisher closed or timed out, or the client closed under the feed) so far; not those
     * that the feed's own {@link #close()} takes with its subscription. Any thread.
     */
    public long imagesUnavailable() {
        return departures.count();
    }

    /**
     * Bytes the subscription consumed: every image's position past its join position, Aeron's frame headers and
     * alignment included (a message of {@code n} bytes in one fragment is {@code n + 32} rounded up to 32), with what
     * the close drained as {@code feed_overrun}; an image gone counts to its last position. Read from Aeron's positions
     * when asked, nothing counted per message. On the poll thread, or on any thread once {@link #close()} has returned
     * (its subscription's close leaves every image's last position in the count, and no live image to read); not on
     * another thread while the feed is open: a live image's position lies in the client's mapped files, which a close
     * of the client may unmap under the read. Allocates nothing.
     */
    public long bytesConsumed() {
        return images.bytesConsumed();
    }

    /** Images with a fragmented message in progress. Poll thread. */
    int reassembling() {
        return reassembler.active();
    }

    /** Bytes held by the largest per-image reassembly buffer; bounded by the largest frame. Poll thread. */
    int reassemblyCapacity() {
        return reassembler.largestCapacity();
    }

    /**
     * Where the subscription listens, as {@code host:port}: for a channel whose {@code endpoint} has port 0, the
     * address and the port the media driver bound (it resolves a host name: {@code localhost:0} gives
     * {@code 127.0.0.1:PORT}), known once the constructor returns; for any other endpoint, the endpoint as given
     * (for multicast, the group); null for a channel without an endpoint (IPC, a subscription by {@code control}
     * address). A publisher reaches the feed at {@code aeron:udp?endpoint=} this. Any thread; allocates nothing.
     */
    public String resolvedEndpoint() {
        return endpoint.resolved();
    }

    /**
     * The channel a publisher on this host reaches the feed on, with {@link #settings()}'s stream id: the feed's
     * channel with the endpoint the media driver bound in place of one with port 0 (its other parameters kept, in
     * Aeron's order); for a spy, the channel it reads, without {@value Settings#SPY_PREFIX}, on which a publication of
     * the feed's media driver must send; the channel as given otherwise. Any thread; allocates nothing.
     */
    public String publicationChannel() {
        return endpoint.publicationChannel();
    }

    /** True once a publisher is connected. */
    public boolean isConnected() {
        return subscription.isConnected();
    }

    /** The settings. */
    public Settings settings() {
        return settings;
    }

    /**
     * {@code aeron:STREAM@CHANNEL}, the channel being {@link #publicationChannel()}: for an endpoint with port 0, the
     * port the driver bound; a spy's is its channel as given. Any thread.
     */
    @Override
    public String name() {
        return name;
    }

    /**
     * Takes what the subscription's images still hold (up to one term length past each image's position) and counts
     * each message as a {@code feed_overrun} drop ({@link #leftAtClose()}; an empty one, one with fragments missing
     * or one past {@value MessageReassembler#MAX_MESSAGE} bytes keeps its own reason, but one longer than a pool frame
     * within that is {@code feed_overrun} too: the sink does not tell the feed its frames' size), closes the
     * subscription and counts every message still unfinished (its last fragment had not arrived) as a
     * {@code feed_truncated} drop ({@code oversize} for one already past the largest frame), so that what a publisher
     * had started to send is not lost uncounted. Then hands {@code closingSink} the client's errors that no feed has
     * reported yet (those that came after the last poll of every feed on the client), as a poll does, so that
     * {@code feed_errors} counts them: each error is still reported once, by whichever feed polls or closes first.
     * Does not wait: an error the client reports after this (an answer of the driver to the subscription's removal,
     * which the client sends without waiting, or one of the client's own close) is counted only in
     * {@link AeronMedia#clientErrors()}. Off the hot path; allocates nothing unless there are errors.
     */
    @Override
    public void close(FrameSink closingSink) {
        if (state == OPEN) {
            countLeft(closingSink);
            countUnfinished(closingSink); // an ended feed counted them when it ended
        }
        close();
        // After the subscription's close: whatever the client conductor reported up to now is in the queue.
        reportErrors(closingSink);
    }

    /**
     * Why the feed ended although nothing closed it: its Aeron client closed under it, naming the media driver's
     * directory and the error that closed the client (a driver timeout, say); null while it runs, and when it was
     * closed before its client. Kept after the close, so that a run reads it once its ingresses have stopped. Any
     * thread.
     */
    @Override
    public String endReason() {
        return endReason;
    }

    /** Closes the subscription. Idempotent. */
    @Override
    public void close() {
        if (state != CLOSED) {
            state = CLOSED;
            subscription.close();
            if (callersClient && !aeron.isClosed()) {
                aeron.removeCloseHandler(closeHandlerId);
            }
        }
    }
}
