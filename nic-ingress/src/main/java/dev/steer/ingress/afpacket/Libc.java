package dev.steer.ingress.afpacket;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The few C library calls the AF_PACKET feed, sender and namespace helper need, bound once through the FFM
 * linker (no JNI, no native library of our own). Every call that can fail captures {@code errno} into a
 * caller-supplied state segment ({@link #newErrnoState(Arena)}), so that the hot-path calls (send,
 * getsockopt) allocate nothing. Constants are the x86_64/aarch64 Linux values.
 *
 * <p>Thread contract: any thread; each caller owns its errno state segment.
 */
final class Libc {
    static final int AF_PACKET = 17;
    static final int SOCK_RAW = 3;
    static final int SOCK_NONBLOCK = 0x800;
    static final int SOCK_CLOEXEC = 0x80000;
    static final int ETH_P_ALL = 0x0003;
    static final int SOL_PACKET = 263;
    static final int PACKET_RX_RING = 5;
    static final int PACKET_STATISTICS = 6;
    static final int PACKET_VERSION = 10;
    static final int PACKET_RESERVE = 12;
    static final int PACKET_FANOUT = 18;
    /** Flag in the mode byte of {@code PACKET_FANOUT}: with group id 0, the kernel creates a group with an unused id. */
    static final int PACKET_FANOUT_FLAG_UNIQUEID = 0x2000;
    /** Flag in the mode byte of {@code PACKET_FANOUT} (Linux 6.2): the group's hook leaves out what this host sends. */
    static final int PACKET_FANOUT_FLAG_IGNORE_OUTGOING = 0x4000;
    static final int PACKET_QDISC_BYPASS = 20;
    static final int PACKET_IGNORE_OUTGOING = 23;
    static final int TPACKET_V3 = 2;
    static final int PROT_READ = 1;
    static final int PROT_WRITE = 2;
    static final int MAP_SHARED = 1;
    static final int MAP_POPULATE = 0x8000;
    static final int MSG_DONTWAIT = 0x40;
    static final int O_RDONLY = 0;
    static final int O_CLOEXEC = 0x80000;
    static final int CLONE_NEWNET = 0x40000000;

    /** ioctl: the name of the interface with {@code struct ifreq}'s {@code ifr_ifindex} into its {@code ifr_name}. */
    static final long SIOCGIFNAME = 0x8910;
    /** ioctl: the interface's flags into {@code struct ifreq}'s {@code ifr_flags}. */
    static final long SIOCGIFFLAGS = 0x8913;
    /** ioctl: the interface's MTU into {@code struct ifreq}'s {@code ifr_mtu}. */
    static final long SIOCGIFMTU = 0x8921;
    /** {@code struct ifreq}: the name (IFNAMSIZ 16 bytes), then a union of at most 24 bytes ({@code ifr_flags}, ...). */
    static final int IFREQ_SIZE = 40;
    static final int IFREQ_FLAGS = 16;
    static final int IFREQ_IFINDEX = 16;
    static final int IFREQ_MTU = 16;
    static final int IFF_UP = 0x1;
    static final int IFF_RUNNING = 0x40;
    static final int EPERM = 1;
    static final int ENOENT = 2;
    static final int ENXIO = 6;
    static final int EAGAIN = 11;
    static final int ENOMEM = 12;
    static final int EACCES = 13;
    static final int EBUSY = 16;
    static final int ENODEV = 19;
    static final int EINVAL = 22;
    static final int EMSGSIZE = 90;
    static final int EALREADY = 114;
    static final int ENETDOWN = 100;
    static final int ENOBUFS = 105;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final Linker.Option ERRNO = Linker.Option.captureCallState("errno");
    private static final MemoryLayout STATE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO_HANDLE =
        STATE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final ValueLayout.OfInt I = ValueLayout.JAVA_INT;
    private static final ValueLayout.OfLong J = ValueLayout.JAVA_LONG;
    private static final ValueLayout P = ValueLayout.ADDRESS;

    private static final MethodHandle SOCKET = bind("socket", FunctionDescriptor.of(I, I, I, I));
    private static final MethodHandle SETSOCKOPT = bind("setsockopt", FunctionDescriptor.of(I, I, I, I, P, I));
    private static final MethodHandle GETSOCKOPT = bind("getsockopt", FunctionDescriptor.of(I, I, I, I, P, P));
    private static final MethodHandle BIND = bind("bind", FunctionDescriptor.of(I, I, P, I));
    private static final MethodHandle GETSOCKNAME = bind("getsockname", FunctionDescriptor.of(I, I, P, P));
    private static final MethodHandle MMAP = bind("mmap", FunctionDescriptor.of(P, P, J, I, I, I, J));
    private static final MethodHandle MUNMAP = bind("munmap", FunctionDescriptor.of(I, P, J));
    private static final MethodHandle CLOSE = bind("close", FunctionDescriptor.of(I, I));
    private static final MethodHandle IF_NAMETOINDEX = bind("if_nametoindex", FunctionDescriptor.of(I, P));
    private static final MethodHandle SEND = bind("send", FunctionDescriptor.of(J, I, P, J, I));
    private static final MethodHandle SENDMMSG = bind("sendmmsg", FunctionDescriptor.of(I, I, P, I, I));
    private static final MethodHandle SETNS = bind("setns", FunctionDescriptor.of(I, I, I));
    private static final MethodHandle OPEN = bind("open", FunctionDescriptor.of(I, P, I));
    // ioctl(int, unsigned long, ...) is variadic: the ifreq pointer is its first variadic argument.
    private static final MethodHandle IOCTL = LINKER.downcallHandle(find("ioctl"), FunctionDescriptor.of(I, I, J, P),
        Linker.Option.firstVariadicArg(2), ERRNO);
    private static final MethodHandle GETEUID = LINKER.downcallHandle(find("geteuid"), FunctionDescriptor.of(I));
    private static final MethodHandle GETPAGESIZE = LINKER.downcallHandle(find("getpagesize"), FunctionDescriptor.of(I));
    private static final MethodHandle STRERROR = LINKER.downcallHandle(find("strerror"), FunctionDescriptor.of(P, I));

    private Libc() {
    }

    private static MemorySegment find(String name) {
        return LIBC.find(name).orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
    }

    private static MethodHandle bind(String name, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(find(name), descriptor, ERRNO);
    }

    /** A segment to capture errno into; one per caller, reused for every call. */
    static MemorySegment newErrnoState(Arena arena) {
        return arena.allocate(STATE_LAYOUT);
    }

    /** The errno the last failed call on {@code state} left. */
    static int errno(MemorySegment state) {
        return (int) ERRNO_HANDLE.get(state, 0L);
    }

    static int socket(MemorySegment state, int domain, int type, int protocol) {
        try {
            return (int) SOCKET.invokeExact(state, domain, type, protocol);
        } catch (Throwable t) {
            throw linkageFailure(t);
        }
    }

    static int setsockopt(MemorySegment state, int fd, int level, int name, MemorySegment value, int length) {
        try {
            return (int) SETSOCKOPT.invokeExact(state, fd, level, name, value, length);
        } catch (Throwable t) {
            throw linkageFailure(t);
        }
    }

    static int getsockopt(MemorySegment state, int fd, int level, int name, MemorySegment value, MemorySegment length) {
        try {
            return (int) GETSOCKOPT.invokeExact(state, fd, level, name, value, length);
        } catch (Throwable t) {
            throw linkageFailure(t);
        }
    }

    static int bind(MemorySegment state, int fd, MemorySegment address, int length) {
        try {
            return (int) BIND.invokeExact(state, fd, address, length);
        } catch (Throwable t) {
            throw linkageFailure(t);
        }
    }

    /** {@code getsockname(2)}: for a packet socket, the {@code struct sockaddr_ll} it is bound to. */
    static int getsockname(MemorySegment state, int fd, MemorySegment address, MemorySegment length) {
        try {
            return (int) GETSOCKNAME.invokeExact(state, fd, address, length);
        } catch (Throwable t) {
            throw linkageFailure(t);
        }
    }

    /** mmap; the result's address is -1 (MAP_FAILED) on failure. */
    static MemorySegment mmap(MemorySegment state, long length, int prot, int flags, int fd) {
        try {
            return (MemorySegment) MMAP.invokeExact(state, MemorySegment.NULL, length, prot, flags, fd, 0L);
        } catch (Throwable t) {
            throw linkageFailure(t);
        }
    }

    static int munmap(MemorySegment state, MemorySegment address, long length) {
        try {
            return (int) MUNMAP.invokeExact(state, address, length);
        } catch (Throwable t) {
            throw linkageFailure(t);
        }
    }

    static int close(MemorySegment state, int fd) {
        try {
            return (int) CLOSE.invokeExact(state, fd);
        } catch (Throwable t) {
            throw linkageFailure(t);
        }
    }

    static int ifNameToIndex(MemorySegment state, MemorySegment name) {
        try {
            return (int) IF_NAMETOINDEX.invokeExact(state, name);
        } catch (Throwable t) {
            throw linkageFailure(t);
        }
    }

    /** {@code sendmmsg(2)}: sends up to {@code count} messages of the {@code struct mmsghdr} array at {@code messages}. */
    static int sendmmsg(MemorySegment state, int fd, MemorySegment messages, int count, int flags) {
        try {
            return (int) SENDMMSG.invokeExact(state, fd, messages, count, flags);
        } catch (Throwable t) {
            throw linkageFailure(t);
        }
    }

    static long send(MemorySegment state, int fd, MemorySegment buffer, long length, int flags) {
        try {
            return (long) SEND.invokeExact(state, fd, buffer, length, flags);
        } catch (Throwable t) {
            throw linkageFailure(t);
        }
    }

    static int setns(MemorySegment state, int fd, int type) {
        try {
            return (int) SETNS.invokeExact(state, fd, type);
        } catch (Throwable t) {
            throw linkageFailure(t);
        }
    }

    static int open(MemorySegment state, MemorySegment path, int flags) {
        try {
            return (int) OPEN.invokeExact(state, path, flags);
        } catch (Throwable t) {
            throw linkageFailure(t);
        }
    }

    /** ioctl(fd, request, pointer), for the requests that take a pointer to a struct (SIOCGIFFLAGS). */
    static int ioctl(MemorySegment state, int fd, long request, MemorySegment argument) {
        try {
            return (int) IOCTL.invokeExact(state, fd, request, argument);
        } catch (Throwable t) {
            throw linkageFailure(t);
        }
    }

    static int geteuid() {
        try {
            return (int) GETEUID.invokeExact();
        } catch (Throwable t) {
            throw linkageFailure(t);
        }
    }

    static int pageSize() {
        try {
            return (int) GETPAGESIZE.invokeExact();
        } catch (Throwable t) {
            throw linkageFailure(t);
        }
    }

    /** "EINVAL (Invalid argument)"-style text for messages; off the hot path. */
    static String describe(int errno) {
        final String name = switch (errno) {
            case EPERM -> "EPERM";
            case ENOENT -> "ENOENT";
            case ENXIO -> "ENXIO";
            case EAGAIN -> "EAGAIN";
            case ENOMEM -> "ENOMEM";
            case EACCES -> "EACCES";
            case EBUSY -> "EBUSY";
            case ENODEV -> "ENODEV";
            case EINVAL -> "EINVAL";
            case EMSGSIZE -> "EMSGSIZE";
            case EALREADY -> "EALREADY";
            case ENETDOWN -> "ENETDOWN";
            case ENOBUFS -> "ENOBUFS";
            default -> "errno " + errno;
        };
        try {
            final MemorySegment text = (MemorySegment) STRERROR.invokeExact(errno);
            return name + " (" + text.reinterpret(256).getString(0) + ")";
        } catch (Throwable t) {
            return name;
        }
    }

    private static IllegalStateException linkageFailure(Throwable t) {
        return new IllegalStateException("native call failed: " + t, t);
    }
}
