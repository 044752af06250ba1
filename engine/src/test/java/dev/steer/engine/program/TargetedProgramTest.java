package dev.steer.engine.program;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The target choice is the index modulo the number of targets, unsigned, whatever shortcut computes it. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class TargetedProgramTest {
    @Test
    void shouldPickTheTargetAtTheUnsignedModuloWhenTargetCountIsOrIsNotAPowerOfTwo() {
        final SplittableRandom random = new SplittableRandom(7);
        for (int count = 1; count <= 17; count++) {
            final int[] targets = new int[count];
            for (int i = 0; i < count; i++) {
                targets[i] = 100 + i;
            }
            final TouchProgram program = new TouchProgram(targets, Verdict.DROP);
            for (int round = 0; round < 10_000; round++) {
                final int index = round < 4 ? new int[] {0, -1, Integer.MIN_VALUE, Integer.MAX_VALUE}[round] : random.nextInt();
                assertEquals(Verdict.redirect(targets[Integer.remainderUnsigned(index, count)], Verdict.DROP),
                    program.redirectTo(index), count + " targets, index " + index);
            }
        }
    }
}
