package dev.steer.loadgen.traffic;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * An IPv6 prefix such as {@code fd00:1::/64} from which flow addresses are taken: address {@code k} of the
 * range is the base plus {@code k} in its low 64 bits. Only the low {@value #MAX_HOST_BITS} bits vary, so a
 * range holds at most 2^32 addresses however short its prefix; host bits of the base are cleared. Immutable.
 *
 * @param high   the upper 64 bits of the network address
 * @param low    the lower 64 bits, host bits zero
 * @param prefix prefix length, 0 to 128
 */
public record Ipv6Range(long high, long low, int prefix) {
    /** Host bits that vary between flow addresses, at most. */
    public static final int MAX_HOST_BITS = 32;

    /** Validates and clears host bits. */
    public Ipv6Range {
        if (prefix < 0 || prefix > 128) {
            throw new IllegalArgumentException("prefix /" + prefix + ": must be 0..128");
        }
        high &= prefix >= 64 ? -1L : prefix == 0 ? 0 : -1L << (64 - prefix);
        low &= prefix <= 64 ? 0 : prefix == 128 ? -1L : -1L << (128 - prefix);
    }

    /**
     * Parses {@code addr/len} or a single address (a /128), the address in any RFC 4291 text form. No name
     * lookup is ever made: the text must contain a ':'.
     *
     * @throws IllegalArgumentException naming the text and the allowed form
     */
    public static Ipv6Range parse(String text) {
        final String allowed = "'" + text + "': must be an IPv6 prefix addr/len with len 0..128, e.g. fd00:1::/64";
        final int slash = text.indexOf('/');
        final String address = slash < 0 ? text : text.substring(0, slash);
        // A literal with ':' is parsed without a DNS lookup; anything else is refused before it could cause one.
        if (!address.contains(":") || !address.matches("[0-9A-Fa-f:.]+")) {
            throw new IllegalArgumentException(allowed);
        }
        final byte[] bytes;
        try {
            final InetAddress parsed = InetAddress.getByName(address);
            if (!(parsed instanceof Inet6Address)) {
                throw new IllegalArgumentException(allowed);
            }
            bytes = parsed.getAddress();
        } catch (UnknownHostException ex) {
            throw new IllegalArgumentException(allowed, ex);
        }
        long high = 0;
        long low = 0;
        for (int i = 0; i < 8; i++) {
            high = high << 8 | bytes[i] & 0xFF;
            low = low << 8 | bytes[i + 8] & 0xFF;
        }
        final int prefix = slash < 0 ? 128 : Ipv4Range.parseInt(text.substring(slash + 1), 0, 128, allowed);
        return new Ipv6Range(high, low, prefix);
    }

    /** Addresses in the range: 2^min(128 - prefix, 32). */
    public long count() {
        return 1L << Math.min(128 - prefix, MAX_HOST_BITS);
    }

    /** Lower 64 bits of address {@code k}, {@code k < count()}; the upper 64 are {@link #high()}. */
    public long lowOf(long k) {
        return low + k;
    }

    @Override
    public String toString() {
        final StringBuilder out = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            final long word = i < 4 ? high >>> (48 - 16 * i) & 0xFFFF : low >>> (48 - 16 * (i - 4)) & 0xFFFF;
            out.append(i == 0 ? "" : ":").append(Long.toHexString(word));
        }
        return out.append('/').append(prefix).toString();
    }
}
