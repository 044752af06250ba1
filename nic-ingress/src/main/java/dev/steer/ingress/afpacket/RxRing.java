package dev.steer.ingress.afpacket;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An AF_PACKET socket with a TPACKET_V3 receive ring mapped into the JVM, bound to its interface for every protocol and
 * a member of its fanout group if the settings name one: what an {@link AfPacketFeed} reads. {@link #open} sets it up
 * and leaves nothing open or mapped when it fails; {@link #close()} unmaps the ring and closes the socket.
 *
 * <p>Thread contract: opened on one thread, inside the settings' network namespace; afterwards owned by the feed, whose
 * {@link AfPacketFeed#close()} closes it once. Off the hot path.
 */
final class RxRing {
    // struct tpacket_req3: seven unsigned ints.
    private static final int REQ3_SIZE = 28;
    private static final Pattern RELEASE = Pattern.compile("(\\d{1,9})\\.(\\d{1,9})");
    /**
     * The running kernel's release, as {@code uname -r} gives it: the JVM's {@code os.version} on Linux. What
     * {@link #open(AfPacketSettings)} decides the fanout flags by, and tests too.
     */
    static final String KERNEL_RELEASE = System.getProperty("os.version", "");

    private final PacketSocket socket;
    private final MemorySegment memory;
    private final int fanoutGroup;

    private RxRing(PacketSocket socket, MemorySegment memory, int fanoutGroup) {
        this.socket = socket;
        this.memory = memory;
        this.fanoutGroup = fanoutGroup;
    }

    /**
     * In the calling thread's namespace: opens the socket, selects TPACKET_V3, sets up and maps the receive ring, binds
     * to the interface for every protocol and joins the fanout group if one is set (or, for
     * {@link AfPacketSettings#UNIQUE_FANOUT_GROUP}, starts one with an id the kernel picks). The settings are valid
     * already. A few syscalls and the ring's memory ({@link AfPacketSettings#ringBytes()}, locked in by MAP_POPULATE).
     *
     * @throws AfPacketException as {@link AfPacketFeed#open(String, AfPacketSettings)}; on any failure the socket is
     *                           closed and the ring unmapped
     */
    static RxRing open(AfPacketSettings settings) {
        return open(settings, KERNEL_RELEASE);
    }

    /** As {@link #open(AfPacketSettings)}, deciding the fanout flags as for a kernel of {@code release}. */
    static RxRing open(AfPacketSettings settings, String release) {
        final PacketSocket socket = new PacketSocket(settings.iface(), settings.netns(), Libc.SOCK_NONBLOCK);
        MemorySegment ringMemory = null;
        try {
            socket.resolveInterface();
            socket.setInt(Libc.PACKET_VERSION, Libc.TPACKET_V3, "setsockopt(PACKET_VERSION, TPACKET_V3)");
            // Room in front of every packet for the VLAN tag the kernel takes out and poll puts back.
            socket.setInt(Libc.PACKET_RESERVE, Tpacket3Descriptor.VLAN_TAG_LENGTH,
                "setsockopt(PACKET_RESERVE, " + Tpacket3Descriptor.VLAN_TAG_LENGTH + ")");
            // A receive queue: frames this host sends out of the interface are not its input (poll skips any that
            // still arrive, on kernels before 4.20). A fanout member needs the group's flag as well: joinFanout.
            socket.trySetInt(Libc.PACKET_IGNORE_OUTGOING, 1);
            final MemorySegment request = socket.arena().allocate(REQ3_SIZE, 4);
            final int frames = settings.blockSize() / settings.frameSize() * settings.blockCount();
            request.set(ValueLayout.JAVA_INT, 0, settings.blockSize());
            request.set(ValueLayout.JAVA_INT, 4, settings.blockCount());
            request.set(ValueLayout.JAVA_INT, 8, settings.frameSize());
            request.set(ValueLayout.JAVA_INT, 12, frames);
            request.set(ValueLayout.JAVA_INT, 16, settings.retireTimeoutMs());
            socket.set(Libc.PACKET_RX_RING, request, "setsockopt(PACKET_RX_RING) with blockSize="
                + settings.blockSize() + " blockCount=" + settings.blockCount() + " frameSize=" + settings.frameSize()
                + " (frames=" + frames + ") retireTimeoutMs=" + settings.retireTimeoutMs()
                + " (ring " + settings.ringBytes() + " bytes)");
            final MemorySegment mapped = Libc.mmap(socket.state(), settings.ringBytes(),
                Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_SHARED | Libc.MAP_POPULATE, socket.fd());
            if (mapped.address() == -1L || mapped.address() == 0L) {
                final int errno = Libc.errno(socket.state());
                throw socket.failure("mmap of the " + settings.ringBytes() + "-byte ring failed with "
                    + Libc.describe(errno), errno);
            }
            ringMemory = mapped.reinterpret(settings.ringBytes());
            socket.bind(Libc.ETH_P_ALL);
            return new RxRing(socket, ringMemory, joinFanout(socket, settings, release));
        } catch (RuntimeException | Error ex) {
            // Whatever failed (a refused call, which closed the socket already, or anything else): nothing stays.
            if (ringMemory != null) {
                try (Arena arena = Arena.ofConfined()) {
                    Libc.munmap(Libc.newErrnoState(arena), ringMemory, settings.ringBytes());
                }
            }
            socket.close();
            throw ex;
        }
    }

    /**
     * Joins or starts the settings' fanout group; returns its id, or {@link AfPacketSettings#NO_FANOUT}. The group's own
     * hook, not the socket's, is what the kernel runs for a member, so the socket's {@code PACKET_IGNORE_OUTGOING} does
     * not apply there: the group is asked to leave out what this host sends with
     * {@code PACKET_FANOUT_FLAG_IGNORE_OUTGOING}, on Linux 6.2 or later only: an older kernel takes the unknown bit
     * without effect, yet stores it with the group and refuses every later member whose flags differ, so there the
     * group is started without it. Linux wants every member's flags alike, so where the first join is refused the
     * socket tries the other: from 6.2 without the flag (a group another program started without it), below 6.2 with
     * it (a group started with it: a distro kernel with the flag backported, another program, an older build of this
     * feed). Either way poll skips the frames the host sent.
     */
    private static int joinFanout(PacketSocket socket, AfPacketSettings settings, String release) {
        final int mode = settings.fanoutMode().kernelValue();
        if (settings.fanoutGroup() == AfPacketSettings.UNIQUE_FANOUT_GROUP) {
            // Id 0 with UNIQUEID: the kernel makes a group with an id unused in this namespace; read it back.
            join(socket, fanoutFlagAttempts(release), (mode | Libc.PACKET_FANOUT_FLAG_UNIQUEID) << 16, "setsockopt(PACKET_FANOUT) starting a group"
                + " with a kernel-chosen id (PACKET_FANOUT_FLAG_UNIQUEID, Linux 4.4 or later) mode " + settings.fanoutMode()
                + " (the interface must be up)");
            return socket.getInt(Libc.PACKET_FANOUT, "getsockopt(PACKET_FANOUT)") & 0xffff;
        }
        if (settings.fanout()) {
            join(socket, fanoutFlagAttempts(release), settings.fanoutGroup() | mode << 16, "setsockopt(PACKET_FANOUT) joining group "
                + settings.fanoutGroup() + " mode " + settings.fanoutMode() + " (every member must use the same mode and"
                + " interface, and the interface must be up)");
            return settings.fanoutGroup();
        }
        return AfPacketSettings.NO_FANOUT;
    }

    /**
     * PACKET_FANOUT with {@code value} and each of {@code flagAttempts} in turn until one is taken; closes and throws
     * {@code what} with the last attempt's errno when none is.
     */
    private static void join(PacketSocket socket, int[] flagAttempts, int value, String what) {
        final int last = flagAttempts.length - 1;
        for (int i = 0; i < last; i++) {
            if (socket.trySetInt(Libc.PACKET_FANOUT, value | flagAttempts[i])) {
                return;
            }
        }
        socket.setInt(Libc.PACKET_FANOUT, value | flagAttempts[last], what
            + " (tried with and without PACKET_FANOUT_FLAG_IGNORE_OUTGOING)");
    }

    /**
     * Whether a kernel of {@code release} ({@code uname -r}, e.g. {@code 6.18.44-fc-v1272}) knows
     * {@code PACKET_FANOUT_FLAG_IGNORE_OUTGOING}: Linux 6.2 or later. False for a release that does not start with
     * {@code major.minor}: the group is then started as on an older kernel, which every joiner can match.
     */
    static boolean fanoutIgnoresOutgoing(String release) {
        final Matcher version = RELEASE.matcher(release);
        if (!version.lookingAt()) {
            return false;
        }
        final int major;
        final int minor;
        try {
            major = Integer.parseInt(version.group(1));
            minor = Integer.parseInt(version.group(2));
        } catch (NumberFormatException tooLong) {
            return false;
        }
        return major > 6 || major == 6 && minor >= 2;
    }

    /**
     * The fanout flag bits, shifted into place in {@code PACKET_FANOUT}'s value, a group this feed starts on a kernel of
     * {@code release} carries.
     */
    static int fanoutFlags(String release) {
        return fanoutIgnoresOutgoing(release) ? Libc.PACKET_FANOUT_FLAG_IGNORE_OUTGOING << 16 : 0;
    }

    /**
     * The flag bits to join with on a kernel of {@code release}, in the order tried: {@link #fanoutFlags} first, then
     * the other setting, since an existing group may carry either (Linux 6.2 or later: with the flag, then without;
     * below: without, then with, for a group a kernel with the flag backported, or another program, started with it).
     */
    static int[] fanoutFlagAttempts(String release) {
        final int flag = Libc.PACKET_FANOUT_FLAG_IGNORE_OUTGOING << 16;
        return fanoutFlags(release) == flag ? new int[] {flag, 0} : new int[] {0, flag};
    }

    /** The bound socket, whose memory and errno state the feed's polling thread uses. */
    PacketSocket socket() {
        return socket;
    }

    /** The mapped ring: {@link AfPacketSettings#ringBytes()} bytes, blocks of {@link AfPacketSettings#blockSize()}. */
    MemorySegment memory() {
        return memory;
    }

    /** The fanout group joined: the settings' id, the kernel's choice, or {@link AfPacketSettings#NO_FANOUT}. */
    int fanoutGroup() {
        return fanoutGroup;
    }

    /** Unmaps the ring and closes the socket. Once, after the owner's last use of either. */
    void close() {
        Libc.munmap(socket.state(), memory, memory.byteSize());
        socket.close();
    }
}
