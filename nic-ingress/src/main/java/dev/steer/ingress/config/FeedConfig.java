package dev.steer.ingress.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;

import dev.steer.engine.path.Feed;
import dev.steer.ingress.aeron.AeronFeed;
import dev.steer.ingress.aeron.AeronMedia;

/**
 * Chooses and opens feeds from a {@code feed { }} HOCON block, so the same engine runs on any of them:
 *
 * <pre>
 * feed {
 *   type = aeron          # aeron | udp | pcap | afpacket | synthetic
 *   queues = 1            # feed queues, one ingress actor each
 *   mode = drop           # drop | lossless: what a full target ring does (lossless back-pressures the feed)
 *   aeron { channel = "aeron:ipc", stream-id = 1001, directory = "" }   # "" = embedded media driver
 * }
 * </pre>
 *
 * A {@code synthetic} feed is made by whoever generates the traffic (the loadgen module), so it is
 * validated here but opened there. Every problem of the block is reported at once, naming file, line, key,
 * value and what is allowed.
 *
 * <p>Thread contract: one thread; opening makes sockets, subscriptions and drivers, off the hot path.
 */
public final class FeedConfig {
    /** The feed types. */
    public static final List<String> TYPES = List.of("aeron", "udp", "pcap", "afpacket", "synthetic");
    /** Largest number of feed queues. */
    public static final int MAX_QUEUES = 64;

    private static final Set<String> KEYS = Set.of("type", "queues", "mode", "aeron", "udp", "pcap", "afpacket", "synthetic");
    private static final Set<String> AERON_KEYS = Set.of("channel", "stream-id", "directory");

    /**
     * A validated feed block.
     *
     * @param type     feed type
     * @param queues   feed queues (ingress actors)
     * @param lossless true when a full ring back-pressures the feed instead of dropping
     * @param block    the whole block, for the type's own settings
     * @param aeron    the Aeron settings of queue 0 (queue i uses stream id + i), or null for other types
     * @param aeronDirectory an external driver's directory, or empty for the embedded driver
     */
    public record Plan(String type, int queues, boolean lossless, Config block, AeronFeed.Settings aeron,
                       String aeronDirectory) {
        /** True for the Aeron feed. */
        public boolean isAeron() {
            return "aeron".equals(type);
        }
    }

    /**
     * Feeds opened from a plan, with what must be closed after the engine has stopped (an embedded media
     * driver, say). The feeds themselves are closed by their ingress actors.
     *
     * @param feeds     one per queue
     * @param resources closed, in reverse order, by {@link #close()}
     * @param media     the Aeron client and driver for Aeron feeds, else null
     */
    public record Opened(List<Feed> feeds, List<AutoCloseable> resources, AeronMedia media) implements AutoCloseable {
        /** Closes the resources, last opened first. */
        @Override
        public void close() {
            RuntimeException failure = null;
            for (int i = resources.size() - 1; i >= 0; i--) {
                try {
                    resources.get(i).close();
                } catch (Exception ex) {
                    if (failure == null) {
                        failure = new IllegalStateException("closing feed resources: " + ex.getMessage(), ex);
                    }
                }
            }
            if (failure != null) {
                throw failure;
            }
        }
    }

    private FeedConfig() {
    }

    /** The defaults: Aeron IPC through an embedded driver, one queue, drop mode. */
    public static Config defaults() {
        return ConfigFactory.parseString("type = aeron\nqueues = 1\nmode = drop\naeron { channel = \"aeron:ipc\"\n"
            + "stream-id = " + AeronFeed.Settings.DEFAULT_STREAM_ID + "\ndirectory = \"\" }", 
            com.typesafe.config.ConfigParseOptions.defaults().setOriginDescription("feed defaults"));
    }

    /**
     * Validates a feed block (over {@link #defaults()}); problems are added to {@code check}.
     *
     * @return the plan, or null when the block has errors
     */
    public static Plan plan(Config feed, ConfigCheck check) {
        final Config block = feed.withFallback(defaults());
        check.unknownKeys(feed, "feed", KEYS);
        final String type = check.oneOf(block, "type", "aeron", TYPES);
        final int queues = check.intIn(block, "queues", 1, 1, MAX_QUEUES);
        final boolean lossless = "lossless".equals(check.oneOf(block, "mode", "drop", List.of("drop", "lossless")));
        AeronFeed.Settings aeron = null;
        String directory = "";
        if ("aeron".equals(type)) {
            final Config settings = block.getConfig("aeron");
            if (feed.hasPath("aeron")) {
                check.unknownKeys(feed.getConfig("aeron"), "feed.aeron", AERON_KEYS);
            }
            final String channel = check.string(settings, "channel", AeronFeed.Settings.DEFAULT_CHANNEL);
            final int stream = check.intIn(settings, "stream-id", AeronFeed.Settings.DEFAULT_STREAM_ID,
                Integer.MIN_VALUE, Integer.MAX_VALUE - MAX_QUEUES);
            directory = check.string(settings, "directory", "");
            try {
                aeron = new AeronFeed.Settings(channel, stream, lossless ? AeronFeed.Mode.LOSSLESS : AeronFeed.Mode.DROP);
            } catch (IllegalArgumentException ex) {
                check.error(settings, "channel", ex.getMessage());
            }
        }
        return check.ok() ? new Plan(type, queues, lossless, block, aeron, directory) : null;
    }

    /**
     * Opens the feeds of a plan (not {@code synthetic}, which its generator opens).
     *
     * @throws IllegalStateException when a feed cannot be opened (no driver, a taken port, no permission),
     *                               with everything opened so far closed again
     */
    public static Opened open(Plan plan) {
        final List<Feed> feeds = new ArrayList<>();
        final List<AutoCloseable> resources = new ArrayList<>();
        AeronMedia media = null;
        try {
            switch (plan.type()) {
                case "aeron" -> {
                    media = plan.aeronDirectory().isEmpty() ? AeronMedia.embedded() : AeronMedia.external(plan.aeronDirectory());
                    resources.add(media);
                    for (int i = 0; i < plan.queues(); i++) {
                        final AeronFeed.Settings base = plan.aeron();
                        feeds.add(new AeronFeed(media.aeron(),
                            new AeronFeed.Settings(base.channel(), base.streamId() + i, base.mode())));
                    }
                }
                default -> throw new IllegalStateException("feed type '" + plan.type() + "' is opened by its generator, not here");
            }
        } catch (RuntimeException ex) {
            feeds.forEach(Feed::close);
            new Opened(feeds, resources, media).close();
            throw ex;
        }
        return new Opened(List.copyOf(feeds), List.copyOf(resources), media);
    }
}
