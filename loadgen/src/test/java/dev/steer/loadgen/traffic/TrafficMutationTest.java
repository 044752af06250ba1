package dev.steer.loadgen.traffic;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Traffic blocks nobody wrote a case for: each shipped scenario with values swapped for odd ones, lines dropped
 * or repeated, 400 seeded mutations per scenario. Each is either not HOCON at all (the parser's own error, with
 * its line), or reads into a profile, or is refused with an {@link IllegalArgumentException} that lists its
 * problems; nothing else reaches the user, and a profile that reads can build its flows.
 */
@Timeout(120)
class TrafficMutationTest {
    private static final String[] ODD_VALUES = {"-1", "0", "1", "2147483648", "-2147483649", "9223372036854775808",
        "1e99", "0.5", "\"\"", "[]", "{}", "null", "true", "abc", "[1, 2]", "{ a = 1 }", "1ms", "NaN", "99999g",
        "\"10.0.0.0/33\"", "\"10.0.0.0/0\"", "\"fd00::/129\"", "\"::/0\"", "\"65535-1024\"", "\"0-0\"", "\"1-70000\"",
        "\"fixed 0\"", "\"fixed 99999\"", "\"300.1.1.1/8\"", "4095", "4096", "\"x\" \"y\""};
    private static final Pattern VALUE = Pattern.compile("(?<=[=:]\\s{0,8})(\"[^\"\\n]*\"|\\[[^\\]\\n]*\\]|[^\\s,}\\]#\\n]+)");

    @ParameterizedTest
    @ValueSource(strings = {"churn.conf", "flood-64.conf", "imix.conf", "many-flows.conf"})
    void shouldReadOrRefuseWithTheProblemsWhateverTheDamageToAScenario(String scenario) throws IOException {
        final String good;
        try (InputStream in = TrafficMutationTest.class.getResourceAsStream("/dev/steer/loadgen/scenarios/" + scenario)) {
            good = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        int read = 0;
        for (int seed = 0; seed < 400; seed++) {
            final String bad = mutate(good, new SplittableRandom(seed));
            final com.typesafe.config.Config config;
            try {
                config = ConfigFactory.parseString(bad, com.typesafe.config.ConfigParseOptions.defaults()
                    .setOriginDescription(scenario)).resolve();
            } catch (ConfigException notHocon) {
                continue; // the parser's own message, with the line: what the CLI prints for a file that is not HOCON
            }
            try {
                final TrafficProfile profile = TrafficProfile.fromConfig(config);
                new FlowPlan(profile);
                read++;
            } catch (IllegalArgumentException refused) {
                assertTrue(refused.getMessage() != null && refused.getMessage().contains(scenario),
                    scenario + " seed " + seed + " names where: " + refused.getMessage());
            } catch (RuntimeException other) {
                throw new AssertionError(scenario + " seed " + seed + ": not a list of problems but " + other
                    + "\n--- block ---\n" + bad, other);
            }
        }
        assertTrue(read < 400, "some mutations must be refused");
    }

    private static String mutate(String good, SplittableRandom random) {
        String text = good;
        for (int step = 1 + random.nextInt(3); step > 0; step--) {
            switch (random.nextInt(4)) {
                case 0, 1 -> {
                    final List<int[]> values = new ArrayList<>();
                    final Matcher matcher = VALUE.matcher(text);
                    while (matcher.find()) {
                        values.add(new int[] {matcher.start(), matcher.end()});
                    }
                    if (!values.isEmpty()) {
                        final int[] at = values.get(random.nextInt(values.size()));
                        text = text.substring(0, at[0]) + ODD_VALUES[random.nextInt(ODD_VALUES.length)]
                            + text.substring(at[1]);
                    }
                }
                case 2 -> {
                    final List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
                    lines.remove(random.nextInt(lines.size()));
                    text = String.join("\n", lines);
                }
                default -> {
                    final List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
                    final int at = random.nextInt(lines.size());
                    lines.add(at, lines.get(at));
                    text = String.join("\n", lines);
                }
            }
        }
        return text;
    }
}
