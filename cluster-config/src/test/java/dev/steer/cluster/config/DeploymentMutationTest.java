package dev.steer.cluster.config;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.steer.engine.map.CpuSet;

/**
 * Config files nobody wrote a case for: each shipped example with values swapped for odd ones (negative, zero,
 * huge, fractional, empty, the wrong type), lines dropped or repeated, 400 seeded mutations per file. Each
 * either loads or is refused with a {@link DeploymentException} that names the file; no other exception ever
 * reaches the user.
 */
@Timeout(120)
class DeploymentMutationTest {
    private static final String[] ODD_VALUES = {"-1", "0", "1", "2147483648", "-2147483649", "9223372036854775808",
        "1e99", "0.5", "-0.0", "\"\"", "\" \"", "[]", "{}", "null", "true", "abc", "\"node-9\"", "[1, 2]",
        "{ a = 1 }", "1ms", "-5s", "99999999d", "NaN", "\"aeron:udp?endpoint=\"", "\"127.0.0.1:-1\"", "\"x\" \"y\"",
        "${?NO_SUCH_VARIABLE_SET}"};
    /** A HOCON value after {@code =} or {@code :}: a quoted string, a list, or a bare token. */
    private static final Pattern VALUE = Pattern.compile("(?<=[=:]\\s{0,8})(\"[^\"\\n]*\"|\\[[^\\]\\n]*\\]|[^\\s,}\\]#\\n]+)");

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"single-node.conf", "three-node-cluster.conf"})
    void shouldLoadOrRefuseWithADeploymentErrorWhateverTheDamageToAnExample(String example) throws IOException {
        final String good = Files.readString(ExampleFiles.file(example));
        final DeploymentLoader loader = new DeploymentLoader(CpuSet.of(4, 0, 1, 3));
        final Path file = dir.resolve("mutated-" + example);
        int loaded = 0;
        for (int seed = 0; seed < 400; seed++) {
            final String bad = mutate(good, new SplittableRandom(seed));
            Files.writeString(file, bad);
            try {
                loader.load(file, example.startsWith("three") ? "node-2" : null);
                loaded++;
            } catch (DeploymentException refused) {
                assertTrue(refused.getMessage().contains(file.toString()), "seed " + seed + " names the file: "
                    + refused.getMessage());
                assertFalse(refused.getMessage().isBlank());
            } catch (RuntimeException other) {
                throw new AssertionError(example + " seed " + seed + ": not a DeploymentException but " + other
                    + "\n--- file ---\n" + bad, other);
            }
        }
        assertTrue(loaded < 400, "some mutations must be refused");
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
