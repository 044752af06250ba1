package dev.steer.ingress;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.Closeable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The extension releases every port it holds, also those after one whose close throws. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class HeldPortsTest {
    @Test
    void shouldReleaseEveryPortAndThrowTheFirstFailureWithTheOthersSuppressedWhenClosesThrow() {
        final HeldPorts ports = new HeldPorts();
        final List<String> closed = new ArrayList<>();
        final IOException first = new IOException("first");
        final IOException second = new IOException("second");
        ports.hold(closing("a", closed, null));
        ports.hold(closing("b", closed, first));
        ports.hold(closing("c", closed, null));
        ports.hold(closing("d", closed, second));
        ports.hold(closing("e", closed, null));
        final IOException thrown = assertThrows(IOException.class, () -> ports.afterEach(null));
        assertEquals(List.of("a", "b", "c", "d", "e"), closed, "every port is closed, in order");
        assertSame(first, thrown);
        assertArrayEquals(new Throwable[] {second}, thrown.getSuppressed());
    }

    @Test
    void shouldHoldNothingMoreAfterTheTestWhenACloseThrew() throws IOException {
        final HeldPorts ports = new HeldPorts();
        final List<String> closed = new ArrayList<>();
        ports.hold(closing("a", closed, new IOException("a")));
        assertThrows(IOException.class, () -> ports.afterEach(null));
        ports.afterEach(null);
        assertEquals(List.of("a"), closed, "released once, not again after the next test");
    }

    private static Closeable closing(String name, List<String> closed, IOException failure) {
        return () -> {
            closed.add(name);
            if (failure != null) {
                throw failure;
            }
        };
    }
}
