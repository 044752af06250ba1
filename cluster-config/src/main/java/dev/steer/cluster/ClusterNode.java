package dev.steer.cluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

import org.apache.pekko.actor.AddressFromURIString;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.JoinSeedNodes;
import org.apache.pekko.cluster.typed.Leave;
import org.apache.pekko.cluster.typed.SingletonActor;

import dev.steer.actors.DataPath;
import dev.steer.actors.MapSupervisor;
import dev.steer.actors.SteerEngine;
import dev.steer.engine.frame.FramePool;
import dev.steer.engine.map.EntryValue;
import dev.steer.engine.map.MapResult;
import dev.steer.engine.stats.EngineStats;
import dev.steer.engine.stats.PathCounters;
import dev.steer.ingress.aeron.AeronMedia;

/**
 * A Steer engine that is a member of a Pekko Cluster: its actor system runs Artery remoting and the cluster,
 * a {@link FrameReceiver} takes frames other nodes forward, a {@link MapAgent} keeps the local map equal to
 * the cluster map, and the {@link MapOwner} singleton (on the oldest node) is the one writer of that map.
 * Entries located on other nodes are served by {@link RemoteForwarder}s, which hand their rings to the
 * {@link NodeLink} of the entry's node: frames for one node travel in shared batches, whatever their key.
 *
 * <p>Map administration goes through the owner: {@link #update} and {@link #delete} return the contract's
 * {@link MapResult} once the owner has accepted the change; every node applies it shortly after, the node an entry
 * is placed on before the others and a node that gives an entry up after them (see {@link MapOwner}). Every method
 * is thread-safe and bounded by the engine's ask timeout.
 */
public final class ClusterNode implements AutoCloseable {
    /** How long map operations and membership waits ask at most, by default. */
    public static final Duration ASK_TIMEOUT = Duration.ofSeconds(10);
    /** The receiver pool's frame count and slot size as {@link ClusterSettings} names them, for the pool's messages. */
    static final String RECEIVER_FRAMES = "receiverFrames";
    static final String RECEIVER_FRAME_SIZE = "receiverFrameSize";
    /** The receiver's headroom: the second argument of {@link ClusterSettings#receiverFrameSize(int, int)}. */
    static final String RECEIVER_HEADROOM = "receiverFrameSize headroom";
    /** Ports below this one need CAP_NET_BIND_SERVICE to bind (Linux's default unprivileged port start). */
    private static final int PRIVILEGED_PORTS = 1024;
    /**
     * How long {@link #shutdown()} waits at most for the cluster to take in a node that asked to join and is not a
     * member in its own view yet, so that it can leave rather than stay in the seed's view as a member that stopped.
     */
    static final Duration JOIN_SETTLE = Duration.ofSeconds(1);

    private final SteerEngine engine;
    private final ActorSystem<MapSupervisor.Command> system;
    private final ActorRef<MapOwner.Command> owner;
    private final String address;
    private final AtomicReference<MapAgent.Publish> applied;
    private final NodeLinks links;
    private final AtomicLong refusedBusy;
    private final AtomicLong ownerRestarts;
    /**
     * Set by {@link #shutdown()} before it asks to leave: the map agent keeps this node's own entries from then on.
     * The cluster's own view of this member's status is updated by another subscriber than the owner's and may
     * still say Up when the owner's removal of this node's entries arrives.
     */
    private final AtomicBoolean leaving;
    private final PublicationStats publications;
    private final ReceiverStats receiverStats;
    private final Duration leaveTimeout;

    private ClusterNode(SteerEngine engine, ActorRef<MapOwner.Command> owner, AtomicReference<MapAgent.Publish> applied,
                        NodeLinks links, AtomicBoolean leaving, AtomicLong refusedBusy, AtomicLong ownerRestarts,
                        PublicationStats publications, ReceiverStats receiverStats, Duration leaveTimeout) {
        this.engine = engine;
        this.receiverStats = receiverStats;
        this.refusedBusy = refusedBusy;
        this.ownerRestarts = ownerRestarts;
        this.publications = publications;
        this.leaveTimeout = leaveTimeout;
        this.leaving = leaving;
        this.links = links;
        this.system = engine.actorSystem();
        this.owner = owner;
        this.applied = applied;
        this.address = Cluster.get(system).selfMember().address().toString();
    }

