package dev.steer.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.steer.engine.map.CpuMap;
import dev.steer.engine.map.CpuSet;
import dev.steer.engine.map.EntryValue;
import dev.steer.engine.map.MapResult;
import dev.steer.engine.program.PacketView;
import dev.steer.engine.program.SteeringProgram;
import dev.steer.engine.program.Verdict;

/**
 * A user program whose {@code forIngress()} returns null has no instance to run: the ingress' start fails and the
 * remote entry's update answers ENOMEM, instead of counting every frame ABORTED (ingress) or silently running no
 * remote program at all (consumer).
 */
class ProgramInstanceTest {
    private static SteerEngine.Builder engine(String name) {
        return SteerEngine.builder().cpus(CpuSet.all(2)).maxEntries(2).entry(0, 64).entry(1, 64).pinning(false)
            .systemName(name).errorHandler((where, error) -> { });
    }

    /** A program that gives no per-thread instance: {@code forIngress()} returns null. */
    private static SteeringProgram withoutInstance(int verdict) {
        return new SteeringProgram() {
            @Override
            public long run(PacketView packet) {
                return Verdict.of(verdict);
            }

            @Override
            public SteeringProgram forIngress() {
                return null;
            }
        };
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void shouldFailStartWhenTheIngressProgramGivesNoPerThreadInstance() {
        final IllegalStateException refused = assertThrows(IllegalStateException.class,
            () -> engine("misuse-null-instance").program(withoutInstance(Verdict.PASS))
                .feed(new SequencedFeed("f", 0, 2, 1_000)).start());
        assertTrue(refused.getMessage().contains("forIngress()"), refused.getMessage());
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void shouldAnswerEnomemWhenARemoteProgramGivesNoPerThreadInstance() {
        try (SteerEngine engine = engine("misuse-null-remote").askTimeout(Duration.ofSeconds(5)).start()) {
            assertEquals(MapResult.ENOMEM, engine.update(1, new EntryValue(64, withoutInstance(Verdict.DROP)),
                CpuMap.ANY));
            assertEquals(64, engine.lookup(1).qsize(), "the map is unchanged");
            assertNull(engine.lookup(1).remoteProgram());
        }
    }
}
