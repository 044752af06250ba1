package dev.steer.engine.path;

import dev.steer.engine.frame.Frame;
import dev.steer.engine.program.PacketView;
import dev.steer.engine.program.SteeringProgram;
import dev.steer.engine.program.Verdict;
import dev.steer.engine.stats.PathCounters;

/** Runs a steering program on a frame the way every data path must: an exception is counted and becomes ABORTED. */
final class GuardedProgram {
    private GuardedProgram() {
    }

    /** The program's verdict for {@code frame}, or ABORTED (counted, reported) when it throws. Allocation-free. */
    static long run(SteeringProgram program, PacketView view, Frame frame, PathCounters counters,
                    HandlerBatch.ErrorSink errors) {
        return run(program, view.wrap(frame), counters, errors);
    }

    /**
     * The program's verdict for the packet {@code view} already points at, or ABORTED (counted, reported) when it
     * throws.
     */
    static long run(SteeringProgram program, PacketView view, PathCounters counters, HandlerBatch.ErrorSink errors) {
        try {
            return program.run(view);
        } catch (Throwable error) {
            counters.increment(PathCounters.Counter.PROGRAM_EXCEPTIONS);
            HandlerBatch.report(errors, counters, error);
            return Verdict.of(Verdict.ABORTED);
        }
    }
}
