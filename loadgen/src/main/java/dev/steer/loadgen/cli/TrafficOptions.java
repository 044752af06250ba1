package dev.steer.loadgen.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.steer.loadgen.traffic.TrafficProfile;

/**
 * Turns the traffic options of the command line into {@code traffic { }} config keys, so that options and
 * files go through the one validation of {@code TrafficProfile.fromConfig}.
 */
final class TrafficOptions {
    /** The traffic options of both commands, in the order {@code steer run} checks whether they apply. */
    static final List<String> NAMES = List.of("--rate", "--flows", "--sizes", "--mix", "--ipv6", "--seed",
        "--on-off");
    private static final String SIZES_FORMS = "a frame size in bytes (64), imix, or a list of SIZE or"
        + " SIZE:WEIGHT such as 64:7,594:4,1518:1";
    private static final String SIZES_ALLOWED = "must be " + SIZES_FORMS;
    private static final String MIX_ALLOWED = "must be udp=W, tcp=W or icmp=W (integer weights)";

    private TrafficOptions() {
    }

    /**
     * Adds the keys of the given options (null = not given).
     *
     * @throws IllegalArgumentException for an option whose syntax is wrong, naming it
     */
    static void put(Map<String, Object> values, String rate, Integer flows, String sizes, String mix, Integer ipv6, Long seed) {
        if (rate != null) {
            // The reader's own parser, so the option takes what the key takes (max, 250k, 2.5M); "max" goes in as
            // the word, since the key's 0 is not a rate a file may write.
            final long parsed = TrafficProfile.parseRate(rate.replace("_", ""));
            if (parsed == TrafficProfile.NOT_A_RATE) {
                throw new IllegalArgumentException("--rate " + rate + ": "
                    + TrafficProfile.rateRefusal(rate.replace("_", "")));
            }
            values.put("traffic.rate", parsed == TrafficProfile.RATE_MAX ? "max" : parsed);
        }
        if (flows != null) {
            values.put("traffic.flows", flows);
        }
        if (seed != null) {
            values.put("traffic.seed", seed);
        }
        if (sizes != null) {
            values.put("traffic.frame-size", sizes(sizes));
        }
        if (mix != null) {
            // The option names the whole mix: protocols it leaves out get weight 0, not a file's weight.
            for (String protocol : List.of("udp", "tcp", "icmp")) {
                values.put("traffic.protocol." + protocol, 0L);
            }
            final List<String> given = new ArrayList<>(3);
            // Limit -1: keep empty parts ("udp=1,", "udp=1="), which a plain split drops without a word.
            for (String part : mix.split(",", -1)) {
                if (part.isBlank()) {
                    throw new IllegalArgumentException("--mix " + mix + ": an empty entry; " + MIX_ALLOWED);
                }
                final String[] kv = part.trim().split("=", -1);
                if (kv.length != 2 || !List.of("udp", "tcp", "icmp").contains(kv[0].trim())) {
                    throw new IllegalArgumentException("--mix " + mix + ": '" + part + "' " + MIX_ALLOWED);
                }
                final String protocol = kv[0].trim();
                // A second weight would replace the first without a word, as a key given twice in a file would.
                if (given.contains(protocol)) {
                    throw new IllegalArgumentException("--mix " + mix + ": " + protocol
                        + " is given twice: " + MIX_ALLOWED + ", each protocol once");
                }
                given.add(protocol);
                values.put("traffic.protocol." + protocol, number("--mix " + mix + ":", kv[1].trim(), "an integer weight"));
            }
        }
        if (ipv6 != null) {
            if (ipv6 < 0 || ipv6 > 100) {
                throw new IllegalArgumentException("--ipv6 " + ipv6 + ": must be a percentage 0..100");
            }
            values.put("traffic.ip-version.ipv4", 100 - ipv6);
            values.put("traffic.ip-version.ipv6", ipv6);
        }
    }

    /** The option that sets {@code key}, a key {@link #put} writes ({@code traffic.protocol.udp}: {@code --mix}). */
    static String optionOf(String key) {
        if (key.startsWith("traffic.protocol.")) {
            return "--mix";
        }
        if (key.startsWith("traffic.ip-version.")) {
            return "--ipv6";
        }
        return switch (key) {
            case "traffic.rate" -> "--rate";
            case "traffic.flows" -> "--flows";
            case "traffic.seed" -> "--seed";
            case "traffic.frame-size" -> "--sizes";
            case "traffic.on-off" -> "--on-off";
            default -> "a traffic option";
        };
    }

    /**
     * {@code --on-off ON/OFF} as the {@code traffic.on-off} value, checked here so that the message names the option;
     * null when not given.
     *
     * @throws IllegalArgumentException naming the option, the value and what is allowed
     */
    static String onOff(String text) {
        if (text == null) {
            return null;
        }
        final long[] parsed = TrafficProfile.parseOnOff(text);
        if (parsed == null) {
            throw new IllegalArgumentException("--on-off " + text + ": " + TrafficProfile.ON_OFF_ALLOWED);
        }
        TrafficProfile.checkOnOff(parsed[0], parsed[1], problem -> {
            throw new IllegalArgumentException("--on-off " + text + ": " + problem);
        });
        return TrafficProfile.formatOnOff(parsed[0], parsed[1]);
    }

    private static Object sizes(String text) {
        if ("imix".equalsIgnoreCase(text.trim())) {
            return "imix";
        }
        // Limit -1: keep empty parts (",", "64,", "64:"), which a plain split drops without a word.
        final String[] parts = text.split(",", -1);
        if (parts.length == 1 && !parts[0].contains(":")) {
            return number("--sizes", parts[0].trim(), SIZES_FORMS); // number() says "must be" itself
        }
        final List<Object> list = new ArrayList<>();
        for (String part : parts) {
            final String[] sw = part.trim().split(":", -1);
            if (part.isBlank() || sw.length > 2 || sw[0].isBlank() || (sw.length == 2 && sw[1].isBlank())) {
                throw new IllegalArgumentException("--sizes " + text + ": " + (part.isBlank() ? "an empty entry"
                    : "'" + part.trim() + "' is not SIZE or SIZE:WEIGHT") + "; " + SIZES_ALLOWED);
            }
            final Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("size", number("--sizes " + text + ":", sw[0].trim(), "a frame size in bytes"));
            entry.put("weight", sw.length > 1 ? number("--sizes " + text + ":", sw[1].trim(), "an integer weight") : 1L);
            list.add(entry);
        }
        return list;
    }

    private static long number(String option, String text, String allowed) {
        try {
            return Long.parseLong(text.replace("_", ""));
        } catch (NumberFormatException ex) {
            throw new IllegalArgumentException(option + " '" + text + "': must be " + allowed, ex);
        }
    }
}
