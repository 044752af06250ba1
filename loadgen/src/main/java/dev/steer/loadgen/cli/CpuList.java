package dev.steer.loadgen.cli;

import java.util.TreeSet;

/** Parses CPU lists the way Linux writes them ({@code 0-3,6,8-9}) and prints them back. */
final class CpuList {
    private CpuList() {
    }

    /**
     * The CPUs of {@code text}, sorted and distinct.
     *
     * @throws IllegalArgumentException naming the bad part
     */
    static int[] parse(String text) {
        final TreeSet<Integer> cpus = new TreeSet<>();
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("cpus='" + text + "': must be a CPU list such as 0-3,6");
        }
        for (String part : text.split(",")) {
            final String range = part.trim();
            try {
                final int dash = range.indexOf('-');
                final int from = Integer.parseInt(dash < 0 ? range : range.substring(0, dash).trim());
                final int to = dash < 0 ? from : Integer.parseInt(range.substring(dash + 1).trim());
                if (from < 0 || to < from || to > 4095) {
                    throw new NumberFormatException();
                }
                for (int cpu = from; cpu <= to; cpu++) {
                    cpus.add(cpu);
                }
            } catch (NumberFormatException ex) {
                throw new IllegalArgumentException("cpus='" + text + "': '" + range
                    + "' is not a CPU or a range a-b of CPUs 0..4095", ex);
            }
        }
        return cpus.stream().mapToInt(Integer::intValue).toArray();
    }

    /** {@code cpus} as a list with ranges. */
    static String format(int[] cpus) {
        final StringBuilder text = new StringBuilder();
        for (int i = 0; i < cpus.length; i++) {
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
            i = j;
        }
        return text.toString();
    }
}
