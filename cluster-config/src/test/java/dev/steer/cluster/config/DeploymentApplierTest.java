package dev.steer.cluster.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Arrays;

import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.steer.actors.SteerEngine;
import dev.steer.engine.map.CpuSet;
import dev.steer.engine.map.EntryValue;
import dev.steer.engine.stats.EngineStats;

@Timeout(60)
class DeploymentApplierTest {
    private static final CpuSet CPUS = CpuSet.of(4, 0, 1, 3);

    @Test
    void shouldFillABuilderThatConcludesWhenTheSingleNodeExampleIsApplied() {
        final Deployment d = new DeploymentLoader(CPUS).load(ExampleFiles.file("single-node.conf"));
        d.engineBuilder(CPUS).conclude();
    }

    @Test
    void shouldFillABuilderThatConcludesForEveryNodeWhenTheClusterExampleIsApplied() {
        for (String node : new String[] {"node-1", "node-2", "node-3"}) {
            final Deployment d = new DeploymentLoader(CPUS).load(ExampleFiles.file("three-node-cluster.conf"), node);
            d.engineBuilder(CPUS).conclude();
        }
    }

    @Test
    void shouldRejectInTheBuilderWhatTheLoaderRejectsWhenSettingsAreAppliedUnchecked() {
        // The applier trusts a validated deployment; the builder's own check is the second line.
        final Deployment d = new DeploymentLoader(CPUS).parse(ConfigFactory.parseString("steer.map.max-entries = 4"));
        final SteerEngine.Builder narrower = DeploymentApplier.applyTo(d, SteerEngine.builder().cpus(CpuSet.all(2)));
        assertEquals(true, assertThrowsMessage(narrower).contains("maxEntries=4: must be 1..2"));
    }

    @Test
    void shouldStartAnEngineWithTheLocalEntriesQsizesAndRemoteProgramsWhenApplied() {
        final CpuSet machine = CpuSet.fromMachine();
        final int first = machine.usableCpus()[0];
        final Deployment d = new DeploymentLoader(machine).parse(ConfigFactory.parseString(
            "steer { engine { pinning = false, budget = 16, idle = backoff, pool { frames = 256 } }\n"
                + "map.entries = [ { key = " + first + ", qsize = 128, remote-program = drop } ] }"));
        final SteerEngine engine = d.engineBuilder(machine).systemName("applier-test").start();
        EngineStats stats;
        try {
            final EntryValue value = engine.lookup(first);
            assertNotNull(value);
            assertEquals(128, value.qsize());
            assertEquals("drop", value.remoteProgram().name());
            for (int cpu : Arrays.stream(machine.usableCpus()).filter(c -> c != first).toArray()) {
                assertNull(engine.lookup(cpu), "only the configured entry exists, not one per CPU");
            }
            assertEquals(1, engine.stats().entries());
        } finally {
            stats = engine.shutdown();
        }
        assertEquals(0, stats.accounting().inFlight());
        assertEquals(true, stats.poolsFull());
    }

    private static String assertThrowsMessage(SteerEngine.Builder builder) {
        try {
            builder.conclude();
        } catch (IllegalArgumentException ex) {
            return ex.getMessage();
        }
        throw new AssertionError("conclude() accepted max-entries above the CPU limit");
    }
}
