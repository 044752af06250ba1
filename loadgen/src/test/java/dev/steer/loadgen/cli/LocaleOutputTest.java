package dev.steer.loadgen.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The rule of docs/output.md, numbers with {@code ,} for thousands and {@code .} for decimals whatever the locale,
 * held by every line of {@code steer run}, {@code steer loadgen} and {@code steer bench}, under a German default
 * locale (which writes {@code 29.760} and {@code 1,50}).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LocaleOutputTest {
    private static final Pattern TRANSPORT = Pattern.compile("transport: sent ([0-9,]+), received ([0-9,]+), not received ");
    private static final Pattern CHURN = Pattern.compile("churn: ([0-9,]+) map operations: ");
    private static final Pattern SENT = Pattern.compile(
        "sent ([0-9,]+) frames in ([0-9]+\\.[0-9]{2}) s \\(([0-9,]+) frames/s\\), ([0-9,]+) send attempts back-pressured");
    private static final Pattern RATE_LINE = Pattern.compile("steer loadgen: +([0-9,]+) frames/s +([0-9,]+) sent ");

    private Locale saved;

    @BeforeEach
    void germanLocale() {
        saved = Locale.getDefault();
        Locale.setDefault(Locale.GERMANY);
    }

    @AfterEach
    void restoreLocale() {
        Locale.setDefault(saved);
    }

    private static Matcher find(Pattern pattern, String text, String where) {
        final Matcher m = pattern.matcher(text);
        assertTrue(m.find(), pattern + " in " + where);
        return m;
    }

    /** A count of at least 1,000 written with {@code ,} every three digits, as {@code Units.count} writes it. */
    private static void assertGrouped(String number, String where) {
        assertTrue(number.matches("[0-9]{1,3}(,[0-9]{3})+"), number + " grouped with ',': " + where);
    }

    @Test
    void shouldGroupTheTransportAndChurnCountsWithCommasWhenTheDefaultLocaleIsGerman() {
        final CliRunner result = CliRunner.run("run", "--feed", "udp", "--listen", "127.0.0.1:0", "--duration", "1500ms",
            "--rate", "20000", "--churn", "1ms", "--no-pin");
        assertEquals(SteerCli.EXIT_OK, result.exit(), result.toString());
        final Matcher transport = find(TRANSPORT, result.out(), result.toString());
        assertGrouped(transport.group(1), result.toString());
        assertGrouped(transport.group(2), result.toString());
        assertTrue(result.out().contains("  ingress-0 "), result.toString());
        // Fewer than 1,000 operations on a busy machine: then there is nothing to group, but no '.' either.
        final String operations = find(CHURN, result.out(), result.toString()).group(1);
        if (operations.length() > 3) {
            assertGrouped(operations, result.toString());
        }
    }

    @Test
    void shouldWriteTheLoadgenTotalsAndRateLinesWithCommasAndADotWhenTheDefaultLocaleIsGerman() throws Exception {
        try (DatagramSocket sink = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            final CliRunner result = CliRunner.run("loadgen", "--to", "udp", "--target", "127.0.0.1:" + sink.getLocalPort(),
                "--rate", "10k", "--duration", "2500ms");
            assertEquals(SteerCli.EXIT_OK, result.exit(), result.toString());
            final Matcher sent = find(SENT, result.out(), result.toString());
            assertGrouped(sent.group(1), result.toString());
            assertGrouped(sent.group(3), result.toString());
            final Matcher line = find(RATE_LINE, result.err(), result.toString());
            assertGrouped(line.group(1), result.toString());
            assertGrouped(line.group(2), result.toString());
        }
    }

    @Test
    void shouldWriteTheBenchTableWithCommasAndADotWhenTheDefaultLocaleIsGerman() {
        final StringWriter text = new StringWriter();
        BenchReport.printTable(new PrintWriter(text, true),
            List.of(new BenchCommand.Measured("engine", "engine label", 1_234_567.0, 12_345.0, 0.5)),
            Map.of("engine / tell", 2.5));
        final String table = text.toString();
        assertTrue(table.contains("1,234,567") && table.contains("12,345") && table.contains("0.500"), table);
        assertTrue(table.contains("2.50"), table);
    }
}
