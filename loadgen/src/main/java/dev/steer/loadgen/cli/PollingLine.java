package dev.steer.loadgen.cli;

import java.util.function.Consumer;
import java.util.function.Supplier;

import dev.steer.engine.stats.EngineStats;
import dev.steer.engine.stats.PathCounters;
import dev.steer.engine.stats.PathStats;

/**
 * The run's {@code running: N ingresses polling} line: said once, when every ingress of the run's feeds has polled its
 * feed. The feeds were opened long before (an AF_PACKET ring fills and overruns until its ingress polls): this, not
 * the engine's start, is when an external sender should begin. The run's thread only.
 */
final class PollingLine {
    private final int ingresses;
    private final Consumer<String> say;
    private boolean said;

    /**
     * @param ingresses the run's feeds, one ingress each
     * @param say       where the line goes (the run's stderr)
     */
    PollingLine(int ingresses, Consumer<String> say) {
        this.ingresses = ingresses;
        this.say = say;
    }

    /** One turn of the run's loop: asks for the stats and says the line when every ingress has polled. */
    void look(Supplier<EngineStats> stats) {
        if (!said && pollingIngresses(stats.get()) >= ingresses) {
            say.accept("running: " + ingresses + (ingresses == 1 ? " ingress" : " ingresses")
                + " polling; the run's time has started");
            said = true;
        }
    }

    /**
     * The engine's ingresses of the run's feeds ({@code ingress-i}; not a cluster node's {@code receiver}) that have
     * polled their feed at least once.
     */
    static int pollingIngresses(EngineStats stats) {
        int polling = 0;
        for (PathStats row : stats.ingresses()) {
            if (row.name().startsWith("ingress-") && row.get(PathCounters.Counter.POLLS) > 0) {
                polling++;
            }
        }
        return polling;
    }
}
