package dev.steer.loadgen.cli;

import java.io.File;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import dev.steer.ingress.aeron.AeronFeed;
import dev.steer.ingress.aeron.AeronMedia;
import dev.steer.ingress.config.ConfigCheck;
import dev.steer.loadgen.report.OfferedTraffic;
import dev.steer.loadgen.send.AeronOutput;
import dev.steer.loadgen.send.AfPacketOutput;
import dev.steer.loadgen.send.FrameOutput;
import dev.steer.loadgen.send.SendLoop;
import dev.steer.loadgen.send.UdpOutput;
import dev.steer.loadgen.stats.StatsSampler;
import dev.steer.loadgen.traffic.TrafficProfile;

/**
 * {@code steer loadgen}: sends synthetic traffic to an engine in another process or on another node, over
 * Aeron (IPC through a shared driver directory, or UDP), UDP datagrams, or into a network interface
 * (AF_PACKET). Prints the send rate every second and the total at the end.
 *
 * <p>Settings come from, highest first: the options, {@code --config FILE}, {@code --scenario}, the defaults, merged
 * as {@code steer run} merges them ({@link LayeredSettings}): an option overrides the file's value of its key but does
 * not hide it silently: an invalid value of the file there is warned of, and not used.
 */
@Command(name = "loadgen", mixinStandardHelpOptions = true, versionProvider = SteerCli.Version.class,
    sortOptions = false, usageHelpWidth = 100,
    description = "Send synthetic traffic to a running engine over Aeron, UDP or a network interface.",
    footer = {"", "Examples:",
        "  # the engine, then the sender:",
        "  steer run --no-traffic --duration 30s --channel 'aeron:udp?endpoint=127.0.0.1:40123'",
        "  steer loadgen --to aeron --duration 20s --channel 'aeron:udp?endpoint=127.0.0.1:40123'",
        "  # the same over plain UDP datagrams:",
        "  steer run --feed udp --listen 127.0.0.1:9100 --no-traffic",
        "  steer loadgen --to udp --target 127.0.0.1:9100",
        "", "Exit status: 0 ok, 2 bad options or config, 3 the sender failed; on Ctrl-C or SIGTERM the loadgen stops"
            + " cleanly, prints its summary and exits 130 or 143."})
final class LoadgenCommand implements Callable<Integer> {
    /** Period of the live send-rate lines. */
    private static final long LINE_INTERVAL_NS = 1_000_000_000L;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--to", paramLabel = "aeron|udp|afpacket", required = true, description = "Where to send.")
    String to;

    @Option(names = "--channel", paramLabel = "URI", description = "Aeron channel (default aeron:ipc, which needs"
        + " --aeron-dir of an external driver the engine uses too, else it is refused; across processes use"
        + " aeron:udp?endpoint=HOST:PORT).")
    String channel = AeronFeed.Settings.DEFAULT_CHANNEL;

    @Option(names = "--stream", paramLabel = "ID", description = "Aeron stream id (default ${DEFAULT-VALUE}).")
    int stream = AeronFeed.Settings.DEFAULT_STREAM_ID;

    @Option(names = "--aeron-dir", paramLabel = "DIR",
        description = "An external media driver's directory (default: an embedded driver).")
    String aeronDir;

    @Option(names = "--target", paramLabel = "HOST:PORT", description = "UDP destination.")
    String target;

    @Option(names = "--interface", paramLabel = "IF",
        description = "Network interface for afpacket (needs CAP_NET_RAW).")
    String networkInterface;

    @Option(names = "--netns", paramLabel = "NAME",
        description = "Network namespace of the interface (default: this process').")
    String netns = "";

    @Option(names = "--duration", paramLabel = "DURATION",
        description = "How long to send (default: run.duration of --config or --scenario, else 10s).")
    String duration;

    @Option(names = "--count", paramLabel = "N",
        description = "Frames to send, then stop (default: until the duration ends).")
    long count = Long.MAX_VALUE;

    @Option(names = "--config", paramLabel = "FILE",
        description = "HOCON file with a traffic { } block (and run.duration).")
    File config;

    @Option(names = "--scenario", paramLabel = "NAME|FILE", description = "A shipped scenario or a scenario file.")
    String scenario;

    @Option(names = "--rate", paramLabel = "PPS|max",
        description = "max, or packets/s with an optional k, M or G suffix, e.g. 250k (default max).")
    String rate;

