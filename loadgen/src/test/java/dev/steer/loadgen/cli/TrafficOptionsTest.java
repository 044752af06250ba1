package dev.steer.loadgen.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import dev.steer.loadgen.traffic.TrafficProfile;

/** The traffic options are shorthands for {@code traffic { }} keys: they take what the keys take. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TrafficOptionsTest {
    private static TrafficProfile profile(String rate, String sizes) {
        final Map<String, Object> values = new LinkedHashMap<>();
        TrafficOptions.put(values, rate, null, sizes, null, null, null);
        return TrafficProfile.fromConfig(ConfigFactory.parseMap(values, "command line").withFallback(
            ConfigFactory.parseString("traffic {}")));
    }

    @ParameterizedTest
    @CsvSource({"max, 0", "MAX, 0", "250k, 250000", "2.5M, 2500000", "1G, 1000000000", "1000, 1000", "1_000_000, 1000000"})
    void shouldTakeEveryRateTheKeyTakesWhenGivenAsTheRateOption(String option, long expected) {
        assertEquals(expected, profile(option, null).rate());
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "fast", "-5", "1.5", "2G", "10x"})
    void shouldRefuseARateNamingTheOptionTheValueAndWhatIsAllowedWhenItIsNotARate(String option) {
        final IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> profile(option, null));
        assertEquals("--rate " + option + ": must be max or packets/s 1..1000000000 (a whole number, suffix k, M or G"
            + " allowed, e.g. 250k)", error.getMessage());
    }

    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {
        "2m; m would read as milli: write M for millions", "2.5m; m would read as milli: write M for millions",
        "250K; write k for thousands, not K", "1g; write G for billions, not g"})
    void shouldRefuseARateSuffixTheDocsDoNotNameSayingWhichToWriteWhenItsCaseIsWrong(String option, String hint) {
        // K, m and g were taken as k, M and G, although the help and docs name k, M and G only (m reads as milli).
        final IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> profile(option, null));
        assertEquals("--rate " + option + ": must be max or packets/s 1..1000000000 (a whole number, suffix k, M or G"
            + " allowed, e.g. 250k); " + hint, error.getMessage());
    }

    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {
        "64; 64:1", "imix; 64:7,594:4,1518:1", "64:7,594:4,1518:1; 64:7,594:4,1518:1", "64,128; 64:1,128:1"})
    void shouldReadASizeImixOrAListWhenGivenAsTheSizesOption(String option, String expected) {
        assertEquals(expected, profile(null, option).sizes().toString().replaceAll("[\\[\\] ]", ""));
    }

    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {
        "64:1:2; '64:1:2' is not SIZE or SIZE:WEIGHT", "64:; '64:' is not SIZE or SIZE:WEIGHT",
        ":5; ':5' is not SIZE or SIZE:WEIGHT", ",; an empty entry", "64,,128; an empty entry", "64,; an empty entry"})
    void shouldRefuseASizesListNamingTheBadEntryWhenAnEntryIsEmptyOrHasMoreThanSizeAndWeight(String option, String why) {
        final IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> profile(null, option));
        assertEquals("--sizes " + option + ": " + why + "; must be a frame size in bytes (64), imix, or a list of SIZE or"
            + " SIZE:WEIGHT such as 64:7,594:4,1518:1", error.getMessage());
    }
}
