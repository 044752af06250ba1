package dev.steer.ingress.afpacket;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A group a feed starts carries {@code PACKET_FANOUT_FLAG_IGNORE_OUTGOING} only where the kernel knows the flag (Linux
 * 6.2): an older one stores unknown flag bits without effect, yet refuses every later member whose flags differ, so
 * there the flag would only lock out other programs. Decided from the kernel release ({@code uname -r}); no socket.
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class FanoutFlagsTest {
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "6.2.0, true",
        "6.2, true",
        "6.18.44-fc-v1272, true",
        "7.0.1, true",
        "10.1.0, true",
        "6.1.90, false",
        "6.1.0-18-amd64, false",
        "5.15.0-91-generic, false",
        "4.20.17, false",
        "3.10.0-1160.el7.x86_64, false",
        "'', false",
        "unknown, false",
    })
    void shouldAskTheGroupToLeaveOutgoingFramesOutOnlyWhenTheKernelIsAtLeast62(String release, boolean expected) {
        assertEquals(expected, RxRing.fanoutIgnoresOutgoing(release), release);
        assertEquals(expected ? Libc.PACKET_FANOUT_FLAG_IGNORE_OUTGOING << 16 : 0, RxRing.fanoutFlags(release), release);
    }

    /**
     * A group may carry the flag on a kernel that reads below 6.2 (backported, or started by another program or build),
     * so there a join without the flag is tried first, then one with it; from 6.2 with it first, then without.
     */
    @ParameterizedTest(name = "{0} -> flag first: {1}")
    @CsvSource({
        "6.2.0, true",
        "6.18.44-fc-v1272, true",
        "6.1.90, false",
        "5.15.0-91-generic, false",
        "unknown, false",
    })
    void shouldTryBothFlagSettingsInTheOrderTheKernelReleaseSuggests(String release, boolean flagFirst) {
        final int flag = Libc.PACKET_FANOUT_FLAG_IGNORE_OUTGOING << 16;
        assertArrayEquals(flagFirst ? new int[] {flag, 0} : new int[] {0, flag}, RxRing.fanoutFlagAttempts(release),
            release);
    }
}
