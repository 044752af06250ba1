package dev.steer.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.steer.engine.map.CpuMap;
import dev.steer.engine.map.CpuSet;
import dev.steer.engine.map.EntryValue;
import dev.steer.engine.map.MapResult;
import dev.steer.engine.program.PacketView;
import dev.steer.engine.program.SteeringProgram;
import dev.steer.engine.program.Verdict;
import dev.steer.engine.stats.EngineStats;

/** A remote program whose per-thread instance cannot be had fails the update with ENOMEM: nothing to respawn. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RespawnLoopTest {
    @Test
    void shouldRefuseTheUpdateWithEnomemWhenTheRemoteProgramInstanceCannotBeHad() throws Exception {
        final AtomicInteger unexpected = new AtomicInteger();
        final SteerEngine engine = SteerEngine.builder().cpus(CpuSet.all(2)).maxEntries(2).entry(0, 64)
            .program(SequencedFeed.byFlow(1)).pinning(false).systemName("review-respawn")
            .errorHandler((w, e) -> {
                if (String.valueOf(e.getMessage()).contains("stopped unexpectedly")) {
                    unexpected.incrementAndGet();
                }
            })
            .start();
        final SteeringProgram bad = new SteeringProgram() {
            @Override
            public long run(PacketView packet) {
                return Verdict.of(Verdict.PASS);
            }

            @Override
            public SteeringProgram forIngress() {
                throw new IllegalStateException("per-thread state cannot be had");
            }
        };
        assertEquals(MapResult.ENOMEM, engine.update(1, new EntryValue(64, bad), CpuMap.ANY),
            "a consumer whose program instance cannot be had is a resource that cannot be had");
        assertEquals(null, engine.lookup(1), "the map is unchanged");
        Thread.sleep(200);
        assertEquals(0, unexpected.get(), "no consumer was started, so none was respawned");
        final EngineStats stats = engine.shutdown();
        assertEquals(0, stats.accounting().inFlight());
    }
}
