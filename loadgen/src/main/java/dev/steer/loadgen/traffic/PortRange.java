package dev.steer.loadgen.traffic;

/**
 * An inclusive range of TCP/UDP ports such as {@code 1024-65535}; port {@code k} of the range is
 * {@code first + k}. Immutable.
 *
 * @param first lowest port, 0 to 65535
 * @param last  highest port, {@code first} to 65535
 */
public record PortRange(int first, int last) {
    /** Validates. */
    public PortRange {
        if (first < 0 || last > 65535 || first > last) {
            throw new IllegalArgumentException("ports " + first + "-" + last + ": must be 0..65535 with first <= last");
        }
    }

    /**
     * Parses {@code first-last} or a single port.
     *
     * @throws IllegalArgumentException naming the text and the allowed form
     */
    public static PortRange parse(String text) {
        final String allowed = "'" + text + "': must be a port or a range first-last, within 0..65535, first <= last";
        final int dash = text.indexOf('-');
        final int first = Ipv4Range.parseInt(dash < 0 ? text.trim() : text.substring(0, dash).trim(), 0, 65535, allowed);
        final int last = dash < 0 ? first : Ipv4Range.parseInt(text.substring(dash + 1).trim(), 0, 65535, allowed);
        if (first > last) {
            throw new IllegalArgumentException(allowed);
        }
        return new PortRange(first, last);
    }

    /** Ports in the range. */
    public int count() {
        return last - first + 1;
    }

    @Override
    public String toString() {
        return first == last ? Integer.toString(first) : first + "-" + last;
    }
}
