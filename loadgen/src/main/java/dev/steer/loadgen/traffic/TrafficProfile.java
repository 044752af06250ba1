package dev.steer.loadgen.traffic;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.typesafe.config.Config;

/**
 * What synthetic traffic to make: how many flows and how their 5-tuples are formed, the IP version and
 * protocol mix, the frame size distribution, the rate and an optional VLAN tag. Immutable and valid: the
 * constructor runs the one validation, {@link #validate}, and refuses any value outside what is allowed
 * with a message naming the setting (by its config key), the value and what is allowed, every problem at once.
 *
 * <p>Flows are split over the {@link FlowClass classes} (version x protocol) in proportion to the product
 * of their weights, at least one flow per class of positive weight; packets are spread over the classes
 * by the same weights (see {@link TrafficGenerator}). Frame sizes smaller than the headers of a class are
 * <b>raised to that class' minimum</b> (e.g. a 64-byte size for IPv6/TCP gives 78 bytes + FCS), so one
 * distribution such as IMIX serves every class. Weights are integers.
 *
 * @param flows      distinct flows, 1..{@value #MAX_FLOWS} (key {@code flows})
 * @param seed       seed of every random choice: same seed, same traffic (key {@code seed})
 * @param ipv4Weight weight of IPv4 (key {@code ip-version.ipv4})
 * @param ipv6Weight weight of IPv6 (key {@code ip-version.ipv6})
 * @param udpWeight  weight of UDP (key {@code protocol.udp})
 * @param tcpWeight  weight of TCP (key {@code protocol.tcp})
 * @param icmpWeight weight of ICMP / ICMPv6 echo requests (key {@code protocol.icmp})
 * @param sizes      frame size distribution, wire sizes with FCS (key {@code frame-size})
 * @param rate       target packets per second, or {@link #RATE_MAX} for as fast as possible (key {@code rate})
 * @param burst      most frames the pacer releases at once, from the start and after a stall, or
 *                   {@link #BURST_FROM_RATE} for {@link #defaultBurst} of the rate (key {@code burst})
 * @param vlan       802.1Q VLAN id 1..4094, or {@link #NO_VLAN} (key {@code vlan})
 * @param ipv4Src    IPv4 source prefix (key {@code ipv4.src})
 * @param ipv4Dst    IPv4 destination prefix (key {@code ipv4.dst})
 * @param ipv6Src    IPv6 source prefix (key {@code ipv6.src})
 * @param ipv6Dst    IPv6 destination prefix (key {@code ipv6.dst})
 * @param srcPorts   UDP/TCP source ports (key {@code ports.src})
 * @param dstPorts   UDP/TCP destination ports (key {@code ports.dst})
 * @param onNs       with {@code offNs}, an on/off pattern: nanoseconds of each period the traffic is on, during which
 *                   the rate applies (or, without one, as fast as it goes); {@link #NO_ON_OFF} for none (key
 *                   {@code on-off})
 * @param offNs      nanoseconds of each period nothing is sent; {@link #NO_ON_OFF} for none
 */
