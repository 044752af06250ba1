package dev.steer.loadgen.send;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** How {@code steer loadgen --to udp} names its target: HOST:PORT, as the option takes it and the docs print it. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class UdpOutputTest {
    @Test
    void shouldDescribeTheTargetAsHostColonPortWhenGivenAnIpv4Address() {
        try (UdpOutput output = new UdpOutput("127.0.0.1", 9)) {
            assertEquals("udp 127.0.0.1:9", output.describe());
        }
    }

    @Test
    void shouldPutAnIpv6AddressInBracketsWhenDescribingTheTarget() {
        try (UdpOutput output = new UdpOutput("::1", 9)) {
            assertEquals("udp [::1]:9", output.describe());
        }
    }
}
