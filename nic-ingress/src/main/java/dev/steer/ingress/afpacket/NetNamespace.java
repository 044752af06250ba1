package dev.steer.ingress.afpacket;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A named Linux network namespace ({@code ip netns}), and a way to run socket setup inside it from the
 * JVM: {@link #enter(String)} switches the calling thread into the namespace with {@code setns(2)} and
 * the returned {@link Scope} switches it back. A socket keeps the namespace it was created in, so a feed
 * or sender opened inside a scope keeps working after the thread has left it.
 *
 * <p>{@link #create(String)} and {@link #addVethPair} shell out to iproute2's {@code ip} (root only): they
 * exist for tests, benchmarks and {@code steer loadgen}, which build a private namespace with a veth pair
 * so that nothing appears in the root namespace. IPv6 is disabled in a created namespace so that no
 * router solicitation or MLD frame shows up on its interfaces. {@link #close()} deletes the namespace
 * (and with it its interfaces); it is idempotent. A process killed before it closed its namespaces (a CI
 * timeout, SIGKILL) leaves them behind: the next {@link #create} deletes those of {@link #createUnique},
 * whose names carry the pid of their process ({@link #sweepStale()}).
 *
 * <p>Thread contract: {@link #enter} affects only the calling platform thread, and the scope must be
 * closed on that thread. Everything here is off the hot path.
 */
public final class NetNamespace implements AutoCloseable {
    private static final long COMMAND_TIMEOUT_SECONDS = 20;
    /** IPv6's minimum link MTU (RFC 8200): the kernel runs no IPv6 on an interface with a smaller one. */
    private static final int IPV6_MIN_MTU = 1280;
    /** Where iproute2 keeps a file per named namespace. */
    private static final Path NAMED = Path.of("/run/netns");
    /** What {@link #createUnique} takes as a prefix: the names it makes all start with steer. */
    private static final Pattern PREFIX = Pattern.compile("steer[a-zA-Z0-9_-]*");
    /** The names {@link #createUnique} makes: PREFIX-PID-RANDOM (8 hex digits); group 1 is the pid. */
    private static final Pattern UNIQUE_NAME = Pattern.compile("steer[a-zA-Z0-9_-]*-([0-9]{1,18})-[0-9a-f]{8}");

    private final String name;
    private boolean closed;

    private NetNamespace(String name) {
        this.name = name;
    }

    /**
     * Why namespaces cannot be created here, or null when they can: not root, no {@code ip} on the PATH, or a
     * throwaway namespace ({@code steer-probe-<pid>-<random hex>}, made as {@link #create(String)} makes one) could not be
     * created or deleted, as in a container without the rights to. One line, for tests and benchmarks to skip with.
     * The probe runs once per JVM (about 0.1 s of {@code ip} processes) and leaves no namespace behind; later calls
     * return its result. Any thread.
     */
    public static String unavailableReason() {
        return Probe.REASON;
    }

    /** The result of {@link #unavailableReason()}, worked out on first use. */
    private static final class Probe {
        static final String REASON = unavailableReason(Libc.geteuid(), findIp() != null,
            () -> probe(uniqueName("steer-probe"), NetNamespace::create));
    }

    /** {@link #unavailableReason()} with what it looks at given, for tests: {@code probe} runs only as root with ip. */
    static String unavailableReason(int euid, boolean ipFound, Supplier<String> probe) {
        if (euid != 0) {
            return "not root (euid " + euid + "): creating network namespaces and AF_PACKET sockets needs root";
        }
        if (!ipFound) {
            return "iproute2's `ip` is not on the PATH (" + System.getenv("PATH") + ")";
        }
        return probe.get();
    }

    /**
     * Creates namespace {@code name} with {@code create} and deletes it again: null when both worked, else why not, as
     * one line. A namespace whose set-up failed half-way is deleted by {@link #create(String)} itself.
     */
    static String probe(String name, Function<String, NetNamespace> create) {
        final NetNamespace probe;
        try {
            probe = create.apply(name);
        } catch (RuntimeException ex) {
            return "cannot create a network namespace here: " + oneLine(ex);
        }
        try {
            probe.close();
            return null;
        } catch (RuntimeException ex) {
            return "created network namespace " + name + " but cannot delete it: " + oneLine(ex);
        }
    }

    private static String oneLine(RuntimeException ex) {
        return (ex.getMessage() == null ? ex.toString() : ex.getMessage()).replaceAll("\\s+", " ").trim();
    }

    /**
     * Creates namespace {@code prefix-PID-RANDOM}: this process's pid and 8 random hex digits, so that
     * {@link #sweepStale()} deletes it once this process is gone without closing it; see {@link #create(String)}.
     *
     * @param prefix {@code steer}, optionally followed by letters, digits, '-' and '_' ({@code steer-bench})
     * @throws IllegalArgumentException when the prefix is not such a name
     */
    public static NetNamespace createUnique(String prefix) {
        return create(uniqueName(prefix));
    }

    private static String uniqueName(String prefix) {
        if (prefix == null || !PREFIX.matcher(prefix).matches()) {
            throw new IllegalArgumentException("prefix='" + prefix + "': must be steer, optionally followed by letters,"
                + " digits, '-' and '_' (the stale-namespace sweep recognises only such names)");
        }
        return prefix + "-" + ProcessHandle.current().pid() + "-"
            + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
    }

    /**
     * Creates network namespace {@code name} with IPv6 disabled, after deleting the stale namespaces of processes
     * that are gone ({@link #sweepStale()}).
     *
     * @throws AfPacketException when {@code ip} fails (exists already, not root, ...), with its output
     */
    public static NetNamespace create(String name) {
        sweepStale();
        run("ip", "netns", "add", name);
        final NetNamespace namespace = new NetNamespace(name);
        try {
            run("ip", "netns", "exec", name, "sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1",
                "net.ipv6.conf.default.disable_ipv6=1");
            return namespace;
        } catch (RuntimeException ex) {
            namespace.close();
            throw ex;
        }
    }

    /**
     * Deletes the namespaces {@link #createUnique} made for processes that are gone: a process killed with SIGKILL
     * (CI's timeout, say) or crashed could not delete its own, veth pairs and all, and no later process reuses one since
     * the name holds the pid. A namespace is deleted only when its name is {@code steer...-PID-RANDOM} and no process
     * PID exists; any other name, such as one without a pid, is left alone. The pid is read in this process's PID
     * namespace, which is the one of every process sharing {@code /run/netns} unless a container shares that
     * directory alone. Failures are ignored (another process deleted it first, not root): sweeping is a courtesy,
     * never a reason not to create. Called by {@link #create(String)}; any thread; costs a listing of
     * {@code /run/netns} and an {@code ip netns delete} per stale namespace.
     *
     * @return how many namespaces were deleted
     */
    public static int sweepStale() {
        final List<String> names;
        try (Stream<Path> entries = Files.list(NAMED)) {
            names = entries.map(entry -> entry.getFileName().toString()).toList();
        } catch (IOException | RuntimeException ex) {
            return 0; // no /run/netns (no namespace was ever named here) or not listable: nothing to sweep
        }
        int deleted = 0;
        for (String name : names) {
            final Matcher matcher = UNIQUE_NAME.matcher(name);
            if (!matcher.matches() || ProcessHandle.of(Long.parseLong(matcher.group(1))).isPresent()) {
                continue;
            }
            try {
                run("ip", "netns", "delete", name);
                deleted++;
            } catch (AfPacketException ex) {
                // Deleted by another sweep meanwhile, or not root: the next sweep tries again.
            }
        }
        return deleted;
    }

    /**
     * Adds a veth pair {@code a} - {@code b} inside this namespace with MTU {@code mtu}, IPv6 off (below 1280 bytes
     * the kernel gives it none) and no addresses, and brings both ends up: frames sent into one end arrive at the other
     * and nowhere else.
     */
    public NetNamespace addVethPair(String a, String b, int mtu) {
        // "name" before each: a bare name such as "tx" would be read as an abbreviated keyword (txqueuelen).
        run("ip", "-n", name, "link", "add", "name", a, "mtu", Integer.toString(mtu), "type", "veth", "peer", "name", b,
            "mtu", Integer.toString(mtu));
        if (mtu >= IPV6_MIN_MTU) {
            // Below IPv6's minimum MTU the kernel gives the interfaces no IPv6 (and no such switch) at all.
            run("ip", "netns", "exec", name, "sysctl", "-q", "-w", "net.ipv6.conf." + a + ".disable_ipv6=1",
                "net.ipv6.conf." + b + ".disable_ipv6=1");
        }
        run("ip", "-n", name, "link", "set", "dev", a, "up");
        run("ip", "-n", name, "link", "set", "dev", b, "up");
        return this;
    }

    /** Gives interface {@code iface} of this namespace the address {@code cidr} (such as {@code 10.0.0.1/24}). */
    public NetNamespace addAddress(String iface, String cidr) {
        run("ip", "-n", name, "addr", "add", cidr, "dev", iface);
        return this;
    }

    /** The namespace's name. */
    public String name() {
        return name;
    }

    /** Switches the calling thread into this namespace; see {@link #enter(String)}. */
    public Scope enter() {
        return enter(name);
    }

    /**
     * Switches the calling platform thread into network namespace {@code name} until the returned scope is
     * closed. An empty or null name gives a scope that changes nothing.
     *
     * @throws AfPacketException when the namespace does not exist or setns fails (needs CAP_SYS_ADMIN)
     */
    public static Scope enter(String name) {
        if (name == null || name.isEmpty()) {
            return new Scope(-1, null);
        }
        if (Thread.currentThread().isVirtual()) {
            throw new AfPacketException("netns " + name + ": setns needs a platform thread, not a virtual one", 0);
        }
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment state = Libc.newErrnoState(arena);
            final int original = Libc.open(state, arena.allocateFrom("/proc/thread-self/ns/net"),
                Libc.O_RDONLY | Libc.O_CLOEXEC);
            if (original < 0) {
                throw new AfPacketException("netns " + name + ": cannot open /proc/thread-self/ns/net: "
                    + Libc.describe(Libc.errno(state)), Libc.errno(state));
            }
            final String path = "/run/netns/" + name;
            final int target = Libc.open(state, arena.allocateFrom(path), Libc.O_RDONLY | Libc.O_CLOEXEC);
            if (target < 0) {
                final int errno = Libc.errno(state);
                Libc.close(state, original);
                throw new AfPacketException("netns " + name + ": no such network namespace (" + path + ": "
                    + Libc.describe(errno) + "); create it with `ip netns add " + name + "`", errno);
            }
            final int result = Libc.setns(state, target, Libc.CLONE_NEWNET);
            final int errno = Libc.errno(state);
            Libc.close(state, target);
            if (result != 0) {
                Libc.close(state, original);
                throw new AfPacketException("netns " + name + ": setns failed: " + Libc.describe(errno)
                    + (errno == Libc.EPERM ? ": needs CAP_SYS_ADMIN (run as root)" : ""), errno);
            }
            return new Scope(original, name);
        }
    }

    /**
     * Makes something inside network namespace {@code name} on the calling thread and switches the thread back, with
     * nothing left behind on any path: when {@code make} fails, the thread is switched back (a failure of that is
     * added to the thrown one as suppressed); when switching back fails after {@code make} returned, what it made is
     * released with {@code release}, then the switch's failure is thrown, wrapped in one naming {@code what}, as the
     * cause. {@code make} must release what it made itself when it fails. Off the hot path.
     *
     * @param enter {@link #enter(String)}; another function only in tests, to make the way back fail
     * @throws IllegalStateException when switching back failed (the thread stays in the namespace; see {@link Scope})
     */
    static <T> T inside(String name, Function<String, Scope> enter, Supplier<T> make, Consumer<T> release, String what) {
        final Scope scope = enter.apply(name);
        final T made;
        try {
            made = make.get();
        } catch (RuntimeException | Error ex) {
            try {
                scope.close();
            } catch (RuntimeException back) {
                ex.addSuppressed(back);
            }
            throw ex;
        }
        try {
            scope.close();
        } catch (RuntimeException back) {
            release.accept(made);
            throw new IllegalStateException(what + ": opened, then closed again: " + back.getMessage(), back);
        }
        return made;
    }

    /** Deletes the namespace and every interface in it; idempotent, never throws for a namespace already gone. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (Files.exists(NAMED.resolve(name))) {
            run("ip", "netns", "delete", name);
        }
    }

    @Override
    public String toString() {
        return "netns " + name;
    }

    /**
     * The calling thread's stay in a namespace: {@link #close()} switches it back to the namespace it was
     * in before. Must be closed on the thread that entered; idempotent.
     */
    public static final class Scope implements AutoCloseable {
        private int original;
        private final String name;
        private final Thread thread = Thread.currentThread();

        private Scope(int original, String name) {
            this.original = original;
            this.name = name;
        }

        /** Switches the thread back to its namespace before {@link NetNamespace#enter(String)}. */
        @Override
        public void close() {
            if (original < 0) {
                return;
            }
            if (Thread.currentThread() != thread) {
                throw new IllegalStateException("netns " + name + ": scope closed on " + Thread.currentThread()
                    + ", entered on " + thread);
            }
            try (Arena arena = Arena.ofConfined()) {
                final MemorySegment state = Libc.newErrnoState(arena);
                final int result = Libc.setns(state, original, Libc.CLONE_NEWNET);
                final int errno = Libc.errno(state);
                Libc.close(state, original);
                original = -1;
                if (result != 0) {
                    // The thread would stay in the wrong namespace: nothing sensible can continue on it.
                    throw new IllegalStateException("netns " + name + ": cannot switch the thread back: "
                        + Libc.describe(errno));
                }
            }
        }
    }

    private static String findIp() {
        final List<String> dirs = new ArrayList<>(Arrays.asList(
            (System.getenv("PATH") == null ? "" : System.getenv("PATH")).split(":")));
        dirs.addAll(List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin"));
        for (String dir : dirs) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "ip"))) {
                return Path.of(dir, "ip").toString();
            }
        }
        return null;
    }

    private static void run(String... command) {
        if ("ip".equals(command[0])) {
            final String ip = findIp();
            if (ip == null) {
                throw new AfPacketException("iproute2's `ip` is not on the PATH", 0);
            }
            command[0] = ip;
        }
        try {
            final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            if (!process.waitFor(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AfPacketException(String.join(" ", command) + ": no answer within "
                    + COMMAND_TIMEOUT_SECONDS + " s", 0);
            }
            final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (process.exitValue() != 0) {
                throw new AfPacketException(String.join(" ", command) + ": exit " + process.exitValue() + ": "
                    + output, 0);
            }
        } catch (IOException ex) {
            throw new AfPacketException(String.join(" ", command) + ": " + ex.getMessage(), 0);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new AfPacketException(String.join(" ", command) + ": interrupted", 0);
        }
    }
}