    @Option(names = "--on-off", paramLabel = "ON/OFF", description = "Send in bursts: ON of every ON+OFF at the rate"
        + " (or as fast as it goes without one), nothing during OFF, e.g. 10ms/90ms (default off).")
    String onOff;

    @Option(names = "--flows", paramLabel = "N", description = "Flows (default 1024).")
    Integer flows;

    @Option(names = "--sizes", paramLabel = "SIZES", description = "Frame sizes on the wire (with FCS): 64, imix, or a"
        + " list of SIZE or SIZE:WEIGHT, e.g. 64:7,594:4,1518:1 (a weight left out is 1).")
    String sizes;

    @Option(names = "--mix", paramLabel = "MIX", description = "Protocol weights, e.g. udp=7,tcp=2,icmp=1.")
    String mix;

    @Option(names = "--ipv6", paramLabel = "PERCENT", description = "Share of IPv6 in percent.")
    Integer ipv6;

    @Option(names = "--seed", paramLabel = "N", description = "Seed of the flows.")
    Long seed;

    private volatile boolean stopRequested;
    private volatile SendLoop running;

    /** Ctrl-C or SIGTERM: the loop stops as at its deadline, the totals are printed, the media driver closed. */
    private void requestStop() {
        stopRequested = true;
        final SendLoop loop = running;
        if (loop != null) {
            loop.stop();
        }
    }

    @Override
    public Integer call() throws Exception {
        final PrintWriter out = spec.commandLine().getOut();
        final PrintWriter err = spec.commandLine().getErr();
        refuseOptionsOfOtherTargets();
        if (duration != null) {
            durationNanos(duration); // refused with the option's own message before the files' blocks are read
        }
        final LayeredSettings settings = settings();
        final ConfigCheck check = new ConfigCheck(settings.substitutions());
        final Sending sending = settings.check(check, warning -> {
            err.println("steer loadgen: warning: " + warning);
            err.flush();
        }, (config, problems) -> new Sending(RunPlan.traffic(config, problems),
            RunSettings.from(RunPlan.block(config, "run", problems), problems)));
        check.throwIfAny("invalid settings");
        warnChurn(settings.merged(), sending.run(), err);
        final TrafficProfile traffic = sending.traffic();
        final long durationNs = sending.run().duration().toNanos();
        if (count < 1) {
            throw new IllegalArgumentException("--count " + count + ": must be a number of frames, 1 or more");
        }
        // The hook waits until send() has returned, so the media driver is closed (its directory deleted) first.
        try (StopOnSignal ignored = StopOnSignal.install("steer-loadgen", this::requestStop)) {
            return send(out, err, traffic, durationNs);
        }
    }

    /**
     * Refuses an option of another target than {@code --to}'s ({@code --netns} with {@code --to udp}): left alone, it
     * was ignored and the frames went where the user had not meant them to. An unknown {@code --to} is refused later.
     *
     * @throws IllegalArgumentException naming the option, its target and the one given
     */
    private void refuseOptionsOfOtherTargets() {
        if (!java.util.List.of("aeron", "udp", "afpacket").contains(to)) {
            return;
        }
        new OptionOwners().own("aeron", "--channel", "--stream", "--aeron-dir").own("udp", "--target")
            .own("afpacket", "--interface", "--netns")
            .refuseOthers(spec.commandLine().getParseResult(), to, owner -> "an option of --to " + owner
                + ", but the target is " + to + ": leave the option out (or send with --to " + owner + ")");
    }

