package dev.steer.loadgen.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.steer.engine.path.FrameSink;
import dev.steer.engine.stats.DropReason;
import dev.steer.ingress.afpacket.AfPacketFeed;
import dev.steer.ingress.afpacket.AfPacketSender;
import dev.steer.ingress.afpacket.AfPacketSettings;
import dev.steer.ingress.afpacket.NetNamespace;
import dev.steer.loadgen.report.FeedCounts;
import dev.steer.loadgen.stats.Units;

/**
 * {@code steer run --feed afpacket} on one end of a veth pair in a network namespace the test creates, and
 * {@code steer loadgen --to afpacket} into the other end. Needs root: it creates a namespace and AF_PACKET
 * sockets need CAP_NET_RAW.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AfPacketCliTest {
    /** One queue, and two queues sharing the interface through a fanout group of their own (kernel-chosen id). */
    @ParameterizedTest
    @ValueSource(strings = {"1", "2"})
    void shouldSteerEveryFrameWhenTheLoadgenSendsIntoTheOtherEndOfAVethPair(String queues) throws Exception {
        try (NetNamespace ns = vethPairOrSkip("steer-cli")) {
            final CliRunner.Running run = CliRunner.start("run", "--feed", "afpacket", "--interface", "vb", "--netns",
                ns.name(), "--queues", queues, "--duration", "4s", "--json", "--no-pin");
            // The feed's socket is open before the engine starts, but what arrives before its ingress polls fills the
            // ring (feed_overrun): send once the run says it is polling.
            assertTrue(run.awaitErr("polling; the run's time has started"), "the run polls its feed: " + run.err());
            final CliRunner loadgen = CliRunner.run("loadgen", "--to", "afpacket", "--netns", ns.name(), "--interface", "va",
                "--count", "2000", "--rate", "20000", "--duration", "10s");
            assertEquals(SteerCli.EXIT_OK, loadgen.exit(), loadgen.toString());
            final CliRunner result = run.result().get(30, TimeUnit.SECONDS);
            assertEquals(SteerCli.EXIT_OK, result.exit(), result.toString());
            final JsonNode root = new ObjectMapper().readTree(result.out().strip());
            final JsonNode accounting = root.get("accounting");
            assertEquals(2000, accounting.get("received").asLong(), accounting.toString());
            assertEquals(0, accounting.get("lost").asLong());
            assertEquals(0, accounting.get("in_flight").asLong());
            assertTrue(accounting.get("delivered").asLong() > 0, accounting.toString());
            // One feed_counts object per queue, whose overrun, split by when, is the engine's.
            final JsonNode feeds = root.get("feed_counts");
            assertEquals(Integer.parseInt(queues), feeds.size(), root.toString());
            long overrun = 0;
            for (JsonNode feed : feeds) {
                assertEquals("afpacket", feed.get("type").asText(), feed.toString());
                assertEquals(feed.get("kernel_drops").asLong() + feed.get("held_at_close").asLong()
                    + feed.get("left_at_close").asLong(), feed.get("feed_overrun").asLong(), feed.toString());
                assertTrue(feed.get("ring_freezes").asLong() >= 0, "every key, even when 0: " + feed);
                overrun += feed.get("feed_overrun").asLong();
            }
            assertEquals(accounting.at("/dropped/feed_overrun").asLong(), overrun, root.toString());
        }
    }

    /**
     * The kernel's ring freezes ({@code tp_freeze_q_cnt}) reach {@code steer run}'s feed counts: a two-block ring filled
     * before the first poll froze, and the {@code feed:} line and the JSON's {@code ring_freezes} say how often, with
     * the drops, which the first poll found, as drops before it.
     */
    @Test
    void shouldReportTheRingFreezesInTheFeedCountsWhenTheRingFilledBeforeTheFeedPolled() throws Exception {
        try (NetNamespace ns = vethPairOrSkip("steer-frz")) {
            final CountingSink sink = new CountingSink();
            final AfPacketFeed feed = twoBlockRing(ns);
            try (AfPacketSender sender = AfPacketSender.open(ns.name(), "va")) {
                sendIgnored(sender, 400);
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (sink.taken + sink.overrun < 400) {
                    assertTrue(System.nanoTime() < deadline,
                        sink.taken + " taken, " + sink.overrun + " overrun of 400");
                    if (feed.poll(sink, 64) == 0) {
                        Thread.onSpinWait();
                    }
                }
            } finally {
                feed.close(sink);
            }
            final FeedCounts counts = RunReport.feedCounts(List.of(feed)).get(0);
            assertTrue(counts.kernelDrops() > 0, "two 4 KiB blocks cannot hold 400 frames: " + counts);
            assertTrue(counts.ringFreezes() > 0, "the kernel froze the ring before it dropped: " + counts);
            assertEquals(feed.statistics().queueFreezes(), counts.ringFreezes());
            assertEquals(counts.kernelDrops(), counts.dropsBeforeFirstPoll(), "the ring filled before the first poll");
            assertTrue(counts.describe().contains(" dropped by the kernel before the first poll (the ring filled while"
                + " the engine started, ring full " + Units.count(counts.ringFreezes())
                + (counts.ringFreezes() == 1 ? " time)" : " times)")), counts.describe());
            final ObjectNode json = new ObjectMapper().createObjectNode();
            counts.toJson(json);
            assertEquals(counts.ringFreezes(), json.get("ring_freezes").asLong(), json.toString());
            assertEquals(counts.kernelDrops(), json.get("kernel_drops_before_first_poll").asLong(), json.toString());
        }
    }

    /**
     * Every drop for a full ring follows a freeze: a ring that filled before the first poll froze then, and the freezes
     * the {@code feed:} line gives the drops while running are only those after the first poll's read.
     */
    @Test
    void shouldGiveTheDropsWhileRunningOnlyTheFreezesAfterTheFirstPollWhenTheRingFilledBeforeAndAfterIt()
        throws Exception {
        try (NetNamespace ns = vethPairOrSkip("steer-frz2")) {
            final CountingSink sink = new CountingSink();
            final AfPacketFeed feed = twoBlockRing(ns);
            long freezesBefore = -1;
            try (AfPacketSender sender = AfPacketSender.open(ns.name(), "va")) {
                for (int round = 1; round <= 2; round++) {
                    sendIgnored(sender, 400);
                    final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                    while (sink.taken + sink.overrun < 400L * round) {
                        assertTrue(System.nanoTime() < deadline, sink.taken + " taken, " + sink.overrun + " overrun");
                        final int polled = feed.poll(sink, 64);
                        if (freezesBefore < 0) {
                            // The first poll read the kernel's counters before it took anything.
                            freezesBefore = feed.statistics().queueFreezes();
                        }
                        if (polled == 0) {
                            Thread.onSpinWait();
                        }
                    }
                }
            } finally {
                feed.close(sink);
            }
            final FeedCounts counts = RunReport.feedCounts(List.of(feed)).get(0);
            final long freezesWhileRunning = counts.ringFreezes() - freezesBefore;
            assertTrue(counts.dropsBeforeFirstPoll() > 0 && freezesBefore > 0, "the ring filled before: " + counts);
            assertTrue(counts.kernelDrops() > counts.dropsBeforeFirstPoll() && freezesWhileRunning > 0,
                "and after the first poll: " + counts);
            assertTrue(counts.describe().contains(" dropped by the kernel while running (ring full "
                + Units.count(freezesWhileRunning) + (freezesWhileRunning == 1 ? " time)" : " times)")),
                freezesBefore + " of " + counts.ringFreezes() + " freezes came before the first poll: "
                + counts.describe());
        }
    }

    /**
     * The ring fills while the engine starts: the kernel's drops then are the summary's {@code
     * kernel_drops_before_first_poll}, which the first poll reads, and not drops of the first live interval, which
     * shows what the kernel dropped while the feed was polled: here nothing, as nothing is sent once the run polls.
     */
    @Test
    void shouldLeaveTheDropsBeforeTheFirstPollOutOfTheFirstLiveIntervalWhenTheRingFilledWhileTheEngineStarted(
        @TempDir Path dir) throws Exception {
        try (NetNamespace ns = vethPairOrSkip("steer-first")) {
            final Path config = Files.writeString(dir.resolve("small-ring.conf"),
                "steer.feed.afpacket { block-size = 4096, block-count = 2, frame-size = 2048,"
                + " retire-timeout = 2ms }\n");
            final CliRunner.Running run = CliRunner.start("run", "--config", config.toString(), "--feed", "afpacket",
                "--interface", "vb", "--netns", ns.name(), "--duration", "1s", "--interval", "500ms", "--json",
                "--no-pin");
            // The feed is open; the engine takes about a second to start and poll it: 400 frames overfill the ring.
            assertTrue(run.awaitErr("starting the engine"), "the run opened its feed: " + run.err());
            try (AfPacketSender sender = AfPacketSender.open(ns.name(), "va")) {
                sendIgnored(sender, 400);
            }
            final CliRunner result = run.result().get(30, TimeUnit.SECONDS);
            assertEquals(SteerCli.EXIT_OK, result.exit(), result.toString());
            final JsonNode feed = new ObjectMapper().readTree(result.out().strip()).get("feed_counts").get(0);
            assertTrue(feed.get("kernel_drops_before_first_poll").asLong() > 0, "two 4 KiB blocks cannot hold 400"
                + " frames, sent before the run polled (its start took less time than 400 sends?): " + result);
            assertEquals(feed.get("kernel_drops_before_first_poll").asLong(), feed.get("kernel_drops").asLong(),
                "nothing is sent while the run polls: " + feed);
            final String err = result.err();
            final int first = err.indexOf("Summary ");
            assertTrue(first >= 0, "a live interval: " + result);
            final String interval = err.substring(first, err.indexOf("\n\n", first));
            assertFalse(interval.contains("feed_overrun"), "no drop while polled: " + interval);
            assertTrue(interval.lines().findFirst().orElseThrow().endsWith(" 0 err,drop/s"), interval);
        }
    }

    /**
     * On MTU 1500: 2000 on the wire is a 1996-byte frame, above MTU + 14, staged and refused by sendmmsg; 3000 is longer
     * than a batch slot, sent alone and refused by send.
     */
    @ParameterizedTest
    @ValueSource(strings = {"64:1,2000:1", "64:1,3000:1"})
    void shouldCountFramesTheKernelRefusesAsRefusedNotSentWhenTheyExceedTheMtu(String sizes) throws Exception {
        try (NetNamespace ns = vethPairOrSkip("steer-mtu")) {
            final CliRunner loadgen = CliRunner.run("loadgen", "--to", "afpacket", "--netns", ns.name(), "--interface",
                "va", "--count", "600", "--rate", "20000", "--sizes", sizes, "--duration", "10s");
            assertEquals(SteerCli.EXIT_OK, loadgen.exit(), "a refused frame is not a failed run: " + loadgen);
            final Matcher totals = Pattern.compile("sent ([0-9,]+) frames .* ([0-9,]+) refused").matcher(loadgen.out());
            assertTrue(totals.find(), loadgen.toString());
            final long sent = Long.parseLong(totals.group(1).replace(",", ""));
            final long refused = Long.parseLong(totals.group(2).replace(",", ""));
            assertTrue(refused > 100 && sent > 100, "both sizes occur: " + loadgen);
            assertEquals(600, sent + refused, "a frame the kernel refused was not sent: " + loadgen);
            // The MTU warning, once; a rate not reached on a loaded machine is a warning of its own, not this one's.
            assertEquals(1, loadgen.err().lines().filter(line -> line.contains("warning:") && line.contains("MTU"))
                .count(), "the user is told why, once: " + loadgen);
        }
    }

    @Test
    void shouldFailTheLoadgenNamingTheErrorWhenTheInterfaceIsDown() throws Exception {
        try (NetNamespace ns = vethPairOrSkip("steer-down")) {
            setLink(ns, "va", "down");
            final CliRunner loadgen = CliRunner.run("loadgen", "--to", "afpacket", "--netns", ns.name(), "--interface",
                "va", "--count", "600", "--rate", "20000", "--duration", "10s");
            assertEquals(SteerCli.EXIT_FAILED, loadgen.exit(), "no frame can leave a down interface: " + loadgen);
            assertTrue(loadgen.err().contains("ENETDOWN"), "the reason is named: " + loadgen);
        }
    }

    /** The feed still opens (the link may come up), but the user is told once, at start, why nothing arrives. */
    @Test
    void shouldWarnOnceNamingTheInterfaceWhenTheRunsFeedInterfaceIsDown() throws Exception {
        try (NetNamespace ns = vethPairOrSkip("steer-rdown")) {
            setLink(ns, "vb", "down");
            final CliRunner run = CliRunner.run("run", "--feed", "afpacket", "--interface", "vb", "--netns", ns.name(),
                "--duration", "1s", "--no-pin");
            assertEquals(SteerCli.EXIT_OK, run.exit(), "a down interface is not a failed run: " + run);
            final int warning = run.err().indexOf("steer run: warning: ");
            assertTrue(warning >= 0, "the user is warned: " + run);
            final String line = run.err().substring(warning, run.err().indexOf('\n', warning));
            assertTrue(line.contains("vb") && line.contains(ns.name()) && line.contains("down"), line);
            assertTrue(warning < run.err().indexOf("starting the engine"), "at start: " + run);
            assertEquals(-1, run.err().indexOf("warning:", warning + line.length()), "warned once: " + run);
        }
    }

    /** Lossless cannot hold back a sender on the wire: said once, at start, with where the kernel's drops count. */
    @Test
    void shouldWarnOnceAtStartThatTheKernelDropsWhenALosslessRunReadsAnAfPacketFeed() throws Exception {
        try (NetNamespace ns = vethPairOrSkip("steer-lless")) {
            final CliRunner run = CliRunner.run("run", "--feed", "afpacket", "--interface", "vb", "--netns", ns.name(),
                "--lossless", "--duration", "300ms", "--no-pin");
            assertEquals(SteerCli.EXIT_OK, run.exit(), run.toString());
            final List<String> warnings = LosslessWireWarningTest.losslessWarnings(run);
            assertEquals(1, warnings.size(), "warned once: " + run);
            final String line = warnings.get(0);
            assertTrue(line.startsWith("steer run: warning: --lossless: the afpacket feed on vb (netns " + ns.name()
                + ") cannot slow its sender"), line);
            assertTrue(line.contains("AF_PACKET ring") && line.contains("counted feed_overrun, not ring_full"), line);
            assertTrue(run.err().indexOf(line) < run.err().indexOf("starting the engine"), "at start: " + run);
        }
    }

    /**
     * A link that goes down during the run is said once, as a warning naming the interface, although two queues share
     * it; its coming back up is said too; the JSON counts the down on each queue and no drop for it. The queues share
     * the interface's link state, so the warning is the sign that each has counted the down: no sleep before the up.
     */
    @Test
    void shouldWarnOnceNamingTheInterfaceWhenTheLinkGoesDownDuringTheRunAndSayWhenItIsUpAgain() throws Exception {
        try (NetNamespace ns = vethPairOrSkip("steer-flap")) {
            final CliRunner.Running run = CliRunner.start("run", "--feed", "afpacket", "--interface", "vb", "--netns",
                ns.name(), "--queues", "2", "--duration", "12s", "--json", "--no-pin");
            assertTrue(run.awaitErr("starting the engine"), "the run opened its feed");
            setLink(ns, "vb", "down");
            // The queues share their interface's link: once the down is said, every queue has counted it.
            assertTrue(run.awaitErr("the link went down during the run"), "said while the run runs: " + run.err());
            setLink(ns, "vb", "up");
            assertTrue(run.awaitErr("the link is up again"), "the way back is said too: " + run.err());
            final CliRunner result = run.result().get(30, TimeUnit.SECONDS);
            assertEquals(SteerCli.EXIT_OK, result.exit(), "a link that went down is not a failed run: " + result);
            final String err = result.err();
            final int warning = err.indexOf("steer run: warning: the link went down during the run: ");
            final String line = err.substring(warning, err.indexOf('\n', warning));
            assertTrue(line.contains("AF_PACKET vb (netns " + ns.name() + ")") && line.contains("the interface is down"),
                line);
            assertEquals(-1, err.indexOf("the link went down", warning + line.length()), "said once: " + err);
            assertTrue(err.contains("steer run: AF_PACKET vb (netns " + ns.name() + "): the link is up again"), err);
            final JsonNode root = new ObjectMapper().readTree(result.out().strip());
            for (JsonNode feed : root.get("feed_counts")) {
                assertEquals(1, feed.get("link_downs").asLong(), "each queue counts the one down: " + feed);
            }
            long dropped = 0;
            for (JsonNode count : root.at("/accounting/dropped")) {
                dropped += count.asLong();
            }
            assertEquals(0, dropped, "a link down is no drop: " + root.get("accounting"));
        }
    }

    /** Takes every frame, counts it, and counts the feed's drops, which must all be {@code feed_overrun}. */
    private static final class CountingSink implements FrameSink {
        long taken;
        long overrun;

        @Override
        public int onFrame(DirectBuffer buffer, int offset, int length, long timestampNs) {
            taken++;
            return ACCEPTED;
        }

        @Override
        public void onDropped(DropReason reason, int count) {
            assertEquals(DropReason.FEED_OVERRUN, reason);
            overrun += count;
        }

        @Override
        public void onFeedError(Throwable error) {
            throw new AssertionError(error);
        }
    }

    /** An AF_PACKET feed on {@code vb} whose ring is two 4 KiB blocks: a few hundred small frames fill it. */
    private static AfPacketFeed twoBlockRing(NetNamespace ns) {
        return AfPacketFeed.open(AfPacketSettings.of("vb").withNetns(ns.name()).withRing(4096, 2).withFrameSize(2048)
            .withRetireTimeoutMs(2));
    }

    /**
     * Sends {@code count} 60-byte frames on {@code va} to and from locally administered MACs no interface has, of the
     * local experimental ethertype: the namespace's stack ignores them.
     */
    private static void sendIgnored(AfPacketSender sender, int count) {
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[60]);
        frame.putBytes(0, new byte[] {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, (byte) 0x88, (byte) 0xb5});
        for (int i = 0; i < count; i++) {
            assertEquals(60, sender.send(frame, 0, 60), "send " + i + ", errno " + sender.lastErrno());
        }
    }

    /** A namespace of the test's own with a veth pair va - vb (MTU 1500); skips the test where none can be made here. */
    private static NetNamespace vethPairOrSkip(String prefix) {
        final String unavailable = NetNamespace.unavailableReason();
        Assumptions.assumeTrue(unavailable == null, () -> "skipped: " + unavailable);
        final NetNamespace ns = NetNamespace.createUnique(prefix);
        try {
            ns.addVethPair("va", "vb", 1500);
        } catch (RuntimeException ex) {
            ns.close();
            throw ex;
        }
        return ns;
    }

    private static void setLink(NetNamespace ns, String iface, String state) throws Exception {
        ip(ns, "link", "set", "dev", iface, state);
    }

    /** Runs {@code ip -n NS args...}, bounded: an ip that does not end in 10 s fails the test and is killed. */
    private static void ip(NetNamespace ns, String... args) throws Exception {
        final List<String> command = new ArrayList<>(List.of("ip", "-n", ns.name()));
        command.addAll(List.of(args));
        final Process ip = new ProcessBuilder(command).inheritIO().start();
        try {
            assertTrue(ip.waitFor(10, TimeUnit.SECONDS), String.join(" ", command) + " ended");
            assertEquals(0, ip.exitValue(), String.join(" ", command));
        } finally {
            ip.destroyForcibly();
        }
    }

    @Test
    void shouldFailTheRunNamingTheInterfaceWhenItIsDeletedUnderTheFeed() throws Exception {
        try (NetNamespace ns = vethPairOrSkip("steer-del")) {
            final CliRunner.Running run = CliRunner.start("run",
                "--feed", "afpacket", "--interface", "vb", "--netns", ns.name(), "--duration", "30s", "--no-pin");
            assertTrue(run.awaitErr("starting the engine"), "the run opened its feed");
            ip(ns, "link", "del", "vb");
            final CliRunner result = run.result().get(25, TimeUnit.SECONDS);
            assertEquals(SteerCli.EXIT_FAILED, result.exit(), "an input gone is a failed run: " + result);
            assertTrue(result.err().contains("steer run: the feed afpacket:vb") && result.err().contains("ended: "),
                result.toString());
        }
    }
}
