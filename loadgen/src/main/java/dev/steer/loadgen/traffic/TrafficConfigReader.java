package dev.steer.loadgen.traffic;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;

import dev.steer.ingress.config.ConfigCheck;

/**
 * Reads a {@code traffic { ... }} block into a {@link TrafficProfile}, collecting every problem (wrong
 * type, bad value, unknown key) with the file and line it comes from, and throwing them all at once.
 * Off the hot path; one instance per read.
 */
final class TrafficConfigReader {
    private static final String BLOCK = "traffic";
    private static final Set<String> KEYS = Set.of("flows", "seed", "ip-version", "protocol", "frame-size", "rate", "on-off",
        "burst", "vlan", "ipv4", "ipv6", "ports");
    private static final Set<String> VERSION_KEYS = Set.of("ipv4", "ipv6");
    private static final Set<String> PROTOCOL_KEYS = Set.of("udp", "tcp", "icmp");
    private static final Set<String> RANGE_KEYS = Set.of("src", "dst");
    private static final Set<String> SIZE_KEYS = Set.of("size", "weight");
    private static final Pattern FIXED = Pattern.compile("fixed\\s+(\\d+)");

    private final List<String> problems = new ArrayList<>();
    private final Map<String, ConfigOrigin> origins = new HashMap<>();
    private ConfigOrigin blockOrigin;

    private TrafficConfigReader() {
    }

    static TrafficProfile read(Config config) {
        return new TrafficConfigReader().readBlock(config);
    }

