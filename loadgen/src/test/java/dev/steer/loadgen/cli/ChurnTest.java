package dev.steer.loadgen.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.steer.actors.SteerEngine;
import dev.steer.cluster.config.RemotePrograms;
import dev.steer.engine.map.CpuSet;
import dev.steer.engine.map.EntryLocation;
import dev.steer.engine.map.EntryValue;
import dev.steer.engine.program.SteeringProgram;

/** The map churn of {@code steer run --churn}: it changes qsizes, never what else an entry was configured with. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ChurnTest {
    @Test
    void shouldKeepEachEntrysRemoteProgramAndLocationWhenItReplacesTheEntry() {
        final SteeringProgram pass = RemotePrograms.create("pass", new int[0]);
        try (SteerEngine engine = SteerEngine.builder().cpus(CpuSet.all(4)).maxEntries(4)
            .entry(2, new EntryValue(256, pass, EntryLocation.local(1))).entry(3, 256).pinning(false)
            .systemName("churn-test").start()) {
            final Churn churn = new Churn(engine, new int[] {2, 3}, 256, 42);
            for (int i = 0; i < 200; i++) {
                churn.step();
            }
            for (int i = 0; i < 50 && engine.lookup(2) == null; i++) {
                churn.step();
            }
            final EntryValue value = engine.lookup(2);
            assertNotNull(value, "key 2 was created again");
            assertSame(pass, value.remoteProgram(), "its remote program stays");
            assertEquals(1, value.cpu(2), "and so does its CPU");
        }
    }
}
