package dev.steer.ingress.afpacket;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * One AF_PACKET SOCK_RAW socket and the native memory its calls use (errno state, option buffers), shared
 * by {@link AfPacketFeed} and {@link AfPacketSender}. Created inside the interface's namespace; every
 * setup failure becomes one {@link AfPacketException} line naming the interface, the call, the errno and
 * the remedy, after the socket has been closed.
 *
 * <p>Thread contract: set up on one thread; afterwards the owner's thread uses {@link #state()}, and
 * {@link #close()} may run on any thread once, after the owner's last use.
 */
final class PacketSocket {
    static final int SOCKADDR_LL_SIZE = 20;
    /** Offset of {@code sll_ifindex} in {@code struct sockaddr_ll}. */
    static final int SLL_IFINDEX = 4;

    private final Arena arena = Arena.ofShared();
    private final MemorySegment state = Libc.newErrnoState(arena);
    private final String iface;
    private final String netns;
    private final int fd;
    private int ifIndex;
    private boolean closed;

    /**
     * Opens a socket for {@code iface} with no protocol hook yet (protocol 0), so that nothing is queued
     * on it before {@link #bind} names the interface and the protocol.
     */
    PacketSocket(String iface, String netns, int typeFlags) {
        this.iface = iface;
        this.netns = netns;
        final int socket = Libc.socket(state, Libc.AF_PACKET, Libc.SOCK_RAW | Libc.SOCK_CLOEXEC | typeFlags, 0);
        if (socket < 0) {
            final int errno = Libc.errno(state);
            arena.close();
            if (errno == Libc.EPERM || errno == Libc.EACCES) {
                throw new AfPacketException(where() + ": socket(AF_PACKET, SOCK_RAW) failed with "
                    + Libc.describe(errno) + ": " + needsCapNetRaw(), errno);
            }
            throw new AfPacketException(where() + ": socket(AF_PACKET, SOCK_RAW) failed with " + Libc.describe(errno), errno);
        }
        this.fd = socket;
    }

    /** Resolves the interface in the current (the socket's) namespace; closes and throws when there is none. */
    int resolveInterface() {
        final int index = Libc.ifNameToIndex(state, arena.allocateFrom(iface));
        if (index == 0) {
            final int errno = Libc.errno(state);
            throw failure("no such interface " + iface + (netns.isEmpty() ? "" : " in network namespace " + netns)
                + " (if_nametoindex: " + Libc.describe(errno) + "); see `ip link"
                + (netns.isEmpty() ? "" : " -n " + netns) + "`", errno);
        }
        ifIndex = index;
        return index;
    }

    /** Binds to the resolved interface for {@code protocol} (host order; 0 = send only). */
    void bind(int protocol) {
        final MemorySegment address = arena.allocate(SOCKADDR_LL_SIZE, 4);
        address.set(ValueLayout.JAVA_SHORT, 0, (short) Libc.AF_PACKET);
        address.set(ValueLayout.JAVA_SHORT, 2, Short.reverseBytes((short) protocol));
        address.set(ValueLayout.JAVA_INT, SLL_IFINDEX, ifIndex);
        if (Libc.bind(state, fd, address, SOCKADDR_LL_SIZE) != 0) {
            final int errno = Libc.errno(state);
            throw failure("bind to ifindex " + ifIndex + " failed with " + Libc.describe(errno), errno);
        }
    }

    /** setsockopt(SOL_PACKET, name) with an int value; closes and throws {@code what + errno} on failure. */
    void setInt(int name, int value, String what) {
        final MemorySegment option = arena.allocate(ValueLayout.JAVA_INT);
        option.set(ValueLayout.JAVA_INT, 0, value);
        set(name, option, what);
    }

    /** getsockopt(SOL_PACKET, name) of an int value; closes and throws {@code what + errno} on failure. */
    int getInt(int name, String what) {
        final MemorySegment option = arena.allocate(ValueLayout.JAVA_INT);
        final MemorySegment length = arena.allocate(ValueLayout.JAVA_INT);
        length.set(ValueLayout.JAVA_INT, 0, (int) option.byteSize());
        if (Libc.getsockopt(state, fd, Libc.SOL_PACKET, name, option, length) != 0) {
            final int errno = Libc.errno(state);
            throw failure(what + " failed with " + Libc.describe(errno), errno);
        }
        return option.get(ValueLayout.JAVA_INT, 0);
    }

    /** setsockopt(SOL_PACKET, name) with an int value, for options a kernel may lack; false (socket open) on failure. */
    boolean trySetInt(int name, int value) {
        final MemorySegment option = arena.allocate(ValueLayout.JAVA_INT);
        option.set(ValueLayout.JAVA_INT, 0, value);
        return Libc.setsockopt(state, fd, Libc.SOL_PACKET, name, option, (int) option.byteSize()) == 0;
    }

    /** setsockopt(SOL_PACKET, name) with a struct; closes and throws {@code what + errno} on failure. */
    void set(int name, MemorySegment option, String what) {
        if (Libc.setsockopt(state, fd, Libc.SOL_PACKET, name, option, (int) option.byteSize()) != 0) {
            final int errno = Libc.errno(state);
            throw failure(what + " failed with " + Libc.describe(errno), errno);
        }
    }

    /**
     * A {@code struct ifreq} for {@link #interfaceFlags(MemorySegment, MemorySegment)}, allocated in {@code arena}: a
     * caller that reads the flags repeatedly (the polling thread) allocates one once and reuses it.
     */
    MemorySegment interfaceRequest(Arena arena) {
        return arena.allocate(Libc.IFREQ_SIZE, 8);
    }

    /**
     * The flags of the interface the socket is bound to, by its index ({@code SIOCGIFNAME} for its name now, then
     * {@code SIOCGIFFLAGS}, both on this socket, so in the socket's namespace whatever the calling thread's) read into
     * {@code request} (from {@link #interfaceRequest}), or -1 when they cannot be read (the interface gone). By index, not
     * by the name it was opened with: a renamed interface keeps its socket, and another one may take the old name. Two
     * ioctls, no allocation; {@code request} and {@code errnoState} belong to the calling thread. Not after
     * {@link #close()}.
     */
    int interfaceFlags(MemorySegment request, MemorySegment errnoState) {
        if (!askInterface(request, errnoState, Libc.SIOCGIFFLAGS)) {
            return -1;
        }
        return request.get(ValueLayout.JAVA_SHORT, Libc.IFREQ_FLAGS) & 0xffff;
    }

    /**
     * Names the bound interface in {@code request} by its index ({@code SIOCGIFNAME}), then makes the ioctl
     * {@code question} on it, both on this socket: false when either fails (the interface gone). No allocation.
     */
    private boolean askInterface(MemorySegment request, MemorySegment errnoState, long question) {
        request.set(ValueLayout.JAVA_INT, Libc.IFREQ_IFINDEX, ifIndex);
        return Libc.ioctl(errnoState, fd, Libc.SIOCGIFNAME, request) == 0
            && Libc.ioctl(errnoState, fd, question, request) == 0;
    }

    /**
     * The interface's flags as {@link #interfaceFlags(MemorySegment, MemorySegment)} reads them, from any thread, or -1
     * also when the socket is closed. Off the hot path: two ioctls and a confined arena; not concurrently with
     * {@link #close()}.
     */
    int interfaceFlags() {
        if (closed) {
            return -1;
        }
        try (Arena call = Arena.ofConfined()) {
            return interfaceFlags(interfaceRequest(call), Libc.newErrnoState(call));
        }
    }

    /**
     * The MTU of the interface the socket is bound to, by its index ({@code SIOCGIFNAME}, then {@code SIOCGIFMTU}, on
     * this socket, so in its namespace), or -1 when it cannot be read (the interface gone, the socket closed). Off the
     * hot path: two ioctls and a confined arena; not concurrently with {@link #close()}.
     */
    int mtu() {
        if (closed) {
            return -1;
        }
        try (Arena call = Arena.ofConfined()) {
            final MemorySegment request = interfaceRequest(call);
            if (!askInterface(request, Libc.newErrnoState(call), Libc.SIOCGIFMTU)) {
                return -1;
            }
            return request.get(ValueLayout.JAVA_INT, Libc.IFREQ_MTU);
        }
    }

    /** True when {@code flags} (-1: unreadable) say the interface can carry frames: up and running (a carrier). */
    static boolean carries(int flags) {
        return flags >= 0 && (flags & (Libc.IFF_UP | Libc.IFF_RUNNING)) == (Libc.IFF_UP | Libc.IFF_RUNNING);
    }

    /**
     * One line saying why the interface can carry nothing now (down, or up without a carrier), naming it and its
     * namespace and what to do; null when it is up and running, or its flags cannot be read. See {@link #interfaceFlags()}.
     */
    String linkWarning() {
        return describeLink(interfaceFlags());
    }

    /**
     * The line of {@link #linkWarning()} for {@code flags} as read: null when they say up and running, or are -1
     * (unreadable). Allocates the line; call it on a change, not per poll.
     */
    String describeLink(int flags) {
        if (flags < 0 || carries(flags)) {
            return null;
        }
        final String up = "`ip" + (netns.isEmpty() ? "" : " -n " + netns) + " link set " + iface + " up`";
        return (flags & Libc.IFF_UP) == 0
            ? where() + ": the interface is down: nothing arrives until it is brought up (" + up + ")"
            : where() + ": the interface is up but has no carrier (no link: a cable out, a veth whose peer is down):"
              + " nothing arrives until the link comes up";
    }

    /** Closes the socket and throws a one-line exception about this socket. */
    AfPacketException failure(String detail, int errno) {
        close();
        return new AfPacketException(where() + ": " + detail, errno);
    }

    /** The socket's file descriptor. */
    int fd() {
        return fd;
    }

    /** The interface index {@link #resolveInterface()} found. */
    int ifIndex() {
        return ifIndex;
    }

    /** The errno state segment for the owner's calls. */
    MemorySegment state() {
        return state;
    }

    /** Memory that lives as long as the socket, for the owner's preallocated buffers. */
    Arena arena() {
        return arena;
    }

    /** Closes the socket and frees its native memory; idempotent. */
    void close() {
        if (closed) {
            return;
        }
        closed = true;
        Libc.close(state, fd);
        arena.close();
    }

    private String where() {
        return where(iface, netns);
    }

    /** How messages name an AF_PACKET socket on {@code iface} in namespace {@code netns} (empty: the caller's). */
    static String where(String iface, String netns) {
        return "AF_PACKET " + iface + (netns.isEmpty() ? "" : " (netns " + netns + ")");
    }

    private static String javaBinary() {
        return ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java");
    }

    /**
     * What to do without CAP_NET_RAW. Granting it to the java binary alone ({@code setcap cap_net_raw+ep}) makes the
     * loader run java in secure mode, which ignores the {@code $ORIGIN} path java finds libjli.so by: java then does
     * not start at all. An ambient capability leaves java as it is.
     */
    private static String needsCapNetRaw() {
        final String user = System.getProperty("user.name");
        return "AF_PACKET needs CAP_NET_RAW: run as root, or start the JVM with CAP_NET_RAW as an ambient capability"
            + " (`sudo setpriv --reuid=" + user + " --regid=" + user
            + " --init-groups --inh-caps=+net_raw --ambient-caps=+net_raw COMMAND`, or systemd's"
            + " AmbientCapabilities=CAP_NET_RAW); `setcap cap_net_raw+ep " + javaBinary()
            + "` alone leaves java unable to start (libjli.so not found) until " + System.getProperty("java.home")
            + "/lib is in the loader's paths (a file in /etc/ld.so.conf.d, then ldconfig)";
    }
}
