package dev.steer.loadgen.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.steer.cluster.config.DeploymentException;
import dev.steer.cluster.config.DeploymentLoader;
import dev.steer.engine.map.CpuSet;
import dev.steer.loadgen.traffic.FlowPlan;
import dev.steer.loadgen.traffic.TrafficProfile;

/**
 * What {@code steer run --config FILE} reads, damaged in ways nobody wrote a case for: the shipped deployment
 * examples and traffic scenarios with values swapped for odd ones (negative, zero, huge, fractional, empty, null,
 * the wrong type, bad ranges), lines dropped or repeated, 400 seeded mutations per file. A deployment loads or
 * is refused with a {@link DeploymentException} naming the file; a traffic block is not HOCON (the parser's own
 * error, with its line), or reads into a profile whose flows build, or is refused with an
 * {@link IllegalArgumentException} naming where. Nothing else reaches the user.
 */
@Timeout(120)
class ConfigMutationTest {
    private static final int MUTATIONS = 400;
    private static final String[] ODD_VALUES = {"-1", "0", "1", "2147483648", "-2147483649", "9223372036854775808",
        "1e99", "0.5", "-0.0", "\"\"", "\" \"", "[]", "{}", "null", "true", "abc", "\"node-9\"", "[1, 2]",
        "{ a = 1 }", "1ms", "-5s", "99999999d", "NaN", "99999g", "\"aeron:udp?endpoint=\"", "\"127.0.0.1:-1\"",
        "\"x\" \"y\"", "${?NO_SUCH_VARIABLE_SET}", "\"10.0.0.0/33\"", "\"10.0.0.0/0\"", "\"fd00::/129\"", "\"::/0\"",
        "\"65535-1024\"", "\"0-0\"", "\"1-70000\"", "\"fixed 0\"", "\"fixed 99999\"", "\"300.1.1.1/8\"", "4095", "4096"};
    /** A HOCON value after {@code =} or {@code :}: a quoted string, a list, or a bare token. */
    private static final Pattern VALUE = Pattern.compile("(?<=[=:]\\s{0,8})(\"[^\"\\n]*\"|\\[[^\\]\\n]*\\]|[^\\s,}\\]#\\n]+)");

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"single-node.conf", "two-node-cluster.conf", "three-node-cluster.conf"})
    void shouldLoadOrRefuseWithADeploymentErrorWhateverTheDamageToAnExample(String example) throws IOException {
        final String good = Files.readString(configDir().resolve(example));
        final DeploymentLoader loader = new DeploymentLoader(CpuSet.of(4, 0, 1, 3));
        final Path file = dir.resolve("mutated-" + example);
        int loaded = 0;
        for (int seed = 0; seed < MUTATIONS; seed++) {
            final String bad = mutate(good, new SplittableRandom(seed));
            Files.writeString(file, bad);
            try {
                loader.load(file, example.contains("cluster") ? "node-2" : null);
                loaded++;
            } catch (DeploymentException refused) {
                assertTrue(refused.getMessage().contains(file.toString()), "seed " + seed + " names the file: "
                    + refused.getMessage());
                assertFalse(refused.problems().isEmpty());
            } catch (RuntimeException other) {
                throw new AssertionError(example + " seed " + seed + ": not a DeploymentException but " + other
                    + "\n--- file ---\n" + bad, other);
            }
        }
        assertTrue(loaded < MUTATIONS, "some mutations must be refused");
    }

    @ParameterizedTest
    @ValueSource(strings = {"churn.conf", "flood-64.conf", "imix.conf", "many-flows.conf"})
    void shouldReadOrRefuseWithTheProblemsWhateverTheDamageToAScenario(String scenario) throws IOException {
        final String good;
        try (InputStream in = ConfigMutationTest.class.getResourceAsStream("/dev/steer/loadgen/scenarios/" + scenario)) {
            good = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        int read = 0;
        for (int seed = 0; seed < MUTATIONS; seed++) {
            final String bad = mutate(good, new SplittableRandom(seed));
            final Config config;
            try {
                config = ConfigFactory.parseString(bad, ConfigParseOptions.defaults().setOriginDescription(scenario))
                    .resolve();
            } catch (ConfigException notHocon) {
                continue; // the parser's own message, with the line: what the CLI prints for a file that is not HOCON
            }
            try {
                new FlowPlan(TrafficProfile.fromConfig(config));
                read++;
            } catch (IllegalArgumentException refused) {
                assertTrue(refused.getMessage() != null && refused.getMessage().contains(scenario),
                    scenario + " seed " + seed + " names where: " + refused.getMessage());
            } catch (RuntimeException other) {
                throw new AssertionError(scenario + " seed " + seed + ": not a list of problems but " + other
                    + "\n--- block ---\n" + bad, other);
            }
        }
        assertTrue(read < MUTATIONS, "some mutations must be refused");
    }

    /** One to three of: a value swapped for an odd one, a line dropped, a line repeated. */
    private static String mutate(String good, SplittableRandom random) {
        String text = good;
        for (int step = 1 + random.nextInt(3); step > 0; step--) {
            final List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
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
                    lines.remove(random.nextInt(lines.size()));
                    text = String.join("\n", lines);
                }
                default -> {
                    final int at = random.nextInt(lines.size());
                    lines.add(at, lines.get(at));
                    text = String.join("\n", lines);
                }
            }
        }
        return text;
    }

    /** The project's {@code config/} folder, found from the module's working directory. */
    private static Path configDir() {
        Path at = Path.of("").toAbsolutePath();
        for (int i = 0; i < 4 && at != null; i++, at = at.getParent()) {
            if (Files.isRegularFile(at.resolve("config/single-node.conf"))) {
                return at.resolve("config");
            }
        }
        throw new IllegalStateException("config/single-node.conf not found above " + Path.of("").toAbsolutePath());
    }
}