    private int send(PrintWriter out, PrintWriter err, TrafficProfile traffic, long durationNs)
        throws InterruptedException {
        AeronMedia media = null;
        final FrameOutput output;
        try {
            switch (to) {
                case "aeron" -> {
                    final AeronFeed.Settings settings = new AeronFeed.Settings(channel, stream, AeronFeed.Mode.DROP);
                    if (settings.spy()) {
                        // Aeron would publish on the channel after the prefix, nothing connected, until the end.
                        throw new IllegalArgumentException("--to aeron --channel " + channel + ": a spy channel is"
                            + " for a subscriber (the engine's feed); send on "
                            + channel.substring(AeronFeed.Settings.SPY_PREFIX.length()));
                    }
                    if (aeronDir == null && channel.startsWith("aeron:ipc")) {
                        // IPC through a driver of this process' own: no engine can subscribe, every send would be
                        // back-pressured until the end, and the run would still look like a success.
                        throw new IllegalArgumentException("--to aeron --channel " + channel + ": an IPC channel"
                            + " reaches only processes sharing the media driver, and this loadgen's driver is its own;"
                            + " use --channel 'aeron:udp?endpoint=HOST:PORT' (as the engine's), or --aeron-dir DIR of"
                            + " an external driver the engine uses too");
                    }
                    media = aeronDir == null ? AeronMedia.embedded() : AeronMedia.external(aeronDir);
                    output = new AeronOutput(media.aeron(), channel, stream, media::clientClosed);
                }
                case "udp" -> {
                    if (target == null) {
                        throw new IllegalArgumentException("--to udp needs --target HOST:PORT");
                    }
                    final int colon = target.lastIndexOf(':');
                    final String host = host(target, colon);
                    final int port = port(target, colon);
                    try {
                        output = new UdpOutput(host, port);
                    } catch (IllegalArgumentException ex) {
                        throw new IllegalArgumentException("--target " + target + ": " + ex.getMessage(), ex);
                    }
                }
                case "afpacket" -> {
                    if (networkInterface == null) {
                        throw new IllegalArgumentException("--to afpacket needs --interface IF");
                    }
                    output = new AfPacketOutput(netns, networkInterface);
                }
                default -> throw new IllegalArgumentException("--to " + to + ": must be aeron, udp or afpacket");
            }
            err.println("steer loadgen: sending " + traffic.flows() + " flows, sizes " + traffic.sizes() + ", rate "
                + RunPlanText.rate(traffic, false) + " to " + output.describe());
            final SendLoop loop = SendLoop.forTraffic("steer-loadgen", traffic, output, count).start();
            running = loop;
            if (stopRequested) {
                loop.stop();
            }
            // Wait for the loop itself (it may end early, at --count or on a failure), printing each second; the
            // totals are the loop's own: its frames over its own sending time, not over how long this thread waited.
            final long start = System.nanoTime();
            final long deadline = start + durationNs;
            long nextLine = start + LINE_INTERVAL_NS;
            long last = 0;
            long lastAt = start;
            boolean warned = false;
            while (!loop.await(Duration.ofNanos(Math.min(nextLine, deadline) - System.nanoTime()))) {
                final long now = System.nanoTime();
                if (now - nextLine >= 0) {
                    final long sent = loop.sent();
                    warned = warnRefused(err, loop, output, warned);
                    err.printf(Locale.ROOT,
                        "steer loadgen: %,12d frames/s   %,14d sent   %,12d back-pressured   %,12d refused%n",
                        (long) ((sent - last) * 1e9 / Math.max(1, now - lastAt)), sent, loop.backPressured(),
                        loop.refused());
                    err.flush();
                    last = sent;
                    lastAt = now;
                    // Printing may block (a paused terminal) and the thread may stall: skip the lines missed, as
                    // steer run skips its samples, rather than print them back to back with absurd rates.
                    nextLine = StatsSampler.nextTick(nextLine, LINE_INTERVAL_NS, System.nanoTime());
                }
                if (now - deadline >= 0) {
                    break;
                }
            }
            loop.close();
            warnRefused(err, loop, output, warned);
            final double seconds = loop.elapsedNanos() / 1e9;
            out.printf(Locale.ROOT,
                "sent %,d frames in %.2f s (%,.0f frames/s), %,d send attempts back-pressured, %,d refused%n",
                loop.sent(), seconds, seconds > 0 ? loop.sent() / seconds : 0.0, loop.backPressured(), loop.refused());
            final OfferedTraffic offered = new OfferedTraffic(loop.sent(), loop.made(), loop.bytes(), "sender",
                traffic.averageRate(), seconds);
            out.println(offered.line());
            out.flush();
            // On stderr, as the command's other warnings: stdout holds the totals only.
            final String rateWarning = offered.warning("the sending thread");
            if (rateWarning != null) {
                err.println("steer loadgen: " + rateWarning);
                err.flush();
            }
            if (loop.failure() != null) {
                err.println("steer loadgen: " + loop.failure());
                return SteerCli.EXIT_FAILED;
            }
            return SteerCli.EXIT_OK;
        } finally {
            if (media != null) {
                media.close();
            }
        }
    }

