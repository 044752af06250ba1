package dev.steer.ingress.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;

import dev.steer.engine.path.Feed;
import dev.steer.ingress.afpacket.AfPacketFeed;
import dev.steer.ingress.afpacket.AfPacketSettings;
import dev.steer.ingress.pcap.PcapFeed;
import dev.steer.ingress.pcap.PcapSettings;
import dev.steer.ingress.udp.UdpFeed;
import dev.steer.ingress.udp.UdpSettings;
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
 *   udp { bind = "127.0.0.1:9100", receive-buffer = 4m }               # queue i listens on port + i
 *   pcap { file = "capture.pcap", pace = fast, speed = 1.0, loops = 1 }  # pace fast | capture; loops 0 = forever
 *   afpacket { interface = eth0, netns = "", block-size = 256k, block-count = 64, frame-size = 2048,
 *              retire-timeout = 10ms, fanout = hash, fanout-group = 0 }   # fanout hash | load-balance | cpu | none
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

    /** Keys of the feed block itself (not of a section). */
    public static final Set<String> TOP_KEYS = Set.of("type", "queues", "mode");
    private static final Set<String> AERON_KEYS = Set.of("channel", "stream-id", "directory");
    private static final Set<String> UDP_KEYS = Set.of("bind", "receive-buffer");
    private static final Set<String> PCAP_KEYS = Set.of("file", "pace", "speed", "loops");
    private static final Set<String> AFPACKET_KEYS = Set.of("interface", "netns", "block-size", "block-count",
        "frame-size", "retire-timeout", "fanout", "fanout-group");
    /** Keys of each feed type's section ({@code aeron { }}, {@code udp { }}, ...). */
    public static final Map<String, Set<String>> SECTION_KEYS = Map.of("aeron", AERON_KEYS, "udp", UDP_KEYS,
        "pcap", PCAP_KEYS, "afpacket", AFPACKET_KEYS);
    private static final Set<String> KEYS = Set.of("type", "queues", "mode", "aeron", "udp", "pcap", "afpacket", "synthetic");

    /**
     * A validated feed block.
     *
     * @param type     feed type
     * @param queues   feed queues (ingress actors)
     * @param lossless true when a full ring back-pressures the feed instead of dropping
     * @param block    the whole block, for the type's own settings
     * @param aeron    the Aeron settings of queue 0 (queue i uses stream id + i), or null for other types
     * @param aeronDirectory an external driver's directory, or empty for the embedded driver
     * @param udp      the UDP settings of queue 0 (queue i listens on port + i), or null
     * @param pcap     the pcap settings (every queue replays the file), or null
     * @param afpacket the AF_PACKET settings (queues share the interface through a fanout group), or null
     */
    public record Plan(String type, int queues, boolean lossless, Config block, AeronFeed.Settings aeron,
                       String aeronDirectory, UdpSettings udp, PcapSettings pcap, AfPacketSettings afpacket) {
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
        UdpSettings udp = null;
        PcapSettings pcap = null;
        AfPacketSettings afpacket = null;
        if ("udp".equals(type)) {
            udp = udp(block, feed, queues, check);
        } else if ("pcap".equals(type)) {
            pcap = pcap(block, feed, check);
        } else if ("afpacket".equals(type)) {
            afpacket = afpacket(block, feed, queues, check);
        }
        return check.ok() ? new Plan(type, queues, lossless, block, aeron, directory, udp, pcap, afpacket) : null;
    }

    private static Config section(Config block, Config given, String name, Set<String> keys, ConfigCheck check) {
        if (given.hasPath(name)) {
            check.unknownKeys(given.getConfig(name), "feed." + name, keys);
        }
        return block.hasPath(name) ? block.getConfig(name) : ConfigFactory.empty();
    }

    private static UdpSettings udp(Config block, Config given, int queues, ConfigCheck check) {
        final Config udp = section(block, given, "udp", UDP_KEYS, check);
        final String bind = check.string(udp, "bind", null);
        final long buffer = check.bytesIn(udp, "receive-buffer", UdpSettings.DEFAULT_RECEIVE_BUFFER_BYTES,
            UdpSettings.MIN_RECEIVE_BUFFER_BYTES, Integer.MAX_VALUE);
        if (bind == null) {
            check.error("feed.udp.bind: missing: the udp feed needs an address HOST:PORT to listen on (--listen)");
            return null;
        }
        final int colon = bind.lastIndexOf(':');
        try {
            final int port = Integer.parseInt(bind.substring(colon + 1));
            if (colon <= 0 || port < 0 || port + queues - 1 > 65_535) {
                throw new NumberFormatException();
            }
            return new UdpSettings(bind.substring(0, colon), port, (int) buffer, "udp:" + bind);
        } catch (RuntimeException ex) {
            check.error(udp, "bind", "'" + bind + "' must be HOST:PORT with a port 0.." + (65_536 - queues)
                + (ex.getMessage() != null && !(ex instanceof NumberFormatException) ? " (" + ex.getMessage() + ")" : ""));
            return null;
        }
    }

    private static PcapSettings pcap(Config block, Config given, ConfigCheck check) {
        final Config pcap = section(block, given, "pcap", PCAP_KEYS, check);
        final String file = check.string(pcap, "file", null);
        final String pace = check.oneOf(pcap, "pace", "fast", List.of("fast", "capture"));
        final double speed = check.doubleIn(pcap, "speed", PcapSettings.DEFAULT_SPEED, 1e-6, 1e6);
        final int loops = check.intIn(pcap, "loops", (int) PcapSettings.DEFAULT_LOOPS, 0, Integer.MAX_VALUE);
        if (file == null) {
            check.error("feed.pcap.file: missing: the pcap feed needs a capture file (--pcap FILE)");
            return null;
        }
        if (!java.nio.file.Files.isRegularFile(java.nio.file.Path.of(file))) {
            check.error(pcap, "file", "'" + file + "': no such file");
            return null;
        }
        try {
            return PcapSettings.of(java.nio.file.Path.of(file))
                .withPace("capture".equals(pace) ? PcapSettings.Pace.CAPTURE : PcapSettings.Pace.FAST, speed)
                .withLoops(loops);
        } catch (IllegalArgumentException ex) {
            check.error(pcap, "file", ex.getMessage());
            return null;
        }
    }

    private static AfPacketSettings afpacket(Config block, Config given, int queues, ConfigCheck check) {
        final Config af = section(block, given, "afpacket", AFPACKET_KEYS, check);
        final String iface = check.string(af, "interface", null);
        if (iface == null) {
            check.error("feed.afpacket.interface: missing: the afpacket feed needs a network interface (--interface IF)");
            return null;
        }
        final String netns = check.string(af, "netns", "");
        final long blockSize = check.bytesIn(af, "block-size", AfPacketSettings.DEFAULT_BLOCK_SIZE, 4096, AfPacketSettings.MAX_BLOCK_SIZE);
        final int blockCount = check.intIn(af, "block-count", AfPacketSettings.DEFAULT_BLOCK_COUNT, AfPacketSettings.MIN_BLOCK_COUNT, 1 << 20);
        final long frameSize = check.bytesIn(af, "frame-size", AfPacketSettings.DEFAULT_FRAME_SIZE, AfPacketSettings.MIN_FRAME_SIZE, 1 << 20);
        final long retire = check.nanosIn(af, "retire-timeout", AfPacketSettings.DEFAULT_RETIRE_TIMEOUT_MS * 1_000_000L,
            1_000_000L, AfPacketSettings.MAX_RETIRE_TIMEOUT_MS * 1_000_000L);
        final String fanout = check.oneOf(af, "fanout", queues > 1 ? "hash" : "none",
            List.of("hash", "load-balance", "cpu", "none"));
        final int group = check.intIn(af, "fanout-group", (int) (ProcessHandle.current().pid() & 0xFFFF), 0, 0xFFFF);
        if (queues > 1 && "none".equals(fanout)) {
            check.error(af, "fanout", "none with feed.queues=" + queues + ": several queues on one interface need a fanout group");
        }
        if (!check.ok()) {
            return null;
        }
        AfPacketSettings settings = AfPacketSettings.of(iface).withNetns(netns).withRing((int) blockSize, blockCount)
            .withFrameSize((int) frameSize).withRetireTimeoutMs((int) (retire / 1_000_000L));
        if (!"none".equals(fanout)) {
            settings = settings.withFanout(group, switch (fanout) {
                case "load-balance" -> AfPacketSettings.FanoutMode.LOAD_BALANCE;
                case "cpu" -> AfPacketSettings.FanoutMode.CPU;
                default -> AfPacketSettings.FanoutMode.HASH;
            });
        }
        try {
            return settings.validate();
        } catch (IllegalArgumentException ex) {
            check.error(af, "interface", ex.getMessage());
            return null;
        }
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
                case "udp" -> {
                    for (int i = 0; i < plan.queues(); i++) {
                        final UdpSettings base = plan.udp();
                        final int port = base.port() == 0 ? 0 : base.port() + i;
                        feeds.add(new UdpFeed(new UdpSettings(base.bindAddress(), port, base.receiveBufferBytes(),
                            "udp:" + base.bindAddress() + ":" + port)));
                    }
                }
                case "pcap" -> {
                    for (int i = 0; i < plan.queues(); i++) {
                        feeds.add(new PcapFeed(plan.queues() == 1 ? plan.pcap() : plan.pcap().withName(plan.pcap().name() + "#" + i)));
                    }
                }
                case "afpacket" -> {
                    for (int i = 0; i < plan.queues(); i++) {
                        feeds.add(AfPacketFeed.open("afpacket:" + plan.afpacket().iface() + "#" + i, plan.afpacket()));
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