    private TrafficProfile readBlock(Config config) {
        final TrafficProfile d = TrafficProfile.defaults();
        final ConfigValue blockValue = config.root().get(BLOCK);
        if (blockValue == null || blockValue.valueType() != ConfigValueType.OBJECT) {
            final ConfigOrigin where = blockValue == null ? config.origin() : blockValue.origin();
            throw new IllegalArgumentException("invalid traffic profile:\n  " + ConfigCheck.where(where)
                + (blockValue == null ? "no traffic { } block" : "traffic must be a block { ... }, not "
                + blockValue.valueType().name().toLowerCase()));
        }
        final ConfigObject block = (ConfigObject) blockValue;
        blockOrigin = block.origin();
        unknownKeys(block, KEYS, BLOCK);

        final int flows = integer(block, "flows", d.flows(), Integer.MIN_VALUE, Integer.MAX_VALUE);
        final long seed = longValue(block, "seed", d.seed());
        final ConfigObject versions = object(block, "ip-version", VERSION_KEYS);
        final int ipv4 = integer(versions, "ip-version.ipv4", versions == null ? d.ipv4Weight() : 0);
        final int ipv6 = integer(versions, "ip-version.ipv6", versions == null ? d.ipv6Weight() : 0);
        final ConfigObject protocols = object(block, "protocol", PROTOCOL_KEYS);
        final int udp = integer(protocols, "protocol.udp", protocols == null ? d.udpWeight() : 0);
        final int tcp = integer(protocols, "protocol.tcp", protocols == null ? d.tcpWeight() : 0);
        final int icmp = integer(protocols, "protocol.icmp", protocols == null ? d.icmpWeight() : 0);
        final FrameSizes sizes = sizes(block, d.sizes());
        final long rate = rate(block, d.rate());
        final int burst = burst(block, d.burst());
        final long[] onOff = onOff(block);
        final int vlan = vlan(block, d.vlan());
        final ConfigObject v4 = object(block, "ipv4", RANGE_KEYS);
        final Ipv4Range ipv4Src = range(v4, "ipv4.src", d.ipv4Src(), Ipv4Range::parse);
        final Ipv4Range ipv4Dst = range(v4, "ipv4.dst", d.ipv4Dst(), Ipv4Range::parse);
        final ConfigObject v6 = object(block, "ipv6", RANGE_KEYS);
        final Ipv6Range ipv6Src = range(v6, "ipv6.src", d.ipv6Src(), Ipv6Range::parse);
        final Ipv6Range ipv6Dst = range(v6, "ipv6.dst", d.ipv6Dst(), Ipv6Range::parse);
        final ConfigObject ports = object(block, "ports", RANGE_KEYS);
        final PortRange srcPorts = range(ports, "ports.src", d.srcPorts(), PortRange::parse);
        final PortRange dstPorts = range(ports, "ports.dst", d.dstPorts(), PortRange::parse);

        TrafficProfile.validate(flows, ipv4, ipv6, udp, tcp, icmp, sizes, rate, burst, vlan, ipv4Src, ipv4Dst,
            ipv6Src, ipv6Dst, srcPorts, dstPorts, (key, text) -> problem(key, key + text));
        TrafficProfile.validateOnOff(onOff[0], onOff[1], (key, text) -> problem(key, key + text));
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("invalid traffic profile (" + problems.size() + " problem"
                + (problems.size() == 1 ? "" : "s") + "):\n  " + String.join("\n  ", problems));
        }
        return new TrafficProfile(flows, seed, ipv4, ipv6, udp, tcp, icmp, sizes, rate, burst, vlan, ipv4Src, ipv4Dst,
            ipv6Src, ipv6Dst, srcPorts, dstPorts, onOff[0], onOff[1]);
    }

    /** Records a problem of {@code key} (relative to the block), located at the key's value or else the block. */
    private void problem(String key, String text) {
        ConfigOrigin origin = origins.get(key);
        for (String k = key; origin == null && k.contains("."); ) {
            k = k.substring(0, k.lastIndexOf('.'));
            origin = origins.get(k);
        }
        problems.add(ConfigCheck.where(origin == null ? blockOrigin : origin) + BLOCK + "." + text);
    }

    private void unknownKeys(ConfigObject object, Set<String> allowed, String path) {
        final ConfigCheck keys = new ConfigCheck();
        keys.unknownKeys(object, path, allowed);
        problems.addAll(keys.errors());
    }

    /** The value of a dotted key inside the block, remembering its origin; null when absent. */
    private ConfigValue value(ConfigObject parent, String key) {
        if (parent == null) {
            return null;
        }
        final ConfigValue value = parent.get(key.substring(key.lastIndexOf('.') + 1));
        if (value != null) {
            origins.put(key, value.origin());
        }
        return value;
    }

    private ConfigObject object(ConfigObject block, String key, Set<String> allowed) {
        final ConfigValue value = value(block, key);
        if (value == null) {
            return null;
        }
        if (value.valueType() != ConfigValueType.OBJECT) {
            problem(key, key + " = " + value.render() + ": must be a block { " + String.join(", ",
                allowed.stream().sorted().toList()) + " }");
            return null;
        }
        unknownKeys((ConfigObject) value, allowed, BLOCK + "." + key);
        return (ConfigObject) value;
    }

    private int integer(ConfigObject parent, String key, int fallback) {
        return integer(parent, key, fallback, Integer.MIN_VALUE, Integer.MAX_VALUE);
    }

    private int integer(ConfigObject parent, String key, int fallback, int min, int max) {
        final ConfigValue value = value(parent, key);
        if (value == null) {
            return fallback;
        }
        if (value.valueType() == ConfigValueType.NUMBER && value.unwrapped() instanceof Number n
            && n.doubleValue() == Math.rint(n.doubleValue()) && n.doubleValue() >= min && n.doubleValue() <= max) {
            return n.intValue();
        }
        problem(key, key + " = " + value.render() + ": must be an integer");
        return fallback;
    }

    /**
     * The burst given, or {@code fallback} when none is. {@link TrafficProfile#BURST_FROM_RATE} is how code says "none
     * given", which the profile's validation lets through; a file that writes it is refused here.
     */
    private int burst(ConfigObject block, int fallback) {
        if (!block.containsKey("burst")) {
            return fallback;
        }
        // Stands in for a value that is no integer, which integer() reports; a valid burst, so reported once.
        final int burst = integer(block, "burst", TrafficProfile.MIN_DEFAULT_BURST);
        if (burst == TrafficProfile.BURST_FROM_RATE) {
            problem("burst", "burst=" + burst + ": " + TrafficProfile.BURST_ALLOWED);
        }
        return burst;
    }

    private long longValue(ConfigObject parent, String key, long fallback) {
        final ConfigValue value = value(parent, key);
        if (value == null) {
            return fallback;
        }
        if (value.valueType() == ConfigValueType.NUMBER && value.unwrapped() instanceof Number n
            && !(n instanceof Double)) {
            return n.longValue();
        }
        problem(key, key + " = " + value.render() + ": must be an integer");
        return fallback;
    }

    private FrameSizes sizes(ConfigObject block, FrameSizes fallback) {
        final ConfigValue value = value(block, "frame-size");
        if (value == null) {
            return fallback;
        }
        final String allowed = ": must be a wire size in bytes with FCS (e.g. 64), \"fixed N\", imix, or a list"
            + " [ { size = 64, weight = 7 }, ... ]";
        if (value.valueType() == ConfigValueType.NUMBER) {
            final int size = integer(block, "frame-size", Integer.MIN_VALUE);
            return size == Integer.MIN_VALUE ? fallback : FrameSizes.fixed(size);
        }
        if (value.valueType() == ConfigValueType.STRING) {
            final String text = ((String) value.unwrapped()).trim();
            if (text.equals("imix")) {
                return FrameSizes.imix();
            }
            final Matcher fixed = FIXED.matcher(text);
            if (fixed.matches() && fixed.group(1).length() < 9) {
                return FrameSizes.fixed(Integer.parseInt(fixed.group(1)));
            }
            problem("frame-size", "frame-size = " + value.render() + allowed);
            return fallback;
        }
        if (value.valueType() == ConfigValueType.LIST) {
            final ConfigList list = (ConfigList) value;
            final int[] sizes = new int[list.size()];
            final int[] weights = new int[list.size()];
            boolean ok = true;
            for (int i = 0; i < list.size(); i++) {
                final ConfigValue item = list.get(i);
                final String itemKey = "frame-size[" + i + "]";
                origins.put(itemKey, item.origin());
                if (item.valueType() != ConfigValueType.OBJECT) {
                    problem(itemKey, itemKey + " = " + item.render() + ": must be { size = N, weight = W }");
                    ok = false;
                    continue;
                }
                final ConfigObject entry = (ConfigObject) item;
                unknownKeys(entry, SIZE_KEYS, BLOCK + "." + itemKey);
                if (entry.get("size") == null) {
                    problem(itemKey, itemKey + ": size missing: must be { size = N, weight = W }");
                    ok = false;
                }
                sizes[i] = integer(entry, itemKey + ".size", 0);
                weights[i] = integer(entry, itemKey + ".weight", 1);
            }
            return ok ? new FrameSizes(sizes, weights) : fallback;
        }
        problem("frame-size", "frame-size = " + value.render() + allowed);
        return fallback;
    }

    private long rate(ConfigObject block, long fallback) {
        final ConfigValue value = value(block, "rate");
        if (value == null) {
            return fallback;
        }
        final long rate = TrafficProfile.parseRate(String.valueOf(value.unwrapped()));
        if (rate != TrafficProfile.NOT_A_RATE) {
            return rate;
        }
        problem("rate", "rate = " + value.render() + ": "
            + TrafficProfile.rateRefusal(String.valueOf(value.unwrapped())));
        return fallback;
    }

    /** {@code on-off}: {@code off} (the default) or {@code ON/OFF}; {@code {0, 0}} for none or a problem. */
    private long[] onOff(ConfigObject block) {
        final ConfigValue value = value(block, "on-off");
        if (value == null) {
            return new long[] {TrafficProfile.NO_ON_OFF, TrafficProfile.NO_ON_OFF};
        }
        final long[] parsed = value.valueType() == ConfigValueType.STRING || Boolean.FALSE.equals(value.unwrapped())
            ? TrafficProfile.parseOnOff(Boolean.FALSE.equals(value.unwrapped()) ? "off" : (String) value.unwrapped())
            : null;
        if (parsed != null) {
            return parsed;
        }
        problem("on-off", "on-off = " + value.render() + ": " + TrafficProfile.ON_OFF_ALLOWED);
        return new long[] {TrafficProfile.NO_ON_OFF, TrafficProfile.NO_ON_OFF};
    }

    private int vlan(ConfigObject block, int fallback) {
        final ConfigValue value = value(block, "vlan");
        if (value == null) {
            return fallback;
        }
        final Object raw = value.unwrapped();
        if (Boolean.FALSE.equals(raw) || "off".equals(raw) || "none".equals(raw)) {
            return TrafficProfile.NO_VLAN;
        }
        if (value.valueType() == ConfigValueType.NUMBER) {
            return integer(block, "vlan", fallback);
        }
        problem("vlan", "vlan = " + value.render() + ": must be off or a VLAN id 1..4094");
        return fallback;
    }

    private <T> T range(ConfigObject parent, String key, T fallback, java.util.function.Function<String, T> parser) {
        final ConfigValue value = value(parent, key);
        if (value == null) {
            return fallback;
        }
        if (value.valueType() == ConfigValueType.STRING || value.valueType() == ConfigValueType.NUMBER) {
            try {
                return parser.apply(String.valueOf(value.unwrapped()).trim());
            } catch (IllegalArgumentException ex) {
                problem(key, key + " = " + ex.getMessage());
                return fallback;
            }
        }
        problem(key, key + " = " + value.render() + ": must be a string");
        return fallback;
    }
}
