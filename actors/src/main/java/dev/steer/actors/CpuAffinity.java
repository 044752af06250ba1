package dev.steer.actors;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

import dev.steer.engine.map.CpuList;

/**
 * Pins the calling thread to one CPU with Linux {@code sched_setaffinity}, called through Java's foreign
 * function API (no JNI library), and reads back where the thread runs with {@code sched_getcpu}, so a
 * caller knows the CPU it actually got instead of trusting the request.
 *
 * <p>Thread contract: {@link #pinCurrentThread} affects only the calling thread. Costs a system call;
 * call it once when a data-path thread starts, never per frame.
 */
public final class CpuAffinity {
    /**
     * CPUs this class can pin to, 0..{@code MAX_CPUS - 1}: every CPU a CPU list accepts ({@link CpuList#MAX_CPU}),
     * and the size in bits of the affinity mask it passes (512 bytes), so that no CPU the configuration accepts is
     * refused here. A CPU the machine lacks is refused by the kernel (EINVAL), with the reason.
     */
    public static final int MAX_CPUS = CpuList.MAX_CPU + 1;

    private static final MethodHandle SET_AFFINITY;
    private static final MethodHandle GET_CPU;
    private static final String UNAVAILABLE_REASON;

    static {
        MethodHandle set = null;
        MethodHandle get = null;
        String reason = null;
        try {
            if (!System.getProperty("os.name", "").toLowerCase().contains("linux")) {
                reason = "CPU pinning needs Linux; this is " + System.getProperty("os.name");
            } else {
                final Linker linker = Linker.nativeLinker();
                final SymbolLookup libc = linker.defaultLookup();
                final Optional<MemorySegment> setSymbol = libc.find("sched_setaffinity");
                final Optional<MemorySegment> getSymbol = libc.find("sched_getcpu");
                if (setSymbol.isEmpty() || getSymbol.isEmpty()) {
                    reason = "libc has no sched_setaffinity / sched_getcpu";
                } else {
                    set = linker.downcallHandle(setSymbol.get(), FunctionDescriptor.of(ValueLayout.JAVA_INT,
                        ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS), Linker.Option.captureCallState("errno"));
                    get = linker.downcallHandle(getSymbol.get(), FunctionDescriptor.of(ValueLayout.JAVA_INT));
                }
            }
        } catch (RuntimeException | LinkageError ex) {
            reason = "native access failed: " + ex;
        }
        SET_AFFINITY = set;
        GET_CPU = get;
        UNAVAILABLE_REASON = reason;
    }

    private CpuAffinity() {
    }

    /**
     * Outcome of a pin request.
     *
     * @param requested the CPU asked for
     * @param pinned    true when the thread's affinity is now that one CPU and it runs there
     * @param actualCpu the CPU the thread runs on after the call, or -1 when unknown
     * @param reason    why pinning did not happen, or null when it did
     */
    public record Result(int requested, boolean pinned, int actualCpu, String reason) {
    }

    /** True when this platform supports pinning at all. */
    public static boolean isAvailable() {
        return UNAVAILABLE_REASON == null;
    }

    /** The CPU the calling thread runs on now, or -1 when that cannot be known. */
    public static int currentCpu() {
        if (GET_CPU == null) {
            return -1;
        }
        try {
            return (int) GET_CPU.invokeExact();
        } catch (Throwable ex) {
            return -1;
        }
    }

    /**
     * Restricts the calling thread to {@code cpu} and checks where it then runs. Never throws: a refusal
     * (another OS, a CPU outside the process' cgroup or affinity mask, a seccomp filter) comes back as a
     * result with {@code pinned == false} and the reason, so the caller can warn and run unpinned.
     */
    public static Result pinCurrentThread(int cpu) {
        if (UNAVAILABLE_REASON != null) {
            return new Result(cpu, false, currentCpu(), UNAVAILABLE_REASON);
        }
        if (cpu < 0 || cpu >= MAX_CPUS) {
            return new Result(cpu, false, currentCpu(), "cpu " + cpu + " is outside 0.." + (MAX_CPUS - 1));
        }
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment mask = arena.allocate(MAX_CPUS / 8, 8);
            mask.set(ValueLayout.JAVA_BYTE, cpu / 8, (byte) (1 << (cpu % 8)));
            final MemorySegment state = arena.allocate(Linker.Option.captureStateLayout());
            final int rc = (int) SET_AFFINITY.invokeExact(state, 0, (long) (MAX_CPUS / 8), mask);
            if (rc != 0) {
                final int errno = state.get(ValueLayout.JAVA_INT,
                    Linker.Option.captureStateLayout().byteOffset(java.lang.foreign.MemoryLayout.PathElement.groupElement("errno")));
                return new Result(cpu, false, currentCpu(), "sched_setaffinity(" + cpu + ") failed with errno " + errno
                    + (errno == 22 ? " (EINVAL: CPU not in this process' allowed set)" : ""));
            }
            // The kernel moves the thread at its next scheduling point; a yield lets that happen now.
            Thread.yield();
            final int actual = currentCpu();
            return actual == cpu
                ? new Result(cpu, true, actual, null)
                : new Result(cpu, false, actual, "affinity set to CPU " + cpu + " but the thread runs on CPU " + actual);
        } catch (Throwable ex) {
            return new Result(cpu, false, currentCpu(), "sched_setaffinity failed: " + ex);
        }
    }
}
