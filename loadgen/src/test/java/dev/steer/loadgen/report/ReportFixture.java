package dev.steer.loadgen.report;

import java.time.Duration;
import java.time.Instant;

import dev.steer.engine.path.FrameHandler;
import dev.steer.loadgen.stats.EngineRun;
import dev.steer.loadgen.stats.LatencySnapshot;

/** One real engine run shared by the report tests of a class, with the metadata the CLI would fill. */
final class ReportFixture {
    final EngineRun run;
    final RunInfo info;
    final LatencySnapshot latency;

    ReportFixture(String name) {
        final Instant started = Instant.now();
        final long t0 = System.nanoTime();
        this.run = EngineRun.run(name, FrameHandler.NO_OP);
        this.info = new RunInfo("l4-hash", "synthetic udp4 64 flows x 60 B", "0-1", started,
            Duration.ofNanos(System.nanoTime() - t0));
        this.latency = LatencySnapshot.of(run.recorder().cumulative());
    }
}
