package dev.steer.ingress.afpacket;

import java.util.ArrayList;
import java.util.List;

/**
 * Settings of one {@link AfPacketFeed}: the interface, the network namespace it lives in, the TPACKET_V3
 * receive ring and the optional fanout group. Immutable; {@link #validate()} checks every field at once
 * and names each bad one with its value and what is allowed, so a bad config fails before any socket exists.
 *
 * @param iface           interface to bind to, e.g. {@code eth0}; 1 to 15 characters
 * @param netns           name of the network namespace ({@code ip netns} name) the interface is in; empty
 *                        for the caller's own namespace
 * @param blockSize       bytes per ring block: a power of two, a multiple of the page size, at most
 *                        {@value #MAX_BLOCK_SIZE}
 * @param blockCount      blocks in the ring, at least {@value #MIN_BLOCK_COUNT}; blockSize x blockCount at
 *                        most {@value #MAX_RING_BYTES}
 * @param frameSize       the ring's nominal frame slot ({@code tp_frame_size}): a multiple of 16, at least
 *                        {@value #MIN_FRAME_SIZE}, at most blockSize. TPACKET_V3 packs packets of any size
 *                        into a block, so this only sets {@code tp_frame_nr}
 * @param retireTimeoutMs how long the kernel keeps a partly filled block before handing it over
 *                        ({@code tp_retire_blk_tov}), 1 to {@value #MAX_RETIRE_TIMEOUT_MS} ms: the worst-case
 *                        added latency at low rates
 * @param fanoutGroup     {@link #NO_FANOUT}; {@link #UNIQUE_FANOUT_GROUP}, a new group whose id the kernel picks
 *                        unused; or the {@code PACKET_FANOUT} group id 0 to 65535 this feed joins (or creates)
 * @param fanoutMode      how the kernel spreads packets over the group's members
 * @param statsInterval   the kernel drop counter is read at least every this many polls (and on the first
 *                        idle poll after work), 1 to {@value #MAX_STATS_INTERVAL}
 */