    /**
     * Once, the first time the loop has refusals: nothing receives at the target (UDP), or the kernel refuses frames
     * (AF_PACKET, above the MTU); the output says which. True once warned.
     */
    private static boolean warnRefused(PrintWriter err, SendLoop loop, FrameOutput output, boolean warned) {
        if (warned || loop.refused() == 0) {
            return warned;
        }
        err.println("steer loadgen: warning: " + output.describe() + " " + output.refusalWarning());
        return true;
    }

    /**
     * {@code --duration}, validated as {@code steer run} validates {@code run.duration}: a HOCON duration
     * 1ms..24h.
     */
    static long durationNanos(String text) {
        long nanos = -1;
        try {
            final Config option = ConfigFactory.parseMap(Map.of("duration", text), "--duration");
            if (ConfigCheck.unitless(option.getValue("duration")) != null) {
                // HOCON would read it as milliseconds, which "--duration 10" did not mean.
                throw new IllegalArgumentException("--duration " + text + ": has no unit: must be a duration 1ms..24h"
                    + " such as 10s, 500ms or 2m");
            }
            nanos = option.getDuration("duration", TimeUnit.NANOSECONDS);
        } catch (ConfigException ex) {
            // Not a duration: refused below with the form that is.
        }
        if (nanos < RunSettings.MIN_DURATION_NS || nanos > RunSettings.MAX_DURATION_NS) {
            throw new IllegalArgumentException("--duration " + text + ": must be a duration 1ms..24h such as 10s, 500ms"
                + " or 2m");
        }
        return nanos;
    }

    private static String host(String target, int colon) {
        final String host = colon <= 0 ? "" : target.substring(0, colon);
        if (host.isBlank()) {
            throw new IllegalArgumentException(badTarget(target));
        }
        // An IPv6 literal is written in brackets so that its colons are not the port's.
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    private static int port(String target, int colon) {
        try {
            final int port = Integer.parseInt(target.substring(colon + 1));
            if (port >= 1 && port <= 65_535) {
                return port;
            }
        } catch (NumberFormatException ex) {
            // Refused below with what is allowed.
        }
        throw new IllegalArgumentException(badTarget(target));
    }

    private static String badTarget(String target) {
        return "--target " + target + ": must be HOST:PORT with a port 1..65535, e.g. 127.0.0.1:9100 or [::1]:9100";
    }

    /**
     * What a loadgen reads of its settings, as {@code steer run} reads them (every problem with file and line, exit 2):
     * the {@code traffic { }} block, and the {@code run { }} block, whose {@code duration} is how long the loadgen
     * sends; {@code traffic} (whether a run makes its own traffic) does not concern a loadgen, which always does.
     *
     * @param traffic what to send, or null where the block had problems
     * @param run     the run block, or null where it had problems
     */
    private record Sending(TrafficProfile traffic, RunSettings run) {
    }

    /**
     * {@code run.churn-interval} changes the map of a {@code steer run}, which a loadgen has not, so a non-zero one is
     * named in a warning rather than dropped in silence.
     */
    private static void warnChurn(Config settings, RunSettings run, PrintWriter err) {
        if (!run.churnInterval().isZero()) {
            final var value = settings.getValue("run.churn-interval");
            err.println("steer loadgen: warning: " + ConfigCheck.where(value) + "run.churn-interval "
                + value.unwrapped() + ": changes the map of a steer run while it runs; a loadgen has no map,"
                + " so it does not apply here (it does to the steer run of the engine: --scenario or --churn there)");
            err.flush();
        }
    }

    /**
     * Command line over {@code --config} over {@code --scenario}, as {@code steer run} merges them, with the file's
     * values that options override, so that their problems are warned of.
     */
    private LayeredSettings settings() {
        final LayeredSettings.Options options = new LayeredSettings.Options()
            .traffic(rate, flows, sizes, mix, ipv6, seed)
            .put("traffic.on-off", "--on-off", TrafficOptions.onOff(onOff))
            .put("run.duration", "--duration", duration);
        return LayeredSettings.of(options, config == null ? null : ConfigFile.read("--config", config),
            scenario == null ? null : RunCommand.scenarioConfig(scenario));
    }
}
