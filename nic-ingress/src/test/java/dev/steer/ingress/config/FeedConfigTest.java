package dev.steer.ingress.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.steer.engine.path.Feed;
import dev.steer.ingress.aeron.AeronFeed;
import dev.steer.ingress.afpacket.AfPacketSettings;
import dev.steer.ingress.pcap.PcapFeed;
import dev.steer.ingress.pcap.PcapWriter;
import dev.steer.ingress.udp.UdpFeed;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class FeedConfigTest {
    /** Each UDP feed's settings carry its own name, not that of the plan (queue 0's, or port 0's). */
    private static void assertSettingsNamedAsTheirFeeds(FeedConfig.Opened opened) {
        for (Feed feed : opened.feeds()) {
            assertEquals(feed.name(), ((UdpFeed) feed).settings().name());
        }
    }

    private static Config parse(String text) {
        return ConfigFactory.parseString(text, ConfigParseOptions.defaults().setOriginDescription("test.conf"));
    }

    /** The one problem of the feed block written as {@code lines}, which must not plan. */
    private static String onlyProblem(String... lines) {
        final ConfigCheck check = new ConfigCheck();
        assertNull(FeedConfig.plan(parse(String.join("\n", lines)), check));
        assertEquals(1, check.errors().size(), check.errors().toString());
        return check.errors().getFirst();
    }

    @Test
    void shouldAskTheKernelForAGroupOfItsOwnWhenAfpacketQueuesNameNoFanoutGroup() {
        final ConfigCheck check = new ConfigCheck();
        final FeedConfig.Plan plan = FeedConfig.plan(parse("type = afpacket\nqueues = 2\nafpacket.interface = eth0"),
            check);
        assertTrue(check.ok(), check.errors()::toString);
        assertEquals(AfPacketSettings.UNIQUE_FANOUT_GROUP, plan.afpacket().fanoutGroup(),
            "no id derived from the pid, which another process may share");
        final ConfigCheck given = new ConfigCheck();
        final FeedConfig.Plan shared = FeedConfig.plan(parse("type = afpacket\nqueues = 2\n"
            + "afpacket { interface = eth0, fanout-group = 0 }"), given);
        assertTrue(given.ok(), given.errors()::toString);
        assertEquals(0, shared.afpacket().fanoutGroup(), "a given id is joined as given, 0 included");
    }

    @Test
    void shouldJoinTheGivenFanoutGroupWhenOneAfpacketQueueNamesItWithoutAFanoutMode() {
        final ConfigCheck check = new ConfigCheck();
        final FeedConfig.Plan plan = FeedConfig.plan(
            parse("type = afpacket\nafpacket { interface = eth0, fanout-group = 7 }"), check);
        assertTrue(check.ok(), check.errors()::toString);
        assertTrue(plan.afpacket().fanout(), "a group id given is a group to join, not a key to ignore");
        assertEquals(7, plan.afpacket().fanoutGroup());
        assertEquals(AfPacketSettings.FanoutMode.HASH, plan.afpacket().fanoutMode());
        final ConfigCheck none = new ConfigCheck();
        assertNull(FeedConfig.plan(parse("type = afpacket\nafpacket {\n  interface = eth0\n  fanout = none\n"
            + "  fanout-group = 7\n}"), none));
        assertTrue(String.join("\n", none.errors()).contains("test.conf:5: feed.afpacket.fanout-group: 7 has no effect"
            + " with fanout = none"), none.errors()::toString);
    }

    @Test
    void shouldDefaultToAeronIpcThroughAnEmbeddedDriverWhenTheBlockIsEmpty() {
        final ConfigCheck check = new ConfigCheck();
        final FeedConfig.Plan plan = FeedConfig.plan(ConfigFactory.empty(), check);
        assertTrue(check.ok(), check.errors().toString());
        assertTrue(plan.isAeron());
        assertEquals("aeron:ipc", plan.aeron().channel());
        assertEquals(AeronFeed.Mode.DROP, plan.aeron().mode());
        assertEquals("", plan.aeronDirectory());
        try (FeedConfig.Opened opened = FeedConfig.open(plan)) {
            assertEquals(1, opened.feeds().size());
            assertInstanceOf(AeronFeed.class, opened.feeds().get(0));
            assertTrue(opened.media().isEmbedded());
            opened.feeds().forEach(feed -> feed.close());
        }
    }

    @Test
    void shouldCloseTheFeedsNoEngineClosedWhenOpenedIsClosed() throws Exception {
        // An engine whose start() fails closes none of its feeds; the documented clean-up is Opened.close().
        final ConfigCheck check = new ConfigCheck();
        final FeedConfig.Plan plan = FeedConfig.plan(parse("type = udp\nqueues = 2\nudp.bind = \"127.0.0.1:0\""),
            check);
        assertTrue(check.ok(), check.errors().toString());
        final FeedConfig.Opened opened = FeedConfig.open(plan);
        final List<Integer> ports = opened.feeds().stream().map(feed -> ((UdpFeed) feed).boundPort()).toList();
        opened.close();
        for (int port : ports) {
            try (java.nio.channels.DatagramChannel again = java.nio.channels.DatagramChannel.open()) {
                again.bind(new java.net.InetSocketAddress("127.0.0.1", port));
            } catch (java.net.BindException ex) {
                throw new AssertionError("udp port " + port + " is still bound after Opened.close(): "
                    + ex.getMessage());
            }
        }
        opened.close(); // a second close, and a close after the ingress' own, is harmless
    }

    @Test
    void shouldReportEveryProblemOfTheBlockAtOnceWithLineKeyValueAndWhatIsAllowed() {
        final ConfigCheck check = new ConfigCheck();
        final FeedConfig.Plan plan = FeedConfig.plan(parse(String.join("\n",
            "type = udp",
            "queues = 0",
            "mode = lossy",
            "udp { bind = \"localhost\", recieve-buffer = 1m }",
            "colour = blue")), check);
        assertNull(plan);
        final String errors = String.join("\n", check.errors());
        assertTrue(errors.contains("test.conf:2: feed.queues: 0 is out of range: must be 1..64"), errors);
        assertTrue(errors.contains("test.conf:3: feed.mode: 'lossy' is not one of drop | lossless"), errors);
        assertTrue(errors.contains("feed.udp.recieve-buffer: unknown key; did you mean receive-buffer?"), errors);
        assertTrue(errors.contains("feed.colour: unknown key"), errors);
        assertTrue(errors.contains("test.conf:4: feed.udp.bind: 'localhost' must be HOST:PORT"), errors);
    }

    @Test
    void shouldRefuseAnAeronSpyWithFileLineKeyAndWhatToDoWhenTheDriverIsEmbedded() {
        final ConfigCheck check = new ConfigCheck();
        final FeedConfig.Plan plan = FeedConfig.plan(parse(String.join("\n",
            "type = aeron",
            "aeron {",
            "  channel = \"aeron-spy:aeron:udp?endpoint=127.0.0.1:40123\"",
            "}")), check);
        assertNull(plan);
        assertEquals(List.of("test.conf:3: feed.aeron.channel: 'aeron-spy:aeron:udp?endpoint=127.0.0.1:40123': a spy"
            + " reads publications of its own media driver, and nothing else publishes through the embedded one: give"
            + " the directory of the driver the application publishes through (feed.aeron.directory, --aeron-dir)"),
            check.errors());
        final ConfigCheck external = new ConfigCheck();
        final FeedConfig.Plan spy = FeedConfig.plan(parse(String.join("\n",
            "type = aeron",
            "aeron {",
            "  channel = \"aeron-spy:aeron:udp?endpoint=127.0.0.1:40123\"",
            "  directory = \"/dev/shm/aeron-app\"",
            "}")),
            external);
        assertEquals(List.of(), external.errors());
        assertTrue(spy.aeron().spy(), "an external driver's publication can be spied on");
    }

    @Test
    void shouldRefuseAnAeronSpyOfAnIpcPublicationWithFileLineKeyValueAndWhatIsAllowed() {
        final String error = onlyProblem("type = aeron", "aeron {", "  channel = \"aeron-spy:aeron:ipc\"",
            "  directory = \"/dev/shm/aeron-app\"", "}");
        assertTrue(error.startsWith("test.conf:3: feed.aeron.channel: aeron channel='aeron-spy:aeron:ipc': "), error);
        assertTrue(error.contains("spy on aeron-spy:aeron:udp?endpoint=HOST:PORT"), error);
    }

    @Test
    void shouldRefuseAMulticastAeronEndpointOnPortZeroWithFileLineKeyValueAndWhatIsAllowed() {
        final String error = onlyProblem("type = aeron", "aeron {", "  channel = \"aeron:udp?endpoint=239.1.2.3:0\"",
            "}");
        assertTrue(error.startsWith(
            "test.conf:3: feed.aeron.channel: aeron channel='aeron:udp?endpoint=239.1.2.3:0': "), error);
        assertTrue(error.contains("multicast") && error.contains("port 1..65535"), error);
    }

    @Test
    void shouldReportUnknownKeysInEveryGivenTypeBlockWhenTheTypeIsAnother() {
        final ConfigCheck check = new ConfigCheck();
        final FeedConfig.Plan plan = FeedConfig.plan(parse(String.join("\n",
            "type = aeron",
            "udp { bnd = \"127.0.0.1:9100\" }",
            "pcap { file = \"x.pcap\", loop = 2 }",
            "synthetic { flows = 64 }",
            "afpacket = eth0")), check);
        assertNull(plan);
        final String errors = String.join("\n", check.errors());
        assertTrue(errors.contains("test.conf:2: feed.udp.bnd: unknown key; did you mean bind?"), errors);
        assertTrue(errors.contains("test.conf:3: feed.pcap.loop: unknown key; did you mean loops?"), errors);
        assertTrue(errors.contains("test.conf:4: feed.synthetic.flows: unknown key; the synthetic feed has no settings"
            + " of its own: its traffic is set in the file's traffic block or with the traffic options"), errors);
        assertTrue(errors.contains("test.conf:5: feed.afpacket: must be a block { ... } of block-count"), errors);
        assertEquals(4, check.errors().size(), errors);
    }

    @Test
    void shouldAcceptAnEmptySyntheticBlockAndOtherTypesBlocksWithKnownKeys() {
        final ConfigCheck check = new ConfigCheck();
        final FeedConfig.Plan plan = FeedConfig.plan(parse(String.join("\n",
            "type = synthetic",
            "synthetic { }",
            "udp { bind = \"127.0.0.1:9100\" }")), check);
        assertTrue(check.ok(), check.errors().toString());
        assertEquals("synthetic", plan.type());
    }

    @Test
    void shouldOpenOneUdpFeedPerQueueOnConsecutivePorts() throws Exception {
        final int base;
        try (java.net.DatagramSocket a = new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress())) {
            base = a.getLocalPort();
        }
        final ConfigCheck check = new ConfigCheck();
        final FeedConfig.Plan plan = FeedConfig.plan(
            parse("type = udp\nqueues = 2\nudp.bind = \"127.0.0.1:" + base + "\""), check);
        assertNotNull(plan, check.errors().toString());
        try (FeedConfig.Opened opened = FeedConfig.open(plan)) {
            assertEquals(base, ((UdpFeed) opened.feeds().get(0)).boundPort());
            assertEquals(base + 1, ((UdpFeed) opened.feeds().get(1)).boundPort());
            assertEquals("udp:127.0.0.1:" + base, opened.feeds().get(0).name());
            assertEquals("udp:127.0.0.1:" + (base + 1), opened.feeds().get(1).name());
            assertSettingsNamedAsTheirFeeds(opened);
            opened.feeds().forEach(feed -> feed.close());
        }
    }

    @Test
    void shouldBindAnEphemeralPortPerQueueAndNameEachByItsBoundPortWhenThePortIsZero() {
        final ConfigCheck check = new ConfigCheck();
        final FeedConfig.Plan plan = FeedConfig.plan(parse("type = udp\nqueues = 2\nudp.bind = \"127.0.0.1:0\""),
            check);
        assertNotNull(plan, check.errors().toString());
        try (FeedConfig.Opened opened = FeedConfig.open(plan)) {
            final int first = ((UdpFeed) opened.feeds().get(0)).boundPort();
            final int second = ((UdpFeed) opened.feeds().get(1)).boundPort();
            assertTrue(first != 0 && second != 0 && first != second, first + ", " + second);
            assertEquals("udp:127.0.0.1:" + first, opened.feeds().get(0).name());
            assertEquals("udp:127.0.0.1:" + second, opened.feeds().get(1).name());
            assertSettingsNamedAsTheirFeeds(opened);
            opened.feeds().forEach(feed -> feed.close());
        }
    }

    @Test
    void shouldOpenAPcapFeedAndRefuseAMissingFile(@TempDir Path dir) {
        final Path file = dir.resolve("x.pcap");
        try (PcapWriter writer = PcapWriter.create(file)) {
            writer.write(new byte[60], 0);
        }
        final ConfigCheck check = new ConfigCheck();
        final FeedConfig.Plan plan = FeedConfig.plan(parse("type = pcap\npcap { file = \"" + file
            + "\", pace = capture, loops = 2, max-gap = 250ms }"), check);
        assertNotNull(plan, check.errors().toString());
        try (FeedConfig.Opened opened = FeedConfig.open(plan)) {
            final PcapFeed feed = (PcapFeed) opened.feeds().get(0);
            assertEquals(2, feed.settings().loops());
            assertEquals(java.time.Duration.ofMillis(250), feed.settings().maxGap());
            feed.close();
        }
        final ConfigCheck badGap = new ConfigCheck();
        assertNull(FeedConfig.plan(parse("type = pcap\npcap { file = \"" + file + "\", max-gap = 0s }"), badGap));
        assertTrue(badGap.errors().get(0).contains("feed.pcap.max-gap: \"0s\" is out of range: must be 1ms..86400s"),
            badGap.errors().toString());
        final ConfigCheck missing = new ConfigCheck();
        assertNull(FeedConfig.plan(parse("type = pcap\npcap.file = \"" + dir.resolve("none.pcap") + "\""), missing));
        assertTrue(missing.errors().get(0).contains("none.pcap': no such file"), missing.errors().toString());
    }

    @Test
    void shouldSayWhatThePathIsNotThatItIsMissingWhenTheCaptureFileIsADirectoryOrADevice(@TempDir Path dir) {
        final ConfigCheck check = new ConfigCheck();
        assertNull(FeedConfig.plan(parse("type = pcap\npcap.file = \"" + dir + "\""), check));
        assertEquals(1, check.errors().size(), check.errors().toString());
        assertTrue(check.errors().get(0).contains("feed.pcap.file: '" + dir + "': is a directory, must be a pcap or"
            + " pcapng file"), check.errors().toString());
        final ConfigCheck device = new ConfigCheck();
        assertNull(FeedConfig.plan(parse("type = pcap\npcap.file = \"/dev/null\""), device));
        assertTrue(device.errors().get(0).contains("feed.pcap.file: '/dev/null': is not a regular file (a pipe or a"
            + " device), must be a pcap or pcapng file"), device.errors().toString());
    }

    @Test
    void shouldReportACaptureFileThatIsNoPathWithItsKeyAndTheOtherProblemsWhenItHoldsANul() {
        // Path.of threw InvalidPathException out of plan: no key named, and the bad speed lost with it.
        final ConfigCheck check = new ConfigCheck();
        final FeedConfig.Plan plan = FeedConfig.plan(parse("type = pcap\nqueues = 2\n"
            + "pcap { file = \"a\\u0000b\", speed = 0 }"), check);

        assertNull(plan);
        final List<String> errors = check.errors();
        assertEquals(2, errors.size(), errors.toString());
        assertTrue(errors.contains("test.conf:3: feed.pcap.file: \"a\\u0000b\" is not a path (Nul character not"
            + " allowed): must be a pcap or pcapng file"), errors.toString());
        assertTrue(errors.stream().anyMatch(e -> e.startsWith("test.conf:3: feed.pcap.speed: 0.0 is out of range")),
            errors.toString());
    }

    @Test
    void shouldNeedAFanoutGroupForSeveralAfPacketQueuesAndNameTheMissingInterface() {
        final ConfigCheck check = new ConfigCheck();
        assertNull(FeedConfig.plan(
            parse("type = afpacket\nqueues = 2\nafpacket { interface = eth0, fanout = none }"), check));
        assertTrue(String.join("\n", check.errors()).contains("several queues on one interface need a fanout group"),
            check.errors().toString());
        final ConfigCheck none = new ConfigCheck();
        assertNull(FeedConfig.plan(parse("type = afpacket"), none));
        assertTrue(none.errors().get(0).contains("needs a network interface"), none.errors().toString());
    }

    @Test
    void shouldReportAReceiveBufferAtItsOwnKeyWhenTheUdpFeedCannotTakeIt() {
        for (String value : List.of("1500m", "512")) {
            final ConfigCheck check = new ConfigCheck();
            assertNull(FeedConfig.plan(
                parse("type = udp\nudp {\n  bind = \"127.0.0.1:9100\"\n  receive-buffer = " + value + "\n}"), check),
                value);
            assertEquals(1, check.errors().size(), () -> value + ": " + check.errors());
            final String error = check.errors().get(0);
            assertTrue(error.startsWith("test.conf:4: feed.udp.receive-buffer: "), error);
            assertTrue(error.contains("bytes is out of range: must be 0") && error.endsWith("..1073741824"), error);
        }
        final ConfigCheck check = new ConfigCheck();
        final FeedConfig.Plan plan = FeedConfig.plan(
            parse("type = udp\nudp { bind = \"127.0.0.1:9100\", receive-buffer = 0 }"), check);
        assertTrue(check.ok(), () -> String.join("\n", check.errors()));
        assertEquals(0, plan.udp().receiveBufferBytes(), "0 asks for the system's default, as the docs say");
    }

    @Test
    void shouldReportTheAfpacketSettingsOwnProblemsBesideTheOtherProblemsOfTheBlock() {
        final ConfigCheck check = new ConfigCheck();
        assertNull(FeedConfig.plan(parse(String.join("\n",
            "type = afpacket",
            "queues = 0",
            "afpacket {",
            "  interface = this-name-is-too-long",
            "  block-size = 5000",
            "  block-count = 1",
            "}")), check));
        final String errors = String.join("\n", check.errors());
        assertTrue(errors.contains("test.conf:2: feed.queues: 0 is out of range"), errors);
        assertTrue(errors.contains("test.conf:6: feed.afpacket.block-count: 1 is out of range"), errors);
        assertTrue(errors.contains("test.conf:4: feed.afpacket.interface: 'this-name-is-too-long': must be an interface"
            + " name of 1 to 15 characters"), errors);
        assertTrue(errors.contains("test.conf:5: feed.afpacket.block-size: 5000: must be a power of two"), errors);
        assertEquals(4, check.errors().size(), errors);
    }

    @Test
    void shouldRefuseANumberWithAFractionWhereAnIntegerGoesInsteadOfCuttingItOff() {
        final ConfigCheck check = new ConfigCheck();
        assertNull(FeedConfig.plan(parse(String.join("\n",
            "type = udp",
            "queues = 1.9",
            "udp.bind = \"127.0.0.1:0\"")), check));
        assertEquals(List.of("test.conf:2: feed.queues: must be an integer 1..64, is 1.9"), check.errors());
        final ConfigCheck whole = new ConfigCheck();
        final FeedConfig.Plan plan = FeedConfig.plan(parse("type = udp\nqueues = 2.0\nudp.bind = \"127.0.0.1:0\""),
            whole);
        assertTrue(whole.ok(), whole.errors()::toString);
        assertEquals(2, plan.queues(), "a whole number written with a fraction is that number");
    }

    @Test
    void shouldRefuseAQuotedNumberWithAFractionWhereAnIntegerGoesInsteadOfCuttingItOff() {
        // HOCON reads a quoted number as the number, and getInt cut "1.9" to 1 as it did 1.9.
        final ConfigCheck check = new ConfigCheck();
        assertNull(FeedConfig.plan(parse("type = udp\nqueues = \"1.9\"\nudp.bind = \"127.0.0.1:0\""), check));
        assertEquals(List.of("test.conf:2: feed.queues: must be an integer 1..64, is \"1.9\""), check.errors());
        final ConfigCheck whole = new ConfigCheck();
        final FeedConfig.Plan plan = FeedConfig.plan(
            parse("type = udp\nqueues = \"2\"\nudp.bind = \"127.0.0.1:0\""), whole);
        assertTrue(whole.ok(), whole.errors()::toString);
        assertEquals(2, plan.queues(), "a quoted whole number is that number");
    }

    @Test
    void shouldRefuseASizeThatIsNoWholeNumberOfBytesInsteadOfCuttingItOff() {
        // getBytes cut 65536.7 (quoted or not) to 65536, and 1.0001k to 1024.
        // Written -> as the message renders it (a size with a unit is a string).
        for (List<String> value : List.of(List.of("65536.7", "65536.7"), List.of("\"65536.7\"", "\"65536.7\""),
            List.of("1.0001k", "\"1.0001k\""), List.of("\"2048.5 B\"", "\"2048.5 B\""))) {
            final ConfigCheck check = new ConfigCheck();
            assertNull(FeedConfig.plan(parse("type = udp\nudp {\n  bind = \"127.0.0.1:9100\"\n  receive-buffer = "
                + value.get(0) + "\n}"), check), value.get(0));
            assertEquals(List.of("test.conf:4: feed.udp.receive-buffer: must be a whole number of bytes, 0 (the"
                + " system's default) or 1024..1073741824, is " + value.get(1)), check.errors(), value.get(0));
        }
        for (String value : List.of("65536.0", "\"65536\"", "1.5k", "\"0.5m\"")) {
            final ConfigCheck check = new ConfigCheck();
            assertNotNull(FeedConfig.plan(parse("type = udp\nudp { bind = \"127.0.0.1:9100\", receive-buffer = " + value
                + " }"), check), () -> value + ": " + check.errors());
            assertTrue(check.ok(), () -> value + ": " + check.errors());
        }
    }

    @Test
    void shouldNameTheLineOfABlockSetToNullWhenAKeyOfItIsMissing() {
        final Config defaults = parse("type = aeron\npcap { pace = fast }");
        for (String written : List.of("type = pcap\npcap = null", "type = pcap\npcap { file = null }")) {
            final ConfigCheck check = new ConfigCheck();
            assertNull(FeedConfig.plan(parse(written).withFallback(defaults), check), written);
            assertEquals(
                List.of("test.conf:2: feed.pcap.file: missing: the pcap feed needs a capture file (--pcap FILE)"),
                check.errors(), written);
        }
    }

    @Test
    void shouldReportEachBadRingSettingAtItsOwnKeyAndLine() {
        final ConfigCheck check = new ConfigCheck();
        assertNull(FeedConfig.plan(parse(String.join("\n",
            "type = afpacket",
            "afpacket {",
            "  interface = eth0",
            "  block-size = 6k",
            "  frame-size = 200",
            "}")), check));
        final List<String> errors = check.errors();
        assertEquals(2, errors.size(), errors::toString);
        assertTrue(errors.get(0).startsWith("test.conf:4: feed.afpacket.block-size: 6144: must be a power of two"),
            errors::toString);
        assertTrue(errors.get(1).startsWith("test.conf:5: feed.afpacket.frame-size: 200: must be a multiple of 16"),
            errors::toString);
        final ConfigCheck ring = new ConfigCheck();
        assertNull(FeedConfig.plan(parse("type = afpacket\nafpacket {\n  interface = eth0\n  block-size = 64m\n"
            + "  block-count = 32\n}"), ring));
        assertTrue(ring.errors().get(0).startsWith("test.conf:5: feed.afpacket.block-count: 32 (x block-size 67108864"),
            ring.errors()::toString);
    }

    @Test
    void shouldSayTheDriverIsMissingWhenAnExternalAeronDirectoryIsEmpty(@TempDir Path dir) {
        final ConfigCheck check = new ConfigCheck();
        final FeedConfig.Plan plan = FeedConfig.plan(parse("aeron.directory = \"" + dir + "\""), check);
        final IllegalStateException error = assertThrows(IllegalStateException.class, () -> FeedConfig.open(plan));
        assertTrue(error.getMessage().contains("no media driver there"), error.getMessage());
    }

    @Test
    void shouldPlanAUdpFeedWithoutLookingUpItsBindHostWhenTheHostIsAName() {
        // Planning looked the host up (InetAddress.getByName, unbounded): a load-time lookup of a host that an option
        // may replace, slow where no name server answers. The host is resolved when the feed opens.
        final ConfigCheck check = new ConfigCheck();
        final FeedConfig.Plan plan = FeedConfig.plan(parse("type = udp\nudp {\n  bind = \"feedhost.invalid:9000\"\n}"),
            check);
        assertNotNull(plan, check.errors()::toString);
        assertEquals("feedhost.invalid", plan.udp().bindAddress());
    }

    @Test
    void shouldNameTheBindKeyAndLineWhenTheBindHostDoesNotResolveAtOpen() {
        // The message of a lookup that failed at open, made without a lookup: a host that does not resolve here is
        // this machine's refusal, said with the key, file and line, as a bind refused.
        final ConfigCheck check = new ConfigCheck();
        final FeedConfig.Plan plan = FeedConfig.plan(parse("type = udp\nudp {\n  bind = \"feedhost.invalid:9000\"\n}"),
            check);
        assertNotNull(plan, check.errors()::toString);
        final IllegalStateException lookup = new IllegalStateException(
            "bindAddress='feedhost.invalid': does not resolve", new java.net.UnknownHostException("feedhost.invalid"));
        assertEquals("test.conf:3: feed.udp.bind: 'feedhost.invalid:9000': the host feedhost.invalid does not resolve:"
            + " must be HOST:PORT with a host name or address of this machine, e.g. 127.0.0.1:9000 or 0.0.0.0:9000",
            FeedConfig.bindFailure(plan, 0, lookup));
    }

    @Test
    void shouldNameTheBindKeyLineAndLimitWhenTheBindHostsLookupDoesNotAnswerAtOpen() {
        // A name server that never answers (HangingResolverProvider): the open gives up after the lookup's limit.
        final ConfigCheck check = new ConfigCheck();
        final String host = dev.steer.ingress.udp.HangingResolverProvider.HANGING_HOST;
        final FeedConfig.Plan plan = FeedConfig.plan(parse("type = udp\nudp {\n  bind = \"" + host + ":0\"\n}"), check);
        assertNotNull(plan, check.errors()::toString);
        final IllegalStateException refused = assertThrows(IllegalStateException.class, () -> FeedConfig.open(plan));
        assertEquals("test.conf:3: feed.udp.bind: '" + host + ":0': the host " + host + " did not resolve within 5 s;"
            + " give an address, or a name the resolver answers", refused.getMessage());
    }

    @Test
    void shouldNameTheBindKeyAndLineWhenTheUdpFeedCannotBindTheAddress() throws Exception {
        // It said "bindAddress='192.0.2.1', port=9000: cannot bind: ...": no key, no file, no line to fix.
        assumeTrue(!"1".equals(java.nio.file.Files.readString(Path.of("/proc/sys/net/ipv4/ip_nonlocal_bind")).strip()),
            "this host binds addresses it does not have");
        final ConfigCheck check = new ConfigCheck();
        // 192.0.2.1 (TEST-NET-1, RFC 5737) is no address of this host.
        final FeedConfig.Plan plan = FeedConfig.plan(
            parse("type = udp\nqueues = 2\nudp {\n  bind = \"192.0.2.1:9000\"\n}"), check);
        assertNotNull(plan, check.errors()::toString);
        final IllegalStateException error = assertThrows(IllegalStateException.class, () -> FeedConfig.open(plan));
        assertTrue(error.getMessage().startsWith("test.conf:4: feed.udp.bind: '192.0.2.1:9000': queue 0 cannot bind"
            + " 192.0.2.1:9000 ("), error.getMessage());
        assertTrue(error.getMessage().endsWith("): must be an address of this machine and a free port"),
            error.getMessage());
    }
}