public record TrafficProfile(int flows, long seed, int ipv4Weight, int ipv6Weight, int udpWeight, int tcpWeight,
                             int icmpWeight, FrameSizes sizes, long rate, int burst, int vlan, Ipv4Range ipv4Src,
                             Ipv4Range ipv4Dst, Ipv6Range ipv6Src, Ipv6Range ipv6Dst, PortRange srcPorts,
                             PortRange dstPorts, long onNs, long offNs) {
    /** Largest number of flows: 16M. */
    public static final int MAX_FLOWS = 1 << 24;
    /** Largest weight of an IP version or protocol. */
    public static final int MAX_WEIGHT = 1_000;
    /** Value of {@code rate} meaning as fast as the consumer takes frames. */
    public static final long RATE_MAX = 0;
    /** Largest target rate in packets per second. */
    public static final long MAX_RATE = 1_000_000_000L;
    /** What {@link #parseRate} returns for text that is not a rate. */
    public static final long NOT_A_RATE = -1;
    /** What a rate may be, for messages: the one wording of {@code traffic.rate} and {@code --rate}. */
    public static final String RATE_ALLOWED = "must be max or packets/s 1.." + MAX_RATE
        + " (a whole number, suffix k, M or G allowed, e.g. 250k)";
    /** Value of {@code vlan} meaning untagged frames. */
    public static final int NO_VLAN = -1;
    /** Largest pacer burst. */
    public static final int MAX_BURST = 65_536;
    /** What a burst may be, for messages: the one wording of {@code traffic.burst}. */
    public static final String BURST_ALLOWED = "must be 1.." + MAX_BURST + " frames";
    /** Value of {@code burst} meaning none given: the pacer takes {@link #defaultBurst} of the rate. */
    public static final int BURST_FROM_RATE = -1;
    /** Value of {@code onNs} and {@code offNs} meaning no on/off pattern: always on. */
    public static final long NO_ON_OFF = 0;
    /** Shortest on or off part of a pattern: 1 µs. */
    public static final long MIN_ON_OFF_NS = 1_000;
    /** Longest on or off part of a pattern: 1 h. */
    public static final long MAX_ON_OFF_NS = 3_600_000_000_000L;
    /** What an on/off pattern may be, for messages: the one wording of {@code traffic.on-off} and {@code --on-off}. */
    public static final String ON_OFF_ALLOWED = "must be off or ON/OFF, two durations 1us..1h each with a unit ns, us,"
        + " ms or s, e.g. 10ms/90ms";
    private static final Pattern ON_OFF_PART = Pattern.compile("(\\d{1,19})\\s*(ns|us|ms|s)");

    /** Fewest frames of a burst derived from the rate: one default NAPI budget. */
    public static final int MIN_DEFAULT_BURST = 64;

    // Exactly the suffixes RATE_ALLOWED names: a lowercase m would read as milli, so no case folding.
    private static final Pattern RATE_PATTERN = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([kMG]?)");
    private static final Pattern WRONG_CASE_SUFFIX = Pattern.compile("\\d+(?:\\.\\d+)?\\s*([Kmg])");

    /** Default number of flows. */
    public static final int DEFAULT_FLOWS = 1024;
    /** Default seed. */
    public static final long DEFAULT_SEED = 1;
    /** Default IPv4 sources: 65536 addresses. */
    public static final Ipv4Range DEFAULT_IPV4_SRC = Ipv4Range.parse("10.0.0.0/16");
    /** Default IPv4 destinations: 256 addresses. */
    public static final Ipv4Range DEFAULT_IPV4_DST = Ipv4Range.parse("10.1.0.0/24");
    /** Default IPv6 sources. */
    public static final Ipv6Range DEFAULT_IPV6_SRC = Ipv6Range.parse("fd00:0:0:1::/64");
    /** Default IPv6 destinations: 256 addresses. */
    public static final Ipv6Range DEFAULT_IPV6_DST = Ipv6Range.parse("fd00:0:0:2::/120");
    /** Default source ports: the dynamic range of most stacks. */
    public static final PortRange DEFAULT_SRC_PORTS = PortRange.parse("1024-65535");
    /** Default destination ports: 16 services. */
    public static final PortRange DEFAULT_DST_PORTS = PortRange.parse("4000-4015");

    /** Validates; see {@link #validate}. */
    public TrafficProfile {
        final List<String> problems = new ArrayList<>();
        validate(flows, ipv4Weight, ipv6Weight, udpWeight, tcpWeight, icmpWeight, sizes, rate, burst, vlan,
            ipv4Src, ipv4Dst, ipv6Src, ipv6Dst, srcPorts, dstPorts, (key, text) -> problems.add(key + text));
        validateOnOff(onNs, offNs, (key, text) -> problems.add(key + text));
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("invalid traffic profile:\n  " + String.join("\n  ", problems));
        }
    }

    /** A profile without an on/off pattern; validates as the canonical constructor. */
    public TrafficProfile(int flows, long seed, int ipv4Weight, int ipv6Weight, int udpWeight, int tcpWeight,
                          int icmpWeight, FrameSizes sizes, long rate, int burst, int vlan, Ipv4Range ipv4Src,
                          Ipv4Range ipv4Dst, Ipv6Range ipv6Src, Ipv6Range ipv6Dst, PortRange srcPorts,
                          PortRange dstPorts) {
        this(flows, seed, ipv4Weight, ipv6Weight, udpWeight, tcpWeight, icmpWeight, sizes, rate, burst, vlan, ipv4Src,
            ipv4Dst, ipv6Src, ipv6Dst, srcPorts, dstPorts, NO_ON_OFF, NO_ON_OFF);
    }

    /**
     * The defaults: {@value #DEFAULT_FLOWS} UDP over IPv4 flows from 10.0.0.0/16:1024-65535 to
     * 10.1.0.0/24:4000-4015, 64-byte frames, no rate limit, the burst derived from the rate, no VLAN.
     */
    public static TrafficProfile defaults() {
        return new TrafficProfile(DEFAULT_FLOWS, DEFAULT_SEED, 1, 0, 1, 0, 0, FrameSizes.fixed(64), RATE_MAX,
            BURST_FROM_RATE, NO_VLAN, DEFAULT_IPV4_SRC, DEFAULT_IPV4_DST, DEFAULT_IPV6_SRC, DEFAULT_IPV6_DST,
            DEFAULT_SRC_PORTS, DEFAULT_DST_PORTS);
    }

    /**
     * Reads the {@code traffic { ... }} block of {@code config}; keys not given keep their defaults.
     *
     * @throws IllegalArgumentException listing every problem, each with file and line, key, value and what is allowed
     */
    public static TrafficProfile fromConfig(Config config) {
        return TrafficConfigReader.read(config);
    }

    /**
     * Reads a rate as {@code traffic.rate} and the {@code --rate} option take it: {@code max}, or packets/s
     * 1..{@value #MAX_RATE} as a whole number with an optional suffix k, M or G ({@code 250k}, {@code 2.5M}).
     * Any thread; allocates a little (a regex match), off the hot path.
     *
     * The suffix is case-sensitive: {@code K}, {@code m} and {@code g} are not rates ({@code m} would be milli).
     *
     * @return packets/s, {@link #RATE_MAX} for {@code max}, or {@link #NOT_A_RATE} when the text is none of these
     *         (the message then is {@link #rateRefusal})
     */
    public static long parseRate(String text) {
        final String trimmed = text.trim();
        if (trimmed.equalsIgnoreCase("max")) {
            return RATE_MAX;
        }
        final Matcher m = RATE_PATTERN.matcher(trimmed);
        if (!m.matches() || m.group(1).length() >= 16) {
            return NOT_A_RATE;
        }
        final int exponent = switch (m.group(2)) {
            case "k" -> 3;
            case "M" -> 6;
            case "G" -> 9;
            default -> 0;
        };
        // Decimal arithmetic: 1.005M is 1,005,000 exactly, which a double product is not.
        final java.math.BigDecimal rate = new java.math.BigDecimal(m.group(1)).movePointRight(exponent);
        if (rate.signum() <= 0 || rate.stripTrailingZeros().scale() > 0 || rate.compareTo(java.math.BigDecimal.valueOf(MAX_RATE)) > 0) {
            return NOT_A_RATE;
        }
        return rate.longValueExact();
    }

    /**
     * Reads an on/off pattern as {@code traffic.on-off} and {@code --on-off} take it: {@code off}, or {@code ON/OFF},
     * two whole durations with a unit ({@code 10ms/90ms}, {@code 500us/1s}). Any thread; allocates, off the hot path.
     *
     * @return {@code {onNs, offNs}}, {@code {0, 0}} for {@code off}, or null when the text is none of these (the message
     *         then is {@link #ON_OFF_ALLOWED}); the bounds are {@link #validateOnOff}'s
     */
    public static long[] parseOnOff(String text) {
        final String trimmed = text.trim();
        if (trimmed.equalsIgnoreCase("off")) {
            return new long[] {NO_ON_OFF, NO_ON_OFF};
        }
        final String[] parts = trimmed.split("/", -1);
        if (parts.length != 2) {
            return null;
        }
        final long on = nanos(parts[0].trim());
        final long off = nanos(parts[1].trim());
        return on < 0 || off < 0 ? null : new long[] {on, off};
    }

    /** A whole duration with a unit in nanoseconds; -1 when not one, {@link Long#MAX_VALUE} when too long for a long. */
    private static long nanos(String text) {
        final Matcher m = ON_OFF_PART.matcher(text);
        if (!m.matches()) {
            return -1;
        }
        final long unit = switch (m.group(2)) {
            case "ns" -> 1L;
            case "us" -> 1_000L;
            case "ms" -> 1_000_000L;
            default -> 1_000_000_000L;
        };
        try {
            return Math.multiplyExact(Long.parseLong(m.group(1)), unit);
        } catch (ArithmeticException | NumberFormatException ex) {
            return Long.MAX_VALUE; // refused by the bounds
        }
    }

    /** An on/off pattern as {@code traffic.on-off} writes it: {@code off}, or {@code 10ms/90ms}. */
    public static String formatOnOff(long onNs, long offNs) {
        return onNs == NO_ON_OFF && offNs == NO_ON_OFF ? "off" : duration(onNs) + "/" + duration(offNs);
    }

    private static String duration(long ns) {
        if (ns % 1_000_000_000L == 0) {
            return ns / 1_000_000_000L + "s";
        }
        if (ns % 1_000_000L == 0) {
            return ns / 1_000_000L + "ms";
        }
        return ns % 1_000L == 0 ? ns / 1_000L + "us" : ns + "ns";
    }

    /** The pattern's bounds: none ({@code 0/0}), or each part {@value #MIN_ON_OFF_NS} ns..1 h. */
    static void validateOnOff(long onNs, long offNs, Problems out) {
        checkOnOff(onNs, offNs, problem -> out.add("on-off", "=" + formatOnOff(onNs, offNs) + ": " + problem));
    }

    /**
     * Checks an on/off pattern's bounds, as {@code traffic.on-off} and {@code --on-off} take it: none ({@code 0/0}), or
     * each part {@value #MIN_ON_OFF_NS} ns..1 h; {@code out} gets what is wrong, if anything. Any thread.
     */
    public static void checkOnOff(long onNs, long offNs, java.util.function.Consumer<String> out) {
        if (onNs == NO_ON_OFF && offNs == NO_ON_OFF) {
            return;
        }
        if (onNs <= 0 || offNs <= 0) {
            out.accept("on and off must both be positive (for no pattern: off)");
        } else if (onNs < MIN_ON_OFF_NS || onNs > MAX_ON_OFF_NS || offNs < MIN_ON_OFF_NS || offNs > MAX_ON_OFF_NS) {
            out.accept("on and off must each be 1us..1h");
        }
    }

    /** True when the profile has an on/off pattern. */
    public boolean onOff() {
        return onNs != NO_ON_OFF || offNs != NO_ON_OFF;
    }

    /**
     * The rate asked on average, in packets/s: the rate, times the share of time on with a pattern, which may be below
     * one ({@code 1} during 10 ms of every 100 ms is 0.1; 1 M during 1 ms of every hour, 0.28) but is never 0 with a
     * rate; {@link #RATE_MAX} when none is asked. What the summary compares the traffic offered with. The double
     * nearest the exact quotient: a whole average is exact.
     */
    public double averageRate() {
        if (unpaced() || !onOff()) {
            return rate;
        }
        return java.math.BigDecimal.valueOf(rate).multiply(java.math.BigDecimal.valueOf(onNs))
            .divide(java.math.BigDecimal.valueOf(onNs + offNs), java.math.MathContext.DECIMAL64).doubleValue();
    }

    /**
     * What to say of a text {@link #parseRate} refused: {@link #RATE_ALLOWED}, and for a suffix in the wrong case
     * ({@code K}, {@code m}, {@code g}) which one to write. Any thread; off the hot path.
     */
    public static String rateRefusal(String text) {
        final Matcher m = WRONG_CASE_SUFFIX.matcher(text.trim());
        if (!m.matches()) {
            return RATE_ALLOWED;
        }
        return RATE_ALLOWED + "; " + switch (m.group(1)) {
            case "m" -> "m would read as milli: write M for millions";
            case "K" -> "write k for thousands, not K";
            default -> "write G for billions, not g";
        };
    }

    /**
     * The burst of a pacer at {@code rate} packets/s when none is given: a millisecond of traffic, at least
     * {@value #MIN_DEFAULT_BURST} and at most {@value #MAX_BURST} frames, so that a sender parking some tens of
     * microseconds while it is ahead of the rate loses none of it. Pure; any thread.
     */
    public static int defaultBurst(long rate) {
        return (int) Math.max(MIN_DEFAULT_BURST, Math.min(MAX_BURST, rate / 1_000));
    }

    /** Where {@link #validate} reports a problem: the config key and "=value: what is allowed". */
    @FunctionalInterface
    interface Problems {
        void add(String key, String text);
    }

    /** The one validation, shared by the constructor and {@link #fromConfig}, which adds file and line. */
    static void validate(int flows, int ipv4Weight, int ipv6Weight, int udpWeight, int tcpWeight, int icmpWeight,
                         FrameSizes sizes, long rate, int burst, int vlan, Ipv4Range ipv4Src, Ipv4Range ipv4Dst,
                         Ipv6Range ipv6Src, Ipv6Range ipv6Dst, PortRange srcPorts, PortRange dstPorts,
                         Problems out) {
        if (flows < 1 || flows > MAX_FLOWS) {
            out.add("flows", "=" + flows + ": must be 1.." + MAX_FLOWS);
        }
        weight(out, "ip-version.ipv4", ipv4Weight);
        weight(out, "ip-version.ipv6", ipv6Weight);
        weight(out, "protocol.udp", udpWeight);
        weight(out, "protocol.tcp", tcpWeight);
        weight(out, "protocol.icmp", icmpWeight);
        boolean mixValid = true;
        if (Math.max(ipv4Weight, 0) + Math.max(ipv6Weight, 0) == 0) {
            out.add("ip-version", ": ipv4=" + ipv4Weight + ", ipv6=" + ipv6Weight + ": at least one weight must be positive");
            mixValid = false;
        }
        if (Math.max(udpWeight, 0) + Math.max(tcpWeight, 0) + Math.max(icmpWeight, 0) == 0) {
            out.add("protocol", ": udp=" + udpWeight + ", tcp=" + tcpWeight + ", icmp=" + icmpWeight
                + ": at least one weight must be positive");
            mixValid = false;
        }
        if (sizes == null) {
            out.add("frame-size", "=null: must be a size, imix or a list of {size, weight}");
            mixValid = false;
        } else {
            final List<String> sizeProblems = sizes.problems();
            for (String problem : sizeProblems) {
                out.add("frame-size", " " + problem);
            }
            mixValid &= sizeProblems.isEmpty();
        }
        if (rate < 0 || rate > MAX_RATE) {
            out.add("rate", "=" + rate + ": must be max (0) or 1.." + MAX_RATE + " packets/s");
        }
        if (burst != BURST_FROM_RATE && (burst < 1 || burst > MAX_BURST)) {
            out.add("burst", "=" + burst + ": " + BURST_ALLOWED);
        }
        if (vlan != NO_VLAN && (vlan < 1 || vlan > 4094)) {
            out.add("vlan", "=" + vlan + ": must be off or a VLAN id 1..4094");
        }
        final boolean rangesValid = notNull(out, "ipv4.src", ipv4Src) & notNull(out, "ipv4.dst", ipv4Dst)
            & notNull(out, "ipv6.src", ipv6Src) & notNull(out, "ipv6.dst", ipv6Dst)
            & notNull(out, "ports.src", srcPorts) & notNull(out, "ports.dst", dstPorts);
        if (!mixValid || !rangesValid || flows < 1 || flows > MAX_FLOWS || ipv4Weight < 0 || ipv6Weight < 0
            || udpWeight < 0 || tcpWeight < 0 || icmpWeight < 0 || ipv4Weight > MAX_WEIGHT || ipv6Weight > MAX_WEIGHT
            || udpWeight > MAX_WEIGHT || tcpWeight > MAX_WEIGHT || icmpWeight > MAX_WEIGHT) {
            return; // the checks below need valid parts
        }
        final long[] classWeights = FlowPlan.classWeights(ipv4Weight, ipv6Weight, udpWeight, tcpWeight, icmpWeight);
        int classes = 0;
        for (long w : classWeights) {
            classes += w > 0 ? 1 : 0;
        }
        if (flows < classes) {
            out.add("flows", "=" + flows + ": must be at least " + classes
                + ", one per (IP version, protocol) pair of positive weight");
            return;
        }
        final int[] perClass = FlowPlan.allocate(flows, classWeights);
        for (FlowClass c : FlowClass.all()) {
            final long space = FlowPlan.space(c, ipv4Src, ipv4Dst, ipv6Src, ipv6Dst, srcPorts, dstPorts);
            if (perClass[c.ordinal()] > space) {
                final String v = c.version() == 4 ? "ipv4" : "ipv6";
                out.add("flows", "=" + flows + ": " + perClass[c.ordinal()] + " flows of " + c.label() + " need as many"
                    + " distinct tuples but " + v + ".src x " + v + ".dst" + (c.isIcmp() ? "" : " x ports.src x ports.dst")
                    + " give only " + space + ": widen the ranges or lower flows");
            }
        }
        final long period = FlowPlan.period(classWeights, sizes);
        if (period > FlowPlan.MAX_PERIOD) {
            out.add("frame-size", ": the version, protocol and size weights give a schedule of " + period
                + " entries: at most " + FlowPlan.MAX_PERIOD + " allowed; use smaller weights");
        }
    }

    private static void weight(Problems out, String key, int weight) {
        if (weight < 0 || weight > MAX_WEIGHT) {
            out.add(key, "=" + weight + ": must be a weight 0.." + MAX_WEIGHT);
        }
    }

    private static boolean notNull(Problems out, String key, Object value) {
        if (value == null) {
            out.add(key, "=null: must be given");
            return false;
        }
        return true;
    }

    // The withers call the canonical constructor, so every profile they make is validated there; each parameter
    // shadows the component it replaces.

    /** This profile with {@code flows} flows. */
    public TrafficProfile withFlows(int flows) {
        return new TrafficProfile(flows, seed, ipv4Weight, ipv6Weight, udpWeight, tcpWeight, icmpWeight, sizes, rate,
            burst, vlan, ipv4Src, ipv4Dst, ipv6Src, ipv6Dst, srcPorts, dstPorts, onNs, offNs);
    }

    /** This profile with another seed. */
    public TrafficProfile withSeed(long seed) {
        return new TrafficProfile(flows, seed, ipv4Weight, ipv6Weight, udpWeight, tcpWeight, icmpWeight, sizes, rate,
            burst, vlan, ipv4Src, ipv4Dst, ipv6Src, ipv6Dst, srcPorts, dstPorts, onNs, offNs);
    }

    /** This profile with IP version weights. */
    public TrafficProfile withVersions(int ipv4Weight, int ipv6Weight) {
        return new TrafficProfile(flows, seed, ipv4Weight, ipv6Weight, udpWeight, tcpWeight, icmpWeight, sizes, rate,
            burst, vlan, ipv4Src, ipv4Dst, ipv6Src, ipv6Dst, srcPorts, dstPorts, onNs, offNs);
    }

    /** This profile with protocol weights. */
    public TrafficProfile withProtocols(int udpWeight, int tcpWeight, int icmpWeight) {
        return new TrafficProfile(flows, seed, ipv4Weight, ipv6Weight, udpWeight, tcpWeight, icmpWeight, sizes, rate,
            burst, vlan, ipv4Src, ipv4Dst, ipv6Src, ipv6Dst, srcPorts, dstPorts, onNs, offNs);
    }

    /** This profile with another size distribution. */
    public TrafficProfile withSizes(FrameSizes sizes) {
        return new TrafficProfile(flows, seed, ipv4Weight, ipv6Weight, udpWeight, tcpWeight, icmpWeight, sizes, rate,
            burst, vlan, ipv4Src, ipv4Dst, ipv6Src, ipv6Dst, srcPorts, dstPorts, onNs, offNs);
    }

    /** This profile with a target rate ({@link #RATE_MAX} for none) and burst ({@link #BURST_FROM_RATE}: derived). */
    public TrafficProfile withRate(long rate, int burst) {
        return new TrafficProfile(flows, seed, ipv4Weight, ipv6Weight, udpWeight, tcpWeight, icmpWeight, sizes, rate,
            burst, vlan, ipv4Src, ipv4Dst, ipv6Src, ipv6Dst, srcPorts, dstPorts, onNs, offNs);
    }

    /** This profile with a VLAN id, or {@link #NO_VLAN}. */
    public TrafficProfile withVlan(int vlan) {
        return new TrafficProfile(flows, seed, ipv4Weight, ipv6Weight, udpWeight, tcpWeight, icmpWeight, sizes, rate,
            burst, vlan, ipv4Src, ipv4Dst, ipv6Src, ipv6Dst, srcPorts, dstPorts, onNs, offNs);
    }

    /** This profile with other address and port ranges. */
    public TrafficProfile withRanges(Ipv4Range ipv4Src, Ipv4Range ipv4Dst, Ipv6Range ipv6Src, Ipv6Range ipv6Dst,
                                     PortRange srcPorts, PortRange dstPorts) {
        return new TrafficProfile(flows, seed, ipv4Weight, ipv6Weight, udpWeight, tcpWeight, icmpWeight, sizes, rate,
            burst, vlan, ipv4Src, ipv4Dst, ipv6Src, ipv6Dst, srcPorts, dstPorts, onNs, offNs);
    }

    /** This profile with an on/off pattern ({@link #NO_ON_OFF} twice for none). */
    public TrafficProfile withOnOff(long onNs, long offNs) {
        return new TrafficProfile(flows, seed, ipv4Weight, ipv6Weight, udpWeight, tcpWeight, icmpWeight, sizes, rate,
            burst, vlan, ipv4Src, ipv4Dst, ipv6Src, ipv6Dst, srcPorts, dstPorts, onNs, offNs);
    }

    /** True when frames go out as fast as they are taken, always (no rate; an on/off pattern may still stop them). */
    public boolean unpaced() {
        return rate == RATE_MAX;
    }

    /** The burst this profile's pacer takes: {@code burst}, or {@link #defaultBurst} of the rate when none is given. */
    public int pacerBurst() {
        return burst == BURST_FROM_RATE ? defaultBurst(rate) : burst;
    }

    /**
     * A new pacer of this profile's rate and {@link #pacerBurst()}, the one every sender and synthetic feed of it
     * takes, with the on/off pattern when there is one ({@link Pacer#UNLIMITED} during on without a rate), or null when
     * the profile has neither rate nor pattern. Allocates; off the hot path.
     */
    public Pacer newPacer() {
        if (onOff()) {
            return new Pacer(unpaced() ? Pacer.UNLIMITED : rate, pacerBurst(), onNs, offNs);
        }
        return unpaced() ? null : new Pacer(rate, pacerBurst());
    }
}
