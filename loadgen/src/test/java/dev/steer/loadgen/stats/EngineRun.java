package dev.steer.loadgen.stats;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

import dev.steer.actors.SteerEngine;
import dev.steer.engine.map.CpuSet;
import dev.steer.engine.path.Feed;
import dev.steer.engine.path.FrameHandler;
import dev.steer.engine.path.FrameSink;
import dev.steer.engine.path.TemplateFeed;
import dev.steer.engine.stats.EngineStats;
import dev.steer.loadgen.traffic.PacketTemplates;

/**
 * A real, short engine run for the tests: one synthetic feed of {@value #FRAMES} UDP frames over 64 flows,
 * two entries, the latency handler on every consumer, a sampler every 20 ms until the feed ends, then
 * shutdown. Keeps every stats snapshot the sampler took. The feed sends nothing until the sampler has taken its
 * baseline: on a fast run the frames would otherwise all be counted before it, and the series would show none.
 *
 * @param finalStats stats from shutdown
 * @param sampler    the sampler, with its series
 * @param recorder   the latency recorder
 * @param snapshots  every stats snapshot the sampler took, baseline first
 * @param printed    the live printer's output for every interval
 */
public record EngineRun(EngineStats finalStats, StatsSampler sampler, LatencyRecorder recorder,
                        List<EngineStats> snapshots, String printed) {
    /** Frames the feed sends. */
    public static final long FRAMES = 200_000;

    /** Runs an engine with the given consumer handler wrapped by the latency handler; a full ring drops. */
    public static EngineRun run(String name, FrameHandler inner) {
        return run(name, inner, false);
    }

    /**
     * Runs an engine with the given consumer handler wrapped by the latency handler; {@code lossless}: a full ring
     * holds the feed back, so every frame is delivered however slowly a loaded machine runs the consumers.
     */
    public static EngineRun run(String name, FrameHandler inner, boolean lossless) {
        final LatencyRecorder recorder = new LatencyRecorder();
        final AtomicBoolean baselineTaken = new AtomicBoolean();
        final TemplateFeed frames = new TemplateFeed("t", PacketTemplates.udp4(64, 60), FRAMES);
        final Feed gated = new Feed() {
            @Override
            public int poll(FrameSink sink, int budget) {
                return baselineTaken.get() ? frames.poll(sink, budget) : 0;
            }

            @Override
            public String name() {
                return frames.name();
            }
        };
        final SteerEngine engine = SteerEngine.builder().cpus(CpuSet.all(2)).maxEntries(2).entry(0, 2048)
            .entry(1, 2048).pinning(false).lossless(lossless).systemName(name)
            .feed(gated)
            .handler(new LatencyHandler(recorder, inner)).start();
        final List<EngineStats> snapshots = Collections.synchronizedList(new ArrayList<>());
        final Supplier<EngineStats> stats = () -> {
            final EngineStats s = engine.stats();
            snapshots.add(s);
            return s;
        };
        final StringBuilder printed = new StringBuilder();
        final LiveStatsPrinter printer = new LiveStatsPrinter();
        final EngineStats finalStats;
        final StatsSampler sampler;
        try {
            sampler = new StatsSampler(stats, System::nanoTime, recorder,
                new StatsSampler.Settings(Duration.ofMillis(20), 1000));
            baselineTaken.set(true);
            sampler.runUntil(engine::feedsEnded, interval -> printed.append(printer.format(interval)));
        } finally {
            finalStats = engine.shutdown();
        }
        return new EngineRun(finalStats, sampler, recorder, List.copyOf(snapshots), printed.toString());
    }
}
