package dev.steer.engine.map;

import java.util.Arrays;
import java.util.BitSet;

/**
 * CPU lists in the form Linux writes them ({@code 0-3,6,8-9}), read strictly and written back. The one reader of
 * every CPU list Steer takes: {@code --cpus}, {@code steer.engine.ingress-cpus}, the machine's
 * {@code Cpus_allowed_list}.
 *
 * <p>The rules: items separated by commas, each a CPU number or a range {@code low-high} (both ends included);
 * numbers are decimal digits, 0..{@value #MAX_CPU}; spaces around an item or a dash are ignored. Refused, each
 * with its own message: an empty list or item ({@code 0,,1}, a trailing comma), anything but digits (a sign,
 * {@code 0x1}), a number above {@value #MAX_CPU}, a reversed range ({@code 3-0}), and a CPU listed twice
 * ({@code 0,0}, {@code 0-3,2}): a repeat is almost surely a typo, so it is an error, never merged away.
 *
 * <p>Stateless; any thread; allocates, off the data path.
 */
public final class CpuList {
    /** Highest CPU number a list may name; Linux machines with more CPUs than this are not supported. */
    public static final int MAX_CPU = 4095;
    /** What a CPU list may be, for messages. */
    public static final String ALLOWED = "must be a CPU list such as 0-3,6: CPU numbers 0.." + MAX_CPU
        + " and ranges low-high, separated by commas, each CPU once";

    private CpuList() {
    }

    /**
     * The CPUs of {@code text}, in the order written (a range ascending).
     *
     * @throws IllegalArgumentException saying what is wrong and what is allowed ({@link #ALLOWED}); the message does
     *                                  not name the setting, which the caller puts first
     */
    public static int[] parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("is empty: " + ALLOWED);
        }
        final String[] items = text.split(",", -1);
        final int[] out = new int[MAX_CPU + 1]; // no CPU twice, so never more than this
        final BitSet seen = new BitSet(MAX_CPU + 1);
        int n = 0;
        for (int i = 0; i < items.length; i++) {
            final String item = items[i].strip();
            if (item.isEmpty()) {
                throw new IllegalArgumentException("item " + (i + 1) + " is empty: " + ALLOWED);
            }
            final int dash = item.indexOf('-');
            final int from = number(item, dash < 0 ? item : item.substring(0, dash).strip());
            final int to = dash < 0 ? from : number(item, item.substring(dash + 1).strip());
            if (to < from) {
                throw new IllegalArgumentException("range " + from + "-" + to + " is reversed (write " + to + "-" + from + "): "
                    + ALLOWED);
            }
            for (int cpu = from; cpu <= to; cpu++) {
                if (seen.get(cpu)) {
                    throw new IllegalArgumentException("CPU " + cpu + " is listed twice: " + ALLOWED);
                }
                seen.set(cpu);
                out[n++] = cpu;
            }
        }
        return Arrays.copyOf(out, n);
    }

    /**
     * Checks CPUs given one by one (a config list {@code [0, 1]}) by the same rules as {@link #parse}: each in
     * 0..{@value #MAX_CPU}, none twice.
     *
     * @throws IllegalArgumentException naming the first bad CPU and what is allowed
     */
    public static void check(int... cpus) {
        final BitSet seen = new BitSet(MAX_CPU + 1);
        for (int cpu : cpus) {
            if (cpu < 0 || cpu > MAX_CPU) {
                throw new IllegalArgumentException("CPU " + cpu + " is out of range: " + ALLOWED);
            }
            if (seen.get(cpu)) {
                throw new IllegalArgumentException("CPU " + cpu + " is listed twice: " + ALLOWED);
            }
            seen.set(cpu);
        }
    }

    /** {@code cpus} (ascending, each once) with ranges, {@code 0-3,6}; empty for none. */
    public static String format(int[] cpus) {
        final StringBuilder text = new StringBuilder();
        int i = 0;
        while (i < cpus.length) {
            int j = i;
            while (j + 1 < cpus.length && cpus[j + 1] == cpus[j] + 1) {
                j++;
            }
            if (text.length() > 0) {
                text.append(',');
            }
            text.append(cpus[i]);
            if (j > i) {
                text.append('-').append(cpus[j]);
            }
            i = j + 1;
        }
        return text.toString();
    }

    private static int number(String item, String digits) {
        if (digits.isEmpty() || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("'" + item + "' is not a CPU number or a range low-high: " + ALLOWED);
        }
        // Compared as text first: a number too large for an int is out of range too, not malformed.
        final String value = digits.replaceFirst("^0+(?=.)", "");
        if (value.length() > 4 || Integer.parseInt(value) > MAX_CPU) {
            throw new IllegalArgumentException("CPU " + value + " is out of range: " + ALLOWED);
        }
        return Integer.parseInt(value);
    }
}
