package dev.steer.loadgen.traffic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TrafficConfigTest {
    @TempDir
    Path dir;

    private Path write(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text);
    }

    @Test
    void shouldReadEveryKeyWhenTheBlockIsComplete() throws IOException {
        final Path file = write("full.conf", """
            traffic {
              flows = 300
              seed = 9
              ip-version { ipv4 = 2, ipv6 = 1 }
              protocol { udp = 3, tcp = 2, icmp = 1 }
              frame-size = [ { size = 64, weight = 3 }, { size = 1518 } ]
              rate = 2.5M
              burst = 32
              vlan = 100
              ipv4 { src = "192.168.0.0/20", dst = "172.16.0.1" }
              ipv6 { src = "2001:db8::/48", dst = "2001:db8:1::/120" }
              ports { src = 5000, dst = "80-81" }
            }
            """);
        final TrafficProfile p = Scenarios.load(file.toString()).traffic();
        assertEquals(new TrafficProfile(300, 9, 2, 1, 3, 2, 1, FrameSizes.weighted(64, 3, 1518, 1), 2_500_000, 32, 100,
            Ipv4Range.parse("192.168.0.0/20"), Ipv4Range.parse("172.16.0.1/32"), Ipv6Range.parse("2001:db8::/48"),
            Ipv6Range.parse("2001:db8:1::/120"), new PortRange(5000, 5000), new PortRange(80, 81)), p);
    }

    @Test
    void shouldKeepDefaultsAndReadShortFormsWhenKeysAreOmitted() {
        assertEquals(TrafficProfile.defaults(), TrafficProfile.fromConfig(ConfigFactory.parseString("traffic {}")));
        assertEquals(FrameSizes.imix(), TrafficProfile.fromConfig(
            ConfigFactory.parseString("traffic.frame-size = imix")).sizes());
        assertEquals(FrameSizes.fixed(128), TrafficProfile.fromConfig(
            ConfigFactory.parseString("traffic.frame-size = \"fixed 128\"")).sizes());
        assertEquals(250_000, TrafficProfile.fromConfig(ConfigFactory.parseString("traffic.rate = 250k")).rate());
        assertEquals(TrafficProfile.RATE_MAX, TrafficProfile.fromConfig(ConfigFactory.parseString("traffic.rate = max")).rate());
        assertEquals(TrafficProfile.NO_VLAN, TrafficProfile.fromConfig(ConfigFactory.parseString("traffic.vlan = off")).vlan());
    }

    @Test
    void shouldReportEveryProblemWithFileLineKeyAndValueWhenTheBlockIsBad() throws IOException {
        final Path file = write("bad.conf", """
            traffic {
              flows = 0
              protocl { udp = 1 }
              frame-size = [ { size = 20, weight = 1 }, { size = 64, wieght = 2 } ]
              rate = fast
              vlan = 5000
              ipv4 { src = "10.0.0.0/33" }
              ports { dst = "90-80" }
            }
            """);
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> Scenarios.load(file.toString()));
        final String message = ex.getMessage();
        final String f = file.toString();
        for (String expected : new String[] {
            f + ":2: traffic.flows=0: must be 1..16777216",
            f + ":3: traffic.protocl: unknown key; did you mean protocol?",
            f + ":4: traffic.frame-size[1].wieght: unknown key; did you mean weight?",
            f + ":4: traffic.frame-size size 20: must be 64..9022 bytes on the wire, FCS included",
            f + ":5: traffic.rate = \"fast\": must be max or packets/s",
            f + ":6: traffic.vlan=5000: must be off or a VLAN id 1..4094",
            f + ":7: traffic.ipv4.src = '10.0.0.0/33': must be an IPv4 prefix",
            f + ":8: traffic.ports.dst = '90-80': must be a port or a range first-last",
        }) {
            assertTrue(message.contains(expected), "message names " + expected + ":\n" + message);
        }
        assertTrue(message.contains("(8 problems)"), message);
    }

    @Test
    void shouldRefuseALowercaseMRateSuffixSayingToWriteMWhenTheFileGivesIt() throws IOException {
        // The key takes what --rate takes: 2m (milli?) was read as 2M.
        final Path file = write("milli.conf", """
            traffic {
              rate = 2m
            }
            """);
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> Scenarios.load(file.toString()));
        assertTrue(ex.getMessage().contains(file + ":2: traffic.rate = \"2m\": must be max or packets/s"
            + " 1..1000000000 (a whole number, suffix k, M or G allowed, e.g. 250k); m would read as milli: write M for"
            + " millions"), ex.getMessage());
    }

    @Test
    void shouldReadAnOnOffPatternFromTheFileAndRefuseOneThatIsNotAPatternNamingTheKey() {
        final TrafficProfile bursts = TrafficProfile.fromConfig(ConfigFactory.parseString(
            "traffic { rate = 100k, on-off = \"10ms/90ms\" }"));
        assertEquals(10_000_000L, bursts.onNs());
        assertEquals(90_000_000L, bursts.offNs());
        assertEquals(10_000, bursts.averageRate(), "100k during 10 ms of every 100 ms");
        assertEquals(0.1, TrafficProfile.fromConfig(ConfigFactory.parseString(
            "traffic { rate = 1, on-off = \"10ms/90ms\" }")).averageRate(), 1e-12, "1/s during 10 ms of every 100 ms");
        for (String none : new String[] {"off", "false"}) {
            final TrafficProfile plain = TrafficProfile.fromConfig(ConfigFactory.parseString("traffic.on-off = " + none));
            assertEquals(TrafficProfile.NO_ON_OFF, plain.onNs(), none);
            assertEquals(TrafficProfile.NO_ON_OFF, plain.offNs(), none);
        }
        for (String bad : new String[] {"\"10ms\"", "5", "true", "\"10ms/90\"", "\"1m/1m\""}) {
            final String message = assertThrows(IllegalArgumentException.class, () -> TrafficProfile.fromConfig(
                ConfigFactory.parseString("traffic.on-off = " + bad)), bad).getMessage();
            assertTrue(message.contains("on-off") && message.contains(TrafficProfile.ON_OFF_ALLOWED), message);
        }
        for (String outOfBounds : new String[] {"\"0ms/10ms\"", "\"10ms/2h\"", "\"100ns/1ms\""}) {
            final String message = assertThrows(IllegalArgumentException.class, () -> TrafficProfile.fromConfig(
                ConfigFactory.parseString("traffic.on-off = " + outOfBounds)), outOfBounds).getMessage();
            assertTrue(message.contains("on-off"), message);
        }
    }

    @Test
    void shouldDeriveTheBurstFromTheRateWhenNoneIsGivenAndKeepAGivenOne() {
        // One rule for every pacer of a profile, a sender thread's and a synthetic feed's: a millisecond of traffic,
        // 64..65536 frames.
        final TrafficProfile unset = TrafficProfile.fromConfig(ConfigFactory.parseString("traffic.rate = 10M"));
        assertEquals(TrafficProfile.BURST_FROM_RATE, unset.burst());
        assertEquals(10_000, unset.pacerBurst());
        assertEquals(10_000, unset.newPacer().burst());
        assertEquals(64, unset.withRate(10_000, TrafficProfile.BURST_FROM_RATE).pacerBurst());
        assertEquals(65_536, unset.withRate(TrafficProfile.MAX_RATE, TrafficProfile.BURST_FROM_RATE).pacerBurst());
        final TrafficProfile given = TrafficProfile.fromConfig(
            ConfigFactory.parseString("traffic { rate = 10M, burst = 16 }"));
        assertEquals(16, given.pacerBurst());
        assertEquals(16, given.newPacer().burst());
        assertEquals(null, TrafficProfile.defaults().newPacer(), "no pacer at the maximum rate");
    }

    @Test
    void shouldRefuseTheNoBurstValueOnceWhenAFileWritesIt() {
        for (String burst : new String[] {"-1", "0", "65537"}) {
            final String message = assertThrows(IllegalArgumentException.class, () -> TrafficProfile.fromConfig(
                ConfigFactory.parseString("traffic.burst = " + burst))).getMessage();
            assertTrue(message.contains("traffic.burst=" + burst + ": must be 1..65536 frames"), message);
            assertTrue(message.contains("(1 problem)"), message);
        }
        final String message = assertThrows(IllegalArgumentException.class, () -> TrafficProfile.fromConfig(
            ConfigFactory.parseString("traffic.burst = lots"))).getMessage();
        assertTrue(message.contains("traffic.burst = \"lots\": must be an integer") && message.contains("(1 problem)"),
            message);
    }

    @Test
    void shouldReportTooFewTuplesWhenTheRangesAreNarrowerThanTheFlows() {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () ->
            TrafficProfile.fromConfig(ConfigFactory.parseString("""
                traffic {
                  flows = 100
                  protocol { icmp = 1 }
                  ipv4 { src = "10.0.0.0/29", dst = "10.1.0.0/30" }
                }
                """)));
        assertTrue(ex.getMessage().contains(": traffic.flows=100: 100 flows of ipv4/icmp need as many distinct tuples but"
            + " ipv4.src x ipv4.dst give only 32"), ex.getMessage());
    }

    @Test
    void shouldReportAMissingBlockWhenTheFileHasNoTraffic() throws IOException {
        final Path file = write("none.conf", "run { duration = 1s }\nextra = 1\n");
        final String message = assertThrows(IllegalArgumentException.class, () -> Scenarios.load(file.toString()))
            .getMessage();
        assertTrue(message.contains("no traffic { } block"), message);
        assertTrue(message.contains(file + ":2: extra: unknown block; allowed: traffic, run"), message);
    }

    @Test
    void shouldNameTheShippedScenariosWhenTheNameIsUnknown() {
        final String message = assertThrows(IllegalArgumentException.class, () -> Scenarios.load("no-such-scenario"))
            .getMessage();
        assertTrue(message.contains("not a shipped scenario [flood-64, imix, many-flows, churn]"), message);
    }

    @Test
    void shouldLoadEveryShippedScenarioWhenNamed() {
        for (String name : Scenarios.SHIPPED) {
            final Scenario scenario = Scenarios.load(name);
            assertEquals(name, scenario.name());
            new TrafficGenerator(scenario.traffic()).next(new org.agrona.concurrent.UnsafeBuffer(new byte[2048]), 0, 2048);
        }
        final TrafficProfile flood = Scenarios.load("flood-64").traffic();
        assertEquals(1024, flood.flows());
        assertEquals(FrameSizes.fixed(64), flood.sizes());
        assertTrue(flood.unpaced());
        assertEquals(FrameSizes.imix(), Scenarios.load("imix").traffic().sizes());
        assertEquals(1_000_000, Scenarios.load("many-flows").traffic().flows());
        assertEquals(Duration.ofMillis(100), Scenarios.load("churn").run().getDuration("churn-interval"));
        assertEquals(200_000, Scenarios.load("churn").traffic().rate());
    }

    @Test
    void shouldRefuseBadValuesWhenBuiltInCode() {
        final String message = assertThrows(IllegalArgumentException.class,
            () -> TrafficProfile.defaults().withFlows(0).withSizes(FrameSizes.fixed(63))).getMessage();
        assertTrue(message.contains("flows=0: must be 1..16777216"), message);
        final String both = assertThrows(IllegalArgumentException.class,
            () -> new TrafficProfile(0, 1, 0, 0, 1, 0, 0, FrameSizes.fixed(63), -1, 0, 0,
                TrafficProfile.DEFAULT_IPV4_SRC, TrafficProfile.DEFAULT_IPV4_DST, TrafficProfile.DEFAULT_IPV6_SRC,
                TrafficProfile.DEFAULT_IPV6_DST, TrafficProfile.DEFAULT_SRC_PORTS, TrafficProfile.DEFAULT_DST_PORTS))
            .getMessage();
        for (String expected : new String[] {"flows=0", "ip-version: ipv4=0, ipv6=0: at least one weight must be positive",
            "frame-size size 63: must be 64..9022", "rate=-1", "burst=0", "vlan=0"}) {
            assertTrue(both.contains(expected), expected + " in " + both);
        }
    }
}