    /**
     * Starts the node: the engine (with the cluster's Pekko settings over {@code engine}'s, and forwarders for
     * remote entries), the receiver, the map agent and the owner singleton, then joins the seeds (or itself,
     * when there are none). Returns without waiting for the join; see {@link #awaitMembers}.
     *
     * @param settings the node's cluster settings (concluded here)
     * @param engine   the engine's settings; its system name and actor config are set from {@code settings}
     * @throws IllegalArgumentException for bad settings, or when a batch of {@code batchFrames} of the engine's
     *                                  frames could exceed {@link ClusterSettings#MAX_BATCH_BYTES}
     * @throws ListenFailedException    when the node cannot listen on its host:port (the port in use, say): one line
     *                                  naming the address and what to do, Artery's exception as the cause, and which
     *                                  setting to change
     */
    public static ClusterNode start(ClusterSettings settings, SteerEngine.Builder engine) {
        return start(settings, engine, MapOwner.TestHook.NONE);
    }

    /** As {@link #start(ClusterSettings, SteerEngine.Builder)}, the owner singleton calling {@code ownerHook}. */
    static ClusterNode start(ClusterSettings settings, SteerEngine.Builder engine, MapOwner.TestHook ownerHook) {
        settings.conclude();
        // The frames a link batches come from the engine's pool, not the receiver's: Artery discards a batch larger
        // than its frame, so none would arrive and all would be counted unreachable after the ack timeout.
        if (!ClusterSettings.batchFits(settings.batchFrames(), engine.frameSize())) {
            throw new IllegalArgumentException("batchFrames=" + settings.batchFrames() + " with the engine's frameSize="
                + engine.frameSize() + ": a batch must be at most " + ClusterSettings.MAX_BATCH_BYTES
                + " bytes (batchFrames x (frameSize + 4)); use at most "
                + ClusterSettings.maxBatchFrames(engine.frameSize()) + " batchFrames");
        }
        if (settings.transport() == ClusterSettings.Transport.AERON_UDP) {
            // Driver directories of killed nodes (and of Steer's own embedded drivers) are named for their process.
            AeronMedia.sweepStale();
        }
        final NodeLinks links = new NodeLinks(settings);
        engine.systemName(settings.systemName())
            .actorConfig(settings.toConfig())
            .remoteConsumers((entry, signal) -> RemoteForwarder.create(entry, settings, links));
        final SteerEngine started;
        try {
            started = engine.start();
        } catch (RuntimeException ex) {
            throw bindFailure(settings, ex);
        }
        try {
            final ActorSystem<MapSupervisor.Command> system = started.actorSystem();
            ArteryShutdownBound.install(system);
            final FramePool pool = new FramePool(new FramePool.Context().id("receiver-pool")
                .frameCount(settings.receiverFrames()).frameSize(settings.frameSize()).headroom(settings.headroom())
                .sizeNames(RECEIVER_FRAMES, RECEIVER_FRAME_SIZE, RECEIVER_HEADROOM));
            final int engineEntries = maxEntriesOf(started);
            if (settings.maxEntries() > engineEntries) {
                // The owner would accept keys this node's map refuses (E2BIG), answering OK for entries it never has.
                throw new IllegalArgumentException("maxEntries=" + settings.maxEntries() + ": above the engine's map of "
                    + engineEntries + " slots; the cluster map must fit every node's map: use at most " + engineEntries
                    + ", or leave it unset for the engine's");
            }
            final int maxEntries = settings.maxEntries() > 0 ? settings.maxEntries() : engineEntries;
            // The cluster map replaces the builder's entries: the owner's publications are the only source. Every
            // slot of the engine's map, also above the cluster map's, which no publication can reach.
            for (int key = 0; key < engineEntries; key++) {
                if (started.lookup(key) != null) {
                    started.delete(key);
                }
            }
            final PathCounters counters = new PathCounters("receiver", maxEntries);
            final ReceiverStats receiverStats = new ReceiverStats();
            final ActorRef<DataPath.Command> receiver = system.systemActorOf(FrameReceiver.create(pool, counters,
                Cluster.get(system).selfMember().uniqueAddress().longUid(), receiverStats), FrameReceiver.NAME,
                Props.empty());
            system.tell(new MapSupervisor.AttachProducer("receiver", receiver, counters, pool));
            final String self = Cluster.get(system).selfMember().address().toString();
            final AtomicReference<MapAgent.Publish> applied = new AtomicReference<>();
            final Cluster cluster = Cluster.get(system);
            final AtomicBoolean leaving = new AtomicBoolean();
            final PublicationStats publications = new PublicationStats();
            system.systemActorOf(MapAgent.create(self, system, applied,
                    () -> leaving.get() || MapAgent.leaving(cluster), () -> OwnerCheck.owner(cluster), publications),
                "steer-map-agent", Props.empty());
            final AtomicLong refusedBusy = new AtomicLong();
            final AtomicLong ownerRestarts = new AtomicLong();
            final ActorRef<MapOwner.Command> owner = ClusterSingleton.get(system).init(
                SingletonActor.of(MapOwner.create(maxEntries, applied,
                    MapOwner.stepTimeout(settings.drainTimeout()), refusedBusy, ownerRestarts, ownerHook),
                    "steer-map-owner"));
            final List<org.apache.pekko.actor.Address> seeds = new ArrayList<>();
            for (String seed : settings.seeds()) {
                seeds.add(AddressFromURIString.parse(seed));
            }
            if (seeds.isEmpty()) {
                seeds.add(Cluster.get(system).selfMember().address());
            }
            Cluster.get(system).manager().tell(new JoinSeedNodes(seeds));
            return new ClusterNode(started, owner, applied, links, leaving, refusedBusy, ownerRestarts, publications,
                receiverStats, settings.leaveTimeout());
        } catch (RuntimeException ex) {
            started.shutdown();
            throw ex;
        }
    }

