package dev.steer.ingress.afpacket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An open whose switch back out of the namespace fails after the socket and ring were made must release them. The
 * failure is a real one: the opening thread enters the namespace, then drops CAP_SYS_ADMIN from its own effective
 * capabilities (capset(2) acts on the calling thread only), so the scope's setns back fails with EPERM. It runs on a
 * thread of its own, which ends in the test's namespace; the rest of the JVM is untouched.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AfPacketOpenFailureTest {
    private static final int LINUX_CAPABILITY_VERSION_3 = 0x20080522;
    private static final int CAP_SYS_ADMIN = 21;

    @RegisterExtension
    static final VethPair VETH = VethPair.perTestClass();

    /** Enters the namespace as open does, then makes the way back fail: this thread loses CAP_SYS_ADMIN. */
    private static final Function<String, NetNamespace.Scope> ENTER_WITHOUT_RETURN = netns -> {
        final NetNamespace.Scope scope = NetNamespace.enter(netns);
        dropSysAdminFromThisThread();
        return scope;
    };

    private static void dropSysAdminFromThisThread() {
        final Linker linker = Linker.nativeLinker();
        final FunctionDescriptor call = FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS);
        final MethodHandle capget = linker.downcallHandle(linker.defaultLookup().find("capget").orElseThrow(), call);
        final MethodHandle capset = linker.downcallHandle(linker.defaultLookup().find("capset").orElseThrow(), call);
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment header = arena.allocate(8, 4);
            header.set(ValueLayout.JAVA_INT, 0, LINUX_CAPABILITY_VERSION_3);
            header.set(ValueLayout.JAVA_INT, 4, 0); // 0: the calling thread
            final MemorySegment data = arena.allocate(24, 4); // two {effective, permitted, inheritable}
            if ((int) capget.invokeExact(header, data) != 0) {
                throw new IllegalStateException("capget failed");
            }
            data.set(ValueLayout.JAVA_INT, 0, data.get(ValueLayout.JAVA_INT, 0) & ~(1 << CAP_SYS_ADMIN));
            if ((int) capset.invokeExact(header, data) != 0) {
                throw new IllegalStateException("capset failed");
            }
        } catch (RuntimeException | Error ex) {
            throw ex;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** Runs {@code open} on a platform thread of its own and returns what it threw (null when it returned). */
    private static Throwable onOwnThread(Runnable open) throws InterruptedException {
        final AtomicReference<Throwable> thrown = new AtomicReference<>();
        final Thread thread = Thread.ofPlatform().name("steer-open-failure").start(() -> {
            try {
                open.run();
            } catch (Throwable t) {
                thrown.set(t);
            }
        });
        thread.join(TimeUnit.SECONDS.toMillis(30));
        assertTrue(!thread.isAlive(), "the open returned");
        return thrown.get();
    }

    @Test
    void shouldCloseTheBuiltFeedWhenSwitchingTheThreadBackFails() throws Exception {
        final AfPacketSettings settings = VETH.feedSettings();
        AfPacketFeed.open(settings).close(); // warm up: classes and the first namespace switch
        final long fds = openDescriptors();
        final long maps = ringMappings();

        final Throwable thrown = onOwnThread(() -> AfPacketFeed.open("afpacket:leak", settings, ENTER_WITHOUT_RETURN).close());

        assertNotNull(thrown, "the open fails: the thread could not leave the namespace");
        assertSwitchBackFailure(thrown, VethPair.B);
        assertEquals(maps, ringMappings(), "the ring is unmapped");
        assertEquals(fds, openDescriptors(), "the socket is closed");
    }

    @Test
    void shouldCloseTheBuiltSenderWhenSwitchingTheThreadBackFails() throws Exception {
        AfPacketSender.open(VETH.netns(), VethPair.A).close();
        final long fds = openDescriptors();

        final Throwable thrown = onOwnThread(() -> AfPacketSender.open(VETH.netns(), VethPair.A, ENTER_WITHOUT_RETURN).close());

        assertNotNull(thrown, "the open fails: the thread could not leave the namespace");
        assertSwitchBackFailure(thrown, VethPair.A);
        assertEquals(fds, openDescriptors(), "the socket is closed");
    }

    /** One line naming the interface and that it was closed again; the scope's own failure (EPERM) as the cause. */
    private static void assertSwitchBackFailure(Throwable thrown, String iface) {
        assertTrue(thrown instanceof IllegalStateException, "an IllegalStateException: " + thrown);
        assertTrue(thrown.getMessage().contains("AF_PACKET " + iface) && thrown.getMessage().contains("closed again"),
            thrown.getMessage());
        assertNotNull(thrown.getCause(), "the scope's failure is the cause");
        assertTrue(thrown.getCause().getMessage().contains("cannot switch the thread back")
            && thrown.getCause().getMessage().contains("EPERM"), thrown.getCause().getMessage());
    }

    private static long openDescriptors() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    private static long ringMappings() throws IOException {
        try (Stream<String> lines = Files.lines(Path.of("/proc/self/maps"))) {
            return lines.filter(line -> line.contains("socket:") || line.contains("packet")).count();
        }
    }
}
