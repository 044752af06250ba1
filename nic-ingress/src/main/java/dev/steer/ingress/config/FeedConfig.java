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
import dev.steer.ingress.udp.HostLookup;
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
 *   udp { bind = "127.0.0.1:9100", receive-buffer = 4m }               # queue i listens on port + i (port 0: an
 *                                                                      # ephemeral port each, named by the bound port)
 *   pcap { file = "capture.pcap", pace = fast, speed = 1.0, loops = 1, max-gap = 1s }  # pace fast | capture; loops 0 = forever
 *   afpacket { interface = eth0, netns = "", block-size = 256k, block-count = 64, frame-size = 2048,
 *              retire-timeout = 10ms, fanout = hash }   # fanout hash | load-balance | cpu | none
 *   # afpacket.fanout-group = 0..65535 joins that PACKET_FANOUT group on purpose (shared with other processes);
 *   # without it the first queue gets a new group whose id the kernel chooses unused, and the other queues join it.
 *   # fanout defaults to hash for several queues or a given fanout-group, else none.
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

    private static final Set<String> AERON_KEYS = Set.of("channel", "stream-id", "directory");
    private static final Set<String> UDP_KEYS = Set.of("bind", "receive-buffer");
    /** The config file's key for each setting of {@link AfPacketSettings} whose name differs. */
    private static final Map<String, String> AFPACKET_CONFIG_KEYS = Map.of("iface", "interface", "blockSize",
        "block-size", "blockCount", "block-count", "frameSize", "frame-size", "retireTimeoutMs", "retire-timeout",
        "fanoutGroup", "fanout-group", "fanoutMode", "fanout");
    private static final Set<String> PCAP_KEYS = Set.of("file", "pace", "speed", "loops", "max-gap");
    private static final Set<String> AFPACKET_KEYS = Set.of("interface", "netns", "block-size", "block-count",
        "frame-size", "retire-timeout", "fanout", "fanout-group");
    private static final Set<String> KEYS = Set.of("type", "queues", "mode", "aeron", "udp", "pcap", "afpacket", "synthetic");
    private static final Map<String, Set<String>> TYPE_KEYS = Map.of("aeron", AERON_KEYS, "udp", UDP_KEYS,
        "pcap", PCAP_KEYS, "afpacket", AFPACKET_KEYS);

    /**
     * A validated feed block.
     *
     * @param type     feed type
     * @param queues   feed queues (ingress actors)
     * @param lossless true when a full ring back-pressures the feed instead of dropping
     * @param block    the whole block, for the type's own settings
     * @param aeron    the Aeron settings of queue 0 (queue i uses stream id + i), or null for other types
     * @param aeronDirectory an external driver's directory, or empty for the embedded driver
     * @param udp      the UDP settings of queue 0 (queue i listens on port + i; with port 0 each queue binds an
     *                 ephemeral port of its own), or null
     * @param pcap     the pcap settings (every queue replays the file), or null
     * @param afpacket the AF_PACKET settings (queues share the interface through a fanout group), or null
     * @param path     where the block was read ({@code feed}, {@code steer.feed}), to name its keys in the messages of
     *                 {@link #open(Plan)}
     */
    public record Plan(String type, int queues, boolean lossless, Config block, AeronFeed.Settings aeron,
                       String aeronDirectory, UdpSettings udp, PcapSettings pcap, AfPacketSettings afpacket,
                       String path) {
        /** A plan of a block read at {@code feed}. */
        public Plan(String type, int queues, boolean lossless, Config block, AeronFeed.Settings aeron,
                    String aeronDirectory, UdpSettings udp, PcapSettings pcap, AfPacketSettings afpacket) {
            this(type, queues, lossless, block, aeron, aeronDirectory, udp, pcap, afpacket, "feed");
        }

        /** True for the Aeron feed. */
        public boolean isAeron() {
            return "aeron".equals(type);
        }
    }

    /**
     * Feeds opened from a plan, with what must be closed after the engine has stopped (an embedded media
     * driver, say). An engine's ingress actors close the feeds they poll; {@link #close()} closes them too (a feed's
     * second close does nothing), so that feeds no engine took, after a {@code start()} that failed, say, do not keep
     * their sockets.
     *
     * @param feeds     one per queue
     * @param resources closed, in reverse order, by {@link #close()}
     * @param media     the Aeron client and driver for Aeron feeds, else null
     */
    public record Opened(List<Feed> feeds, List<AutoCloseable> resources, AeronMedia media) implements AutoCloseable {
        /**
         * What the user should hear before the run starts about the opened feeds, one line each, without repeats: an
         * AF_PACKET interface that is down or has no carrier ({@link AfPacketFeed#linkWarning()}; the feed is open and
         * receives once the link is up). Empty when there is nothing to say. Off the hot path: one ioctl per AF_PACKET
         * queue; call before the feeds are polled or after, not while they close.
         */
        public List<String> warnings() {
            return warnings(0, 0);
        }

        /**
         * {@link #warnings()}, and an AF_PACKET interface whose MTU lets in frames larger than a pool frame of
         * {@code poolFrameSize} bytes with {@code headroom} holds ({@link AfPacketFeed#mtuWarning}: such frames are
         * oversize drops); {@code poolFrameSize} 0 leaves that out. Off the hot path: a few ioctls per AF_PACKET queue.
         */
        public List<String> warnings(int poolFrameSize, int headroom) {
            final java.util.LinkedHashSet<String> lines = new java.util.LinkedHashSet<>();
            for (Feed feed : feeds) {
                if (feed instanceof AfPacketFeed afpacket) {
                    final String warning = afpacket.linkWarning();
                    if (warning != null) {
                        lines.add(warning);
                    }
                    final String mtu = poolFrameSize == 0 ? null : afpacket.mtuWarning(poolFrameSize, headroom);
                    if (mtu != null) {
                        lines.add(mtu);
                    }
                }
            }
            return List.copyOf(lines);
        }

        /**
         * Closes the feeds, then the resources, last opened first. Call it once the engine has stopped (or did not
         * start): a feed must not be closed while an ingress polls it. Idempotent.
         */
        @Override
        public void close() {
            RuntimeException failure = null;
            for (Feed feed : feeds) {
                try {
                    feed.close();
                } catch (RuntimeException ex) {
                    if (failure == null) {
                        failure = new IllegalStateException("closing feed " + feed.name() + ": " + ex.getMessage(), ex);
                    }
                }
            }
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
     * Validates a feed block (over {@link #defaults()}); problems are added to {@code check}, each naming the key
     * by its full path ({@code feed.udp.bind}).
     *
     * @return the plan, or null when the block has errors
     */
    public static Plan plan(Config feed, ConfigCheck check) {
        return plan(feed.atPath("feed"), "feed", check);
    }

    /**
     * Validates the feed block at {@code path} of {@code root} (over {@link #defaults()}); problems are added to
     * {@code check}, each naming the key by its full path ({@code steer.feed.udp.bind} for the path
     * {@code steer.feed}) and the file and line it was written at (a missing key: its block's).
     *
     * @return the plan, or null when the block has errors
     */
    public static Plan plan(Config root, String path, ConfigCheck check) {
        final Config given = root.hasPath(path) ? root : root.withFallback(ConfigFactory.empty().atPath(path));
        final Config block = given.withFallback(defaults().atPath(path));
        if (given.hasPath(path)) {
            check.unknownKeys(given.getObject(path), path, KEYS);
        }
        final String type = check.oneOf(block, path + ".type", "aeron", TYPES);
        // A file may keep blocks of types it does not use now (switched with type or --feed); their keys are checked
        // all the same, so that a typo shows before the day the type is switched. The type's own block is below.
        for (Map.Entry<String, Set<String>> other : TYPE_KEYS.entrySet()) {
            if (!other.getKey().equals(type)) {
                section(block, given, path, other.getKey(), other.getValue(), check);
            }
        }
        if (given.hasPath(path + ".synthetic")
            && given.getValue(path + ".synthetic").valueType() == com.typesafe.config.ConfigValueType.OBJECT) {
            check.noKeys(given.getObject(path + ".synthetic"), path + ".synthetic", "the synthetic feed has no settings"
                + " of its own: its traffic is set in the file's traffic block or with the traffic options");
        }
        final int queues = check.intIn(block, path + ".queues", 1, 1, MAX_QUEUES);
        final boolean lossless = "lossless".equals(check.oneOf(block, path + ".mode", "drop",
            List.of("drop", "lossless")));
        AeronFeed.Settings aeron = null;
        String directory = "";
        if ("aeron".equals(type)) {
            final String at = section(block, given, path, "aeron", AERON_KEYS, check);
            final String channel = check.string(block, at + ".channel", AeronFeed.Settings.DEFAULT_CHANNEL);
            final int stream = check.intIn(block, at + ".stream-id", AeronFeed.Settings.DEFAULT_STREAM_ID,
                Integer.MIN_VALUE, Integer.MAX_VALUE - MAX_QUEUES);
            directory = check.string(block, at + ".directory", "");
            try {
                aeron = new AeronFeed.Settings(channel, stream, lossless ? AeronFeed.Mode.LOSSLESS : AeronFeed.Mode.DROP);
                if (aeron.spy() && directory.isEmpty()) {
                    // An embedded driver's publications are this process' only: a spy there would read nothing.
                    check.error(block, at + ".channel", "'" + channel + "': a spy reads publications of its own media"
                        + " driver, and nothing else publishes through the embedded one: give the directory of the"
                        + " driver the application publishes through (" + at + ".directory, --aeron-dir)");
                }
            } catch (IllegalArgumentException ex) {
                check.error(block, at + ".channel", ex.getMessage());
            }
        }
        UdpSettings udp = null;
        PcapSettings pcap = null;
        AfPacketSettings afpacket = null;
        if ("udp".equals(type)) {
            udp = udp(block, given, section(block, given, path, "udp", UDP_KEYS, check), queues, check);
        } else if ("pcap".equals(type)) {
            pcap = pcap(block, given, section(block, given, path, "pcap", PCAP_KEYS, check), check);
        } else if ("afpacket".equals(type)) {
            afpacket = afpacket(block, given, section(block, given, path, "afpacket", AFPACKET_KEYS, check), queues,
                check);
        }
        return check.ok() ? new Plan(type, queues, lossless, block.getConfig(path), aeron, directory, udp, pcap, afpacket,
            path) : null;
    }

    /** Reports the unknown keys of the section {@code name} when given; returns its path. */
    private static String section(Config block, Config given, String path, String name, Set<String> keys,
                                  ConfigCheck check) {
        final String at = path + "." + name;
        if (given.hasPath(at)) {
            if (given.getValue(at).valueType() != com.typesafe.config.ConfigValueType.OBJECT) {
                check.error(given, at, "must be a block { ... } of " + String.join(", ", keys.stream().sorted().toList()));
            } else {
                check.unknownKeys(given.getObject(at), at, keys);
            }
        }
        return at;
    }

    private static UdpSettings udp(Config block, Config given, String at, int queues, ConfigCheck check) {
        final String bind = check.string(block, at + ".bind", null);
        final String bufferRange = "0 (the system's default) or " + UdpSettings.MIN_RECEIVE_BUFFER_BYTES + ".."
            + UdpSettings.MAX_RECEIVE_BUFFER_BYTES;
        final long buffer = check.bytesIn(block, at + ".receive-buffer", UdpSettings.DEFAULT_RECEIVE_BUFFER_BYTES,
            0, UdpSettings.MAX_RECEIVE_BUFFER_BYTES, bufferRange);
        final boolean bufferOk = buffer == 0 || buffer >= UdpSettings.MIN_RECEIVE_BUFFER_BYTES;
        if (!bufferOk) {
            check.error(block, at + ".receive-buffer", buffer + " bytes is out of range: must be " + bufferRange);
        }
        if (bind == null) {
            check.missing(given, at, "bind", "the udp feed needs an address HOST:PORT to listen on (--listen)");
            return null;
        }
        final int colon = bind.lastIndexOf(':');
        final UdpSettings settings;
        try {
            final int port = Integer.parseInt(bind.substring(colon + 1));
            if (colon <= 0 || port < 0 || port + queues - 1 > 65_535) {
                throw new NumberFormatException();
            }
            settings = new UdpSettings(bind.substring(0, colon), port,
                bufferOk ? (int) buffer : UdpSettings.DEFAULT_RECEIVE_BUFFER_BYTES, "udp:" + bind);
        } catch (RuntimeException ex) {
            check.error(block, at + ".bind", "'" + bind + "' must be HOST:PORT with a port 0.." + (65_536 - queues)
                + (ex.getMessage() != null && !(ex instanceof NumberFormatException) ? " (" + ex.getMessage() + ")" : ""));
            return null;
        }
        // The host is not looked up here: a lookup is unbounded (the system resolver), and an option may replace the
        // host. It resolves when the feed opens, where a host that does not names this key, file and line (openUdp).
        return bufferOk ? settings : null;
    }

    /**
     * Opens queue {@code queue} of a udp plan; a host that does not resolve here or a bind this machine refuses (the
     * address is not one of its own, the port is taken) names the key, file and line of the address ({@link
     * #bindFailure}). The host is looked up here, not when the plan is made: an option may replace it, and a lookup
     * waits on the system resolver for up to {@link HostLookup#LIMIT}.
     */
    private static UdpFeed openUdp(Plan plan, int queue) {
        final UdpSettings base = plan.udp();
        // Port 0: every queue binds an ephemeral port of its own, named by the port it bound.
        final int port = base.port() == 0 ? 0 : base.port() + queue;
        try {
            return new UdpFeed(base.withBind(base.bindAddress(), port), bound -> "udp:" + base.bindAddress() + ":" + bound);
        } catch (IllegalStateException ex) {
            throw new IllegalStateException(bindFailure(plan, queue, ex), ex);
        }
    }

    /**
     * The message of queue {@code queue} of a udp plan failing to open with {@code ex} ({@link UdpFeed}'s refusal):
     * the file, line and key of the address, the address as written, what went wrong and what is allowed.
     */
    static String bindFailure(Plan plan, int queue, IllegalStateException ex) {
        final UdpSettings base = plan.udp();
        final int port = base.port() == 0 ? 0 : base.port() + queue;
        final String tried = base.bindAddress() + ":" + port;
        final boolean written = plan.block() != null && plan.block().hasPath("udp.bind");
        final String where = written ? ConfigCheck.where(plan.block().getValue("udp.bind")) : "";
        final String value = written ? plan.block().getString("udp.bind") : base.bindAddress() + ":" + base.port();
        final String key = where + plan.path() + ".udp.bind: '" + value + "': ";
        if (ex.getCause() instanceof HostLookup.TimedOut timedOut) {
            return key + "the host " + base.bindAddress() + " " + timedOut.getMessage();
        }
        if (ex.getCause() instanceof java.net.UnknownHostException) {
            return key + "the host " + base.bindAddress() + " does not resolve: must be HOST:PORT with a host name or"
                + " address of this machine, e.g. 127.0.0.1:9000 or 0.0.0.0:9000";
        }
        return key + (plan.queues() > 1 ? "queue " + queue + " cannot bind " + tried : "cannot bind") + " ("
            + UdpFeed.reason(ex.getCause() instanceof Exception cause ? cause : ex)
            + "): must be an address of this machine and a free port";
    }

    private static PcapSettings pcap(Config block, Config given, String at, ConfigCheck check) {
        final String file = check.string(block, at + ".file", null);
        final String pace = check.oneOf(block, at + ".pace", "fast", List.of("fast", "capture"));
        final double speed = check.doubleIn(block, at + ".speed", PcapSettings.DEFAULT_SPEED, 1e-6, 1e6);
        final int loops = check.intIn(block, at + ".loops", (int) PcapSettings.DEFAULT_LOOPS, 0, Integer.MAX_VALUE);
        final long maxGapNs = check.nanosIn(block, at + ".max-gap", PcapSettings.DEFAULT_MAX_GAP.toNanos(), 1_000_000L,
            PcapSettings.MAX_MAX_GAP.toNanos());
        if (file == null) {
            check.missing(given, at, "file", "the pcap feed needs a capture file (--pcap FILE)");
            return null;
        }
        final java.nio.file.Path path = check.path(block, at + ".file", file, java.nio.file.Path::of,
            "a pcap or pcapng file");
        if (path == null) {
            return null;
        }
        if (!java.nio.file.Files.isRegularFile(path)) {
            // Say what the path is: "no such file" for a directory sent users looking for a typo.
            check.error(block, at + ".file", "'" + file + "': " + (!java.nio.file.Files.exists(path) ? "no such file"
                : java.nio.file.Files.isDirectory(path) ? "is a directory, must be a pcap or pcapng file"
                : "is not a regular file (a pipe or a device), must be a pcap or pcapng file"));
            return null;
        }
        try {
            return PcapSettings.of(path)
                .withPace("capture".equals(pace) ? PcapSettings.Pace.CAPTURE : PcapSettings.Pace.FAST, speed)
                .withLoops(loops).withMaxGap(java.time.Duration.ofNanos(maxGapNs));
        } catch (IllegalArgumentException ex) {
            check.error(block, at + ".file", ex.getMessage());
            return null;
        }
    }

    private static AfPacketSettings afpacket(Config block, Config given, String at, int queues, ConfigCheck check) {
        final String iface = check.string(block, at + ".interface", null);
        if (iface == null) {
            check.missing(given, at, "interface", "the afpacket feed needs a network interface (--interface IF)");
            return null;
        }
        final String netns = check.string(block, at + ".netns", "");
        final long blockSize = check.bytesIn(block, at + ".block-size", AfPacketSettings.DEFAULT_BLOCK_SIZE, 4096,
            AfPacketSettings.MAX_BLOCK_SIZE);
        final int blockCount = check.intIn(block, at + ".block-count", AfPacketSettings.DEFAULT_BLOCK_COUNT,
            AfPacketSettings.MIN_BLOCK_COUNT, 1 << 20);
        final long frameSize = check.bytesIn(block, at + ".frame-size", AfPacketSettings.DEFAULT_FRAME_SIZE,
            AfPacketSettings.MIN_FRAME_SIZE, 1 << 20);
        final long retire = check.nanosIn(block, at + ".retire-timeout",
            AfPacketSettings.DEFAULT_RETIRE_TIMEOUT_MS * 1_000_000L, 1_000_000L,
            AfPacketSettings.MAX_RETIRE_TIMEOUT_MS * 1_000_000L);
        // A group id given means a group to join, even for one queue (sharing the interface with another process).
        final boolean groupGiven = block.hasPath(at + ".fanout-group");
        final String fanout = check.oneOf(block, at + ".fanout", queues > 1 || groupGiven ? "hash" : "none",
            List.of("hash", "load-balance", "cpu", "none"));
        // No id given: a group of this feed's own, its id chosen unused by the kernel when the first queue opens (a
        // fixed default, such as the pid's low 16 bits, would merge two processes' queues into one group).
        final int group = check.intIn(block, at + ".fanout-group", AfPacketSettings.UNIQUE_FANOUT_GROUP, 0, 0xFFFF);
        if (queues > 1 && "none".equals(fanout)) {
            check.error(block, at + ".fanout", "none with queues=" + queues
                + ": several queues on one interface need a fanout group");
        }
        if (groupGiven && "none".equals(fanout) && queues == 1) {
            check.error(block, at + ".fanout-group", block.getValue(at + ".fanout-group").unwrapped() + " has no effect with fanout = none: remove it, or set fanout"
                + " to hash, load-balance or cpu to join the group");
        }
        // The settings' own rules (the interface name, the ring's shape) are checked whatever else is wrong, so that every
        // problem is reported at once; a value refused above stands at its default here and adds no second problem.
        AfPacketSettings settings = AfPacketSettings.of(iface).withNetns(netns).withRing((int) blockSize, blockCount)
            .withFrameSize((int) frameSize).withRetireTimeoutMs((int) (retire / 1_000_000L));
        if (!"none".equals(fanout)) {
            settings = settings.withFanout(group, switch (fanout) {
                case "load-balance" -> AfPacketSettings.FanoutMode.LOAD_BALANCE;
                case "cpu" -> AfPacketSettings.FanoutMode.CPU;
                default -> AfPacketSettings.FanoutMode.HASH;
            });
        }
        final List<AfPacketSettings.Problem> problems = settings.problems();
        for (AfPacketSettings.Problem problem : problems) {
            final String key = at + "." + AFPACKET_CONFIG_KEYS.getOrDefault(problem.setting(), problem.setting());
            String text = problem.value() + ": " + problem.allowed();
            for (Map.Entry<String, String> name : AFPACKET_CONFIG_KEYS.entrySet()) {
                text = text.replace(name.getKey(), name.getValue()); // "to blockSize (...)" as the file spells it
            }
            check.error(block, block.hasPath(key) ? key : at + ".interface", text);
        }
        return problems.isEmpty() && check.ok() ? settings : null;
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
                        feeds.add(new AeronFeed(media,
                            new AeronFeed.Settings(base.channel(), base.streamId() + i, base.mode())));
                    }
                }
                case "udp" -> {
                    for (int i = 0; i < plan.queues(); i++) {
                        feeds.add(openUdp(plan, i));
                    }
                }
                case "pcap" -> {
                    for (int i = 0; i < plan.queues(); i++) {
                        feeds.add(new PcapFeed(plan.queues() == 1 ? plan.pcap() : plan.pcap().withName(plan.pcap().name() + "#" + i)));
                    }
                }
                case "afpacket" -> {
                    feeds.addAll(AfPacketFeed.openQueues("afpacket:" + plan.afpacket().iface(), plan.afpacket(),
                        plan.queues()));
                }
                default -> throw new IllegalStateException("feed type '" + plan.type() + "' is opened by its generator, not here");
            }
        } catch (RuntimeException ex) {
            new Opened(feeds, resources, media).close();
            throw ex;
        }
        return new Opened(List.copyOf(feeds), List.copyOf(resources), media);
    }
}
