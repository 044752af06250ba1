package dev.steer.loadgen.traffic;

/**
 * An IPv4 prefix such as {@code 10.0.0.0/16} from which flow addresses are taken: address {@code k} of the
 * range is {@code base + k}. Host bits of the base are cleared, so {@code 10.0.0.5/16} means {@code 10.0.0.0/16}.
 * Immutable.
 *
 * @param base   the network address, host bits zero
 * @param prefix prefix length, 0 to 32
 */
public record Ipv4Range(int base, int prefix) {
    /** Validates and clears host bits. */
    public Ipv4Range {
        if (prefix < 0 || prefix > 32) {
            throw new IllegalArgumentException("prefix /" + prefix + ": must be 0..32");
        }
        base &= mask(prefix);
    }

    /**
     * Parses {@code a.b.c.d/len} or a single address {@code a.b.c.d} (a /32).
     *
     * @throws IllegalArgumentException naming the text and the allowed form
     */
    public static Ipv4Range parse(String text) {
        final String allowed = "'" + text + "': must be an IPv4 prefix a.b.c.d/len with len 0..32, e.g. 10.0.0.0/16";
        final int slash = text.indexOf('/');
        final String address = slash < 0 ? text : text.substring(0, slash);
        final String[] parts = address.split("\\.", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException(allowed);
        }
        int base = 0;
        for (String part : parts) {
            final int octet = parseInt(part, 0, 255, allowed);
            base = base << 8 | octet;
        }
        final int prefix = slash < 0 ? 32 : parseInt(text.substring(slash + 1), 0, 32, allowed);
        return new Ipv4Range(base, prefix);
    }

    static int parseInt(String digits, int min, int max, String allowed) {
        if (digits.isEmpty() || digits.length() > 9 || !digits.chars().allMatch(Character::isDigit)) {
            throw new IllegalArgumentException(allowed);
        }
        final int value = Integer.parseInt(digits);
        if (value < min || value > max) {
            throw new IllegalArgumentException(allowed);
        }
        return value;
    }

    private static int mask(int prefix) {
        return prefix == 0 ? 0 : -1 << (32 - prefix);
    }

    /** Addresses in the range: 2^(32 - prefix). */
    public long count() {
        return 1L << (32 - prefix);
    }

    /** Address {@code k} of the range, {@code k < count()}. Allocation-free. */
    public int address(long k) {
        return base + (int) k;
    }

    @Override
    public String toString() {
        return (base >>> 24) + "." + (base >>> 16 & 0xFF) + "." + (base >>> 8 & 0xFF) + "." + (base & 0xFF) + "/" + prefix;
    }
}
