package dev.steer.engine.map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class CpuListTest {
    @ParameterizedTest(name = "''{0}'' -> {1}")
    @CsvSource(delimiter = ';', value = {
        "0; 0",
        "0-3; 0 1 2 3",
        "0-3,6,8-9; 0 1 2 3 6 8 9",
        "6,0-1; 6 0 1",
        "3-3; 3",
        "' 0 , 2 - 3 '; 0 2 3",
        "007; 7",
        "4095; 4095",
    })
    void shouldReadEveryCpuInTheOrderWrittenWhenTheListIsWellFormed(String text, String expected) {
        final int[] cpus = java.util.Arrays.stream(expected.split(" ")).mapToInt(Integer::parseInt).toArray();
        assertArrayEquals(cpus, CpuList.parse(text));
    }

    @ParameterizedTest(name = "''{0}''")
    @CsvSource(delimiter = ';', value = {
        "0,0; CPU 0 is listed twice",
        "0-3,2; CPU 2 is listed twice",
        "1-2,0-1; CPU 1 is listed twice",
        "3-0; range 3-0 is reversed (write 0-3)",
        "-1; '-1' is not a CPU number or a range low-high",
        "+1; '+1' is not a CPU number or a range low-high",
        "0x1; '0x1' is not a CPU number or a range low-high",
        "1 2; '1 2' is not a CPU number or a range low-high",
        "0-3-5; '0-3-5' is not a CPU number or a range low-high",
        "1-; '1-' is not a CPU number or a range low-high",
        "4096; CPU 4096 is out of range",
        "0-2000000000; CPU 2000000000 is out of range",
        "99999999999999; CPU 99999999999999 is out of range",
        "0,,1; item 2 is empty",
        "'0,'; item 2 is empty",
        "',0'; item 1 is empty",
        "''; is empty",
        "'  '; is empty",
    })
    void shouldRefuseWithTheProblemAndWhatIsAllowedWhenTheListIsMalformed(String text, String problem) {
        final IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> CpuList.parse(text));
        assertTrue(error.getMessage().startsWith(problem), error.getMessage());
        assertTrue(error.getMessage().endsWith(": " + CpuList.ALLOWED), error.getMessage());
    }

    @Test
    void shouldRefuseARepeatOrAnOutOfRangeCpuWhenCheckedOneByOne() {
        CpuList.check(0, 3, 1);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> CpuList.check(1, 0, 1)).getMessage()
            .startsWith("CPU 1 is listed twice"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> CpuList.check(-1)).getMessage()
            .startsWith("CPU -1 is out of range"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> CpuList.check(4096)).getMessage()
            .startsWith("CPU 4096 is out of range"));
    }

    @Test
    void shouldWriteRangesWhenFormattingAscendingCpus() {
        assertEquals("0-3,6,8-9", CpuList.format(new int[] {0, 1, 2, 3, 6, 8, 9}));
        assertEquals("5", CpuList.format(new int[] {5}));
        assertEquals("", CpuList.format(new int[0]));
        assertArrayEquals(new int[] {0, 1, 2, 3, 6, 8, 9}, CpuList.parse(CpuList.format(new int[] {0, 1, 2, 3, 6, 8, 9})));
    }
}