public record AfPacketSettings(String iface, String netns, int blockSize, int blockCount, int frameSize,
                               int retireTimeoutMs, int fanoutGroup, FanoutMode fanoutMode, int statsInterval) {
    /** Default block size: 256 KiB, room for about 2,000 small packets per block. */
    public static final int DEFAULT_BLOCK_SIZE = 1 << 18;
    /** Default number of blocks: 64, a 16 MiB ring. */
    public static final int DEFAULT_BLOCK_COUNT = 64;
    /** Default nominal frame size. */
    public static final int DEFAULT_FRAME_SIZE = 2048;
    /** Default block retire timeout in ms. */
    public static final int DEFAULT_RETIRE_TIMEOUT_MS = 10;
    /** Value of {@code fanoutGroup} for a feed that is the interface's only reader. */
    public static final int NO_FANOUT = -1;
    /**
     * Value of {@code fanoutGroup} for a feed that starts a group of its own: the kernel gives it an id no group on the
     * interface's namespace has ({@code PACKET_FANOUT_FLAG_UNIQUEID}), {@link AfPacketFeed#fanoutGroup()} tells which,
     * and the other queues of the same feed join that id. No other program or steer process joins it by accident.
     */
    public static final int UNIQUE_FANOUT_GROUP = -2;
    /** Default polls between two reads of the kernel drop counter. */
    public static final int DEFAULT_STATS_INTERVAL = 1024;
    /** Largest block size accepted: 64 MiB. */
    public static final int MAX_BLOCK_SIZE = 1 << 26;
    /** Fewest blocks accepted: with one block the kernel has nowhere to write while the feed reads. */
    public static final int MIN_BLOCK_COUNT = 2;
    /** Largest ring accepted: 1 GiB, so every ring offset fits an int. */
    public static final long MAX_RING_BYTES = 1L << 30;
    /** Smallest nominal frame: a TPACKET_V3 header plus a minimal Ethernet frame. */
    public static final int MIN_FRAME_SIZE = 128;
    /** Longest retire timeout accepted. */
    public static final int MAX_RETIRE_TIMEOUT_MS = 10_000;
    /** Largest stats interval accepted. */
    public static final int MAX_STATS_INTERVAL = 1 << 20;
    /** Longest interface name (IFNAMSIZ - 1). */
    public static final int MAX_IFACE_LENGTH = 15;

    /** How the kernel assigns packets to the members of a fanout group ({@code PACKET_FANOUT_*}). */
    public enum FanoutMode {
        /** By flow hash ({@code PACKET_FANOUT_HASH}): every packet of a flow goes to one member, as RSS. */
        HASH(0),
        /** Round robin ({@code PACKET_FANOUT_LB}): even spread, no flow affinity. */
        LOAD_BALANCE(1),
        /** By the CPU that received the packet ({@code PACKET_FANOUT_CPU}). */
        CPU(2);

        private final int kernelValue;

        FanoutMode(int kernelValue) {
            this.kernelValue = kernelValue;
        }

        /** The {@code PACKET_FANOUT_*} constant. */
        public int kernelValue() {
            return kernelValue;
        }
    }

    /** Settings for {@code iface} in the caller's namespace with every other setting at its default. */
    public static AfPacketSettings of(String iface) {
        return new AfPacketSettings(iface, "", DEFAULT_BLOCK_SIZE, DEFAULT_BLOCK_COUNT, DEFAULT_FRAME_SIZE,
            DEFAULT_RETIRE_TIMEOUT_MS, NO_FANOUT, FanoutMode.HASH, DEFAULT_STATS_INTERVAL);
    }

    /** The same settings in network namespace {@code name} (empty: the caller's). */
    public AfPacketSettings withNetns(String name) {
        return new AfPacketSettings(iface, name, blockSize, blockCount, frameSize, retireTimeoutMs, fanoutGroup,
            fanoutMode, statsInterval);
    }

    /** The same settings with another ring geometry. */
    public AfPacketSettings withRing(int newBlockSize, int newBlockCount) {
        return new AfPacketSettings(iface, netns, newBlockSize, newBlockCount, frameSize, retireTimeoutMs,
            fanoutGroup, fanoutMode, statsInterval);
    }

    /** The same settings with another nominal frame size. */
    public AfPacketSettings withFrameSize(int newFrameSize) {
        return new AfPacketSettings(iface, netns, blockSize, blockCount, newFrameSize, retireTimeoutMs,
            fanoutGroup, fanoutMode, statsInterval);
    }

    /** The same settings with another block retire timeout. */
    public AfPacketSettings withRetireTimeoutMs(int newTimeoutMs) {
        return new AfPacketSettings(iface, netns, blockSize, blockCount, frameSize, newTimeoutMs, fanoutGroup,
            fanoutMode, statsInterval);
    }

    /**
     * The same settings as a member of fanout group {@code group}: {@link #NO_FANOUT} for none,
     * {@link #UNIQUE_FANOUT_GROUP} for a new group with an id the kernel picks.
     */
    public AfPacketSettings withFanout(int group, FanoutMode mode) {
        return new AfPacketSettings(iface, netns, blockSize, blockCount, frameSize, retireTimeoutMs, group, mode,
            statsInterval);
    }

    /** The same settings with another stats interval. */
    public AfPacketSettings withStatsInterval(int polls) {
        return new AfPacketSettings(iface, netns, blockSize, blockCount, frameSize, retireTimeoutMs, fanoutGroup,
            fanoutMode, polls);
    }

    /** Bytes of the whole ring. */
    public long ringBytes() {
        return (long) blockSize * blockCount;
    }

    /** True when the feed joins a fanout group. */
    public boolean fanout() {
        return fanoutGroup != NO_FANOUT;
    }

    /**
     * Checks every setting and reports all problems in one exception.
     *
     * @return this, for chaining
     * @throws IllegalArgumentException naming each bad setting, its value and what is allowed
     */
    public AfPacketSettings validate() {
        final List<Problem> problems = problems();
        if (!problems.isEmpty()) {
            final StringBuilder message = new StringBuilder("invalid AF_PACKET settings:");
            for (Problem problem : problems) {
                message.append("\n  ").append(problem);
            }
            throw new IllegalArgumentException(message.toString());
        }
        return this;
    }

    /**
     * One bad setting: the record component's name, its value as given, and what is allowed. A config file reports it at
     * its own key.
     */
    public record Problem(String setting, String value, String allowed) {
        @Override
        public String toString() {
            return "afpacket." + setting + "=" + value + ": " + allowed;
        }
    }

    /** Every bad setting, in the order of the record's components; empty when the settings are valid. */
    public List<Problem> problems() {
        final List<Problem> problems = new ArrayList<>();
        if (iface == null || iface.isEmpty() || iface.length() > MAX_IFACE_LENGTH || !validName(iface)) {
            problems.add(new Problem("iface", "'" + iface + "'", "must be an interface name of 1 to " + MAX_IFACE_LENGTH
                + " characters without '/', ':' or whitespace"));
        }
        if (netns == null || (!netns.isEmpty() && !validName(netns))) {
            problems.add(new Problem("netns", "'" + netns + "'",
                "must be empty (this namespace) or an `ip netns` name without '/' or whitespace"));
        }
        final int page = Libc.pageSize();
        if (blockSize < page || blockSize > MAX_BLOCK_SIZE || Integer.bitCount(blockSize) != 1) {
            problems.add(new Problem("blockSize", Integer.toString(blockSize), "must be a power of two from the page size ("
                + page + ") to " + MAX_BLOCK_SIZE));
        }
        if (blockCount < MIN_BLOCK_COUNT) {
            problems.add(new Problem("blockCount", Integer.toString(blockCount), "must be at least " + MIN_BLOCK_COUNT));
        }
        if (blockCount >= MIN_BLOCK_COUNT && blockSize > 0 && ringBytes() > MAX_RING_BYTES) {
            problems.add(new Problem("blockCount", blockCount + " (x blockSize " + blockSize + " = " + ringBytes()
                + " bytes)", "the ring must not exceed " + MAX_RING_BYTES + " bytes"));
        }
        if (frameSize < MIN_FRAME_SIZE || frameSize % 16 != 0 || frameSize > Math.max(blockSize, MIN_FRAME_SIZE)) {
            problems.add(new Problem("frameSize", Integer.toString(frameSize), "must be a multiple of 16 from "
                + MIN_FRAME_SIZE + " to blockSize (" + blockSize + ")"));
        }
        if (retireTimeoutMs < 1 || retireTimeoutMs > MAX_RETIRE_TIMEOUT_MS) {
            problems.add(new Problem("retireTimeoutMs", Integer.toString(retireTimeoutMs), "must be 1 to "
                + MAX_RETIRE_TIMEOUT_MS));
        }
        if (fanoutGroup != NO_FANOUT && fanoutGroup != UNIQUE_FANOUT_GROUP && (fanoutGroup < 0 || fanoutGroup > 0xffff)) {
            problems.add(new Problem("fanoutGroup", Integer.toString(fanoutGroup), "must be " + NO_FANOUT
                + " (no fanout), " + UNIQUE_FANOUT_GROUP + " (a new group, its id chosen by the kernel) or a group id 0"
                + " to 65535"));
        }
        if (fanoutMode == null) {
            problems.add(new Problem("fanoutMode", "null", "must be one of HASH, LOAD_BALANCE, CPU"));
        }
        if (statsInterval < 1 || statsInterval > MAX_STATS_INTERVAL) {
            problems.add(new Problem("statsInterval", Integer.toString(statsInterval), "must be 1 to " + MAX_STATS_INTERVAL));
        }
        return problems;
    }

    private static boolean validName(String name) {
        for (int i = 0; i < name.length(); i++) {
            final char c = name.charAt(i);
            if (c == '/' || c == ':' || Character.isWhitespace(c) || c == 0) {
                return false;
            }
        }
        return !name.equals(".") && !name.equals("..");
    }
}