    /**
     * A node that cannot bind its address fails deep inside Artery ("Failed to bind TCP to [...] due to: Bind failed
     * because of java.net.BindException: ..."): say which address and what to do, the original as the cause, and which
     * setting is at fault as a {@link ListenFailedException}: the port when it is in use or binding it is not
     * permitted ("Permission denied": a port below 1024 without CAP_NET_BIND_SERVICE), else the host ("Cannot assign
     * requested address": not an address of this machine). Any other failure is returned as it is.
     */
    static RuntimeException bindFailure(ClusterSettings settings, RuntimeException ex) {
        for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
            if (cause instanceof java.net.BindException bind) {
                final String address = settings.host() + ":" + settings.port();
                final String message = String.valueOf(bind.getMessage());
                final String reason = message.replaceFirst("^\\[[^]]*] ", "");
                if (message.contains("in use")) {
                    return new ListenFailedException("cannot listen on " + address + ": the port is already in use"
                        + " (another node or program holds it): stop that process, or give this node another port",
                        ListenFailedException.Setting.PORT, ex);
                }
                if (message.contains("Permission denied")) {
                    return new ListenFailedException("cannot listen on " + address + ": " + reason + ": "
                        + (settings.port() < PRIVILEGED_PORTS
                            ? "ports below " + PRIVILEGED_PORTS + " need privileges (CAP_NET_BIND_SERVICE): give this"
                                + " node a port of " + PRIVILEGED_PORTS + " or above, or run it with that capability"
                            : "this user may not bind the port (net.ipv4.ip_unprivileged_port_start, a security"
                                + " policy): give this node another port, or run it with CAP_NET_BIND_SERVICE"),
                        ListenFailedException.Setting.PORT, ex);
                }
                return new ListenFailedException("cannot listen on " + address + ": " + reason
                    + ": the host must be an address of this machine", ListenFailedException.Setting.HOST, ex);
            }
        }
        return ex;
    }

    /** The map's slots: the next key of the last slot is ENOENT, so search for it. Setup only. */
    private static int maxEntriesOf(SteerEngine engine) {
        int key = 0;
        while (engine.nextKey(key).result() == MapResult.OK) {
            key++;
        }
        return key + 1;
    }

    /** This node's address, {@code pekko://system@host:port}: what map placements name. */
    public String address() {
        return address;
    }

    /**
     * What this node has sent to each other node it forwards frames to: one {@link LinkStats} per node link,
     * shared by every key placed on that node, sorted by node name. Any thread.
     */
    public List<LinkStats> links() {
        return links.stats();
    }

    /**
     * What this node's receiver refused: batches for another incarnation of this node's address (its ingress row,
     * {@code receiver} in the engine's stats, counts the frames it took). Any thread.
     */
    public ReceiverStats receiverStats() {
        return receiverStats;
    }

    /** The embedded engine (stats, lookup); map changes go through {@link #update} and {@link #delete}. */
    public SteerEngine engine() {
        return engine;
    }

    /** Members that are up, this node included. */
    public int upMembers() {
        int n = 0;
        for (Member member : Cluster.get(system).state().getMembers()) {
            if (member.status() == MemberStatus.up()) {
                n++;
            }
        }
        return n;
    }

    /**
     * One member of this node's cluster view.
     *
     * @param address   {@code pekko://system@host:port}
     * @param status    Pekko's member status as it names it ({@code Joining}, {@code WeaklyUp}, {@code Up},
     *                  {@code Leaving}, {@code Exiting}, {@code Down}, {@code Removed})
     * @param reachable false when this node's failure detector, or another member's as gossiped, marks it unreachable
     */
    public record MemberView(String address, String status, boolean reachable) {
    }

    /**
     * Every member of this node's cluster view, with its status and reachability, oldest address order not
     * guaranteed. A member that left or was removed is not in it. Any thread; allocates the list.
     */
    public List<MemberView> members() {
        final org.apache.pekko.cluster.ClusterEvent.CurrentClusterState state = Cluster.get(system).state();
        final java.util.Set<Member> unreachable = state.getUnreachable();
        final List<MemberView> members = new ArrayList<>();
        for (Member member : state.getMembers()) {
            members.add(new MemberView(member.address().toString(), member.status().toString(),
                !unreachable.contains(member)));
        }
        return members;
    }

    /** True when this node is an up member. */
    public boolean isUp() {
        return Cluster.get(system).selfMember().status() == MemberStatus.up();
    }

    /**
     * Waits until this node is up and sees {@code members} up members, polling every 50 ms.
     *
     * @return false when that did not happen within {@code timeout}
     */
    public boolean awaitMembers(int members, Duration timeout) {
        return pollUntil(() -> isUp() && upMembers() == members, timeout, 50);
    }

    /**
     * Places the entry of {@code key} on CPU {@code cpu} of node {@code node} with a ring of {@code qsize} frames
     * (0 deletes), through the map owner.
     *
     * @return the contract's result; ENODEV when {@code node} is not an up member in the view of the owner's node,
     *         which may follow the caller's view by a gossip round just after a node came up (ask again, as
     *         {@code steer run} does)
     */
    public MapResult update(int key, int qsize, String node, int cpu, long flags) {
        return update(key, qsize, node, cpu, null, flags);
    }

    /**
     * As {@link #update(int, int, String, int, long)}, with the remote program the entry's consumer runs before
     * its handler, on {@code node} (null: none). A steering program redirects over {@code program.targets()}: keys
     * on that node, not {@code key} itself.
     *
     * @return the contract's result; ENODEV when {@code node} is not an up member in the view of the owner's node
     *         (see {@link #update(int, int, String, int, long)}), EINVAL for an unknown program
     *         or bad targets, EBUSY (nothing changed: try again later) when it would change the map while
     *         {@value MapOwner#MAX_QUEUED} changes wait for their ordered rollout
     */
    public MapResult update(int key, int qsize, String node, int cpu, RemoteProgramSpec program, long flags) {
        return this.<MapOwner.Reply>ask(replyTo -> new MapOwner.Update(key, qsize, node, cpu, program, flags, replyTo))
            .result();
    }

    /**
     * Empties the slot of {@code key} on every node, through the map owner: OK, EINVAL at or above max entries, or
     * EBUSY as for {@code update}.
     */
    public MapResult delete(int key) {
        return this.<MapOwner.Reply>ask(replyTo -> new MapOwner.Delete(key, replyTo)).result();
    }

    /**
     * Updates and deletes the map owner refused {@code EBUSY} while it ran on this node (the owner is a singleton:
     * the sum over the nodes is the cluster's). Any thread.
     */
    public long mapChangesRefusedBusy() {
        return refusedBusy.get();
    }

    /**
     * Restarts of the map owner after an exception escaped it, in a message or while it started, while it ran on this
     * node (each is logged at ERROR
     * with the exception; the restarted owner starts from the members' maps as a new owner does). Any thread.
     */
    public long mapOwnerRestarts() {
        return ownerRestarts.get();
    }

    /**
     * What this node's map agent did with the map publications it received: applied, not newer than its copy, or
     * refused because they did not come from the member this node's view names as the map owner. Any thread.
     */
    public PublicationStats publications() {
        return publications;
    }

    /** The version of the cluster map this node has applied, -1 before the first. */
    public long mapVersion() {
        final MapAgent.Publish last = applied.get();
        return last == null ? -1 : last.version();
    }

    /**
     * Waits until this node has applied a placement of {@code key} with a ring of {@code qsize} frames (its local
     * lookup shows that qsize; {@code qsize} 0: no entry), polling every 20 ms. For tests and tools.
     *
     * @return false when that did not happen within {@code timeout}
     */
    public boolean awaitEntry(int key, int qsize, Duration timeout) {
        return pollUntil(() -> {
            final EntryValue value = engine.lookup(key);
            return qsize == 0 ? value == null : value != null && value.qsize() == qsize;
        }, timeout, 20);
    }

    /** This node's statistics (see docs/cluster.md for how they add up across the cluster). */
    public EngineStats stats() {
        return engine.stats();
    }

    /**
     * Leaves the cluster gracefully, then drains and stops the engine, and returns the final stats. Leaving
     * first lets the map owner remove this node's entries while the node still acknowledges what others send
     * it; once the node is exiting, Pekko's coordinated shutdown drains the engine (forwarders wait for their
     * acknowledgements up to the drain timeout), completes the leave and terminates the actor system. Waits at most
     * {@link ClusterSettings#leaveTimeout()} for the removal, then drains anyway. Returns once the actor system has terminated
     * (bounded by the engine's close timeout), so that the caller may exit the JVM at once: Pekko's JVM
     * shutdown hook then has nothing left to wait for. A node still joining leaves too; one whose own view does not
     * show it as a member yet first waits up to {@link #JOIN_SETTLE} for the cluster to take it in (the seed may have
     * already), and leaves if it did. Idempotent.
     */
    public EngineStats shutdown() {
        final Cluster cluster = Cluster.get(system);
        final CoordinatedShutdown coordinated = CoordinatedShutdown.get(system);
        // Removed before anything else happened: this node's own view has not taken it in yet, but its join may be
        // under way, and the seed may have taken it in already (its view leads this one by the Welcome on the way).
        // Left as it was, the node stopped without leaving, and the others kept it as an unreachable member (Joining,
        // then Up) until the split-brain resolver downed it: meanwhile no other node could be moved up.
        pollUntil(() -> cluster.selfMember().status() != MemberStatus.removed()
            || coordinated.getShutdownReason().isPresent() || system.whenTerminated().isCompleted(), JOIN_SETTLE, 10);
        final MemberStatus status = cluster.selfMember().status();
        // A node the cluster never took in has nothing to leave; one already on its way out only needs waiting for.
        // A joining member leaves as an up one does: stopped without leaving, it stayed in the others' views.
        final boolean leave = status == MemberStatus.up() || status == MemberStatus.weaklyUp()
            || status == MemberStatus.joining();
        if (leave && !system.whenTerminated().isCompleted()) {
            leaving.set(true);
            cluster.manager().tell(Leave.create(cluster.selfMember().address()));
        }
        // Once exiting (or downed), Pekko's coordinated shutdown drains the engine, completes the leave and only
        // then terminates the system: wait for that drain (up to the leave timeout) rather than drain here.
        // engine.shutdown() then waits for the system's termination.
        pollUntil(() -> !leave && coordinated.getShutdownReason().isEmpty() || system.whenTerminated().isCompleted()
            || engine.drained(), leaveTimeout, 20);
        return engine.shutdown();
    }

    /**
     * Calls {@code done} every {@code periodMs} until it returns true or {@code timeout} has passed: before each
     * sleep, not after the last one; not at all for a timeout of zero or less. Blocks the calling thread.
     *
     * @return true once {@code done} did; false at the timeout, or when the thread was interrupted (its interrupt
     *         flag set again, for the caller to see)
     */
    private static boolean pollUntil(BooleanSupplier done, Duration timeout, long periodMs) {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (done.getAsBoolean()) {
                return true;
            }
            try {
                Thread.sleep(periodMs);
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }

    @Override
    public void close() {
        shutdown();
    }

    private <R> R ask(java.util.function.Function<ActorRef<R>, MapOwner.Command> message) {
        try {
            return AskPattern.ask(owner, message::apply, ASK_TIMEOUT, system.scheduler()).toCompletableFuture()
                .get(ASK_TIMEOUT.toMillis() + 1_000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException ex) {
            throw new IllegalStateException("the cluster map owner did not answer within " + ASK_TIMEOUT, ex);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the cluster map owner", ex);
        }
    }
}
