package dev.steer.actors;

import java.time.Duration;

import com.typesafe.config.Config;
import org.apache.pekko.actor.typed.ActorSystem;

import dev.steer.engine.map.Capabilities;
import dev.steer.engine.map.CpuMap;
import dev.steer.engine.map.CpuSet;
import dev.steer.engine.map.EntryValue;
import dev.steer.engine.map.MapResult;
import dev.steer.engine.path.ConsumerPath;
import dev.steer.engine.path.Feed;
import dev.steer.engine.path.FrameHandler;
import dev.steer.engine.program.Programs;
import dev.steer.engine.program.SteeringProgram;
import dev.steer.engine.stats.EngineStats;

/**
 * A running Steer engine: the handle a JVM service embeds. Built with {@link #builder()}, which validates
 * every setting once in {@link Builder#start()}; runs its ingresses and consumers as Pekko actors in an
 * actor system of its own; {@link #shutdown()} (or {@link #close()}) returns once every frame is accounted for.
 *
 * <p>Map administration ({@link #update}, {@link #delete}) needs the map-admin capability of the handle:
 * the handle that {@code start()} returns has it, and {@link #withCapabilities} gives a handle for the same
 * engine with fewer rights, whose administration calls return {@link MapResult#EPERM}. Every call is
 * thread-safe and waits for the supervisor's answer at most {@link Builder#askTimeout(Duration)}; a call that waits
 * longer (a supervisor held up by an error handler that blocks, say) throws {@link IllegalStateException}, and an
 * update or delete it carried may still take effect after it: look the key up before trying again.
 */
public final class SteerEngine implements AutoCloseable {
    private final SupervisorClient supervisor;
    private final ActorSystem<MapSupervisor.Command> system;
    private final Builder config;
    private final Capabilities capabilities;
    private final SharedState shared;

    /** A handle with {@code capabilities} on the engine that {@code supervisor} reaches; see {@link EngineStartup}. */
    SteerEngine(SupervisorClient supervisor, Builder config, Capabilities capabilities) {
        this.supervisor = supervisor;
        this.system = supervisor.system();
        this.config = config;
        this.capabilities = capabilities;
        this.shared = supervisor.shared();
    }

    /** A builder with every setting at its default. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A handle on the same engine with other rights; closing it closes the engine.
     *
     * @throws IllegalArgumentException when {@code rights} is null (use {@link Capabilities#readOnly()} for none)
     */
    public SteerEngine withCapabilities(Capabilities rights) {
        if (rights == null) {
            // Else every update and delete of the handle would throw a NullPointerException instead of a result code.
            throw new IllegalArgumentException("rights=null: must be a Capabilities, e.g. Capabilities.readOnly()");
        }
        return new SteerEngine(supervisor, config, rights);
    }

    /** The rights of this handle. */
    public Capabilities capabilities() {
        return capabilities;
    }

    /**
     * Creates or replaces the entry of {@code key} (a CPU), with the cpumap contract's result; EPERM without
     * the map-admin capability. Returns once the new entry is published; the replaced one drains in the
     * background.
     *
     * <p>Blocks until the supervisor answers, which waits for no data-path thread (the barrier that retires the old
     * entry starts after the answer): for its turn, since the supervisor applies map operations one at a time, and for
     * the start of the new entry's consumer thread. That is a millisecond or two on an idle machine and grows with
     * the CPUs' load, alike from any thread. Allowed on a data-path thread, but a handler that waits holds its consumer
     * (nothing is taken from its ring meanwhile): call it from another thread (hand it to an executor); so too
     * {@link #delete}.
     */
    public MapResult update(int key, EntryValue value, long flags) {
        if (!capabilities.mapAdmin()) {
            return MapResult.EPERM;
        }
        final MapSupervisor.MapReply reply =
            supervisor.askUnlessClosed(replyTo -> new MapSupervisor.Update(key, value, flags, replyTo));
        return reply == null ? supervisor.closedMap().update(key, value, flags) : reply.result();
    }

    /** Empties the slot of {@code key}, with the contract's result; EPERM without the map-admin capability. */
    public MapResult delete(int key) {
        if (!capabilities.mapAdmin()) {
            return MapResult.EPERM;
        }
        final MapSupervisor.MapReply reply =
            supervisor.askUnlessClosed(replyTo -> new MapSupervisor.Delete(key, replyTo));
        return reply == null ? supervisor.closedMap().delete(key) : reply.result();
    }

    /** The value of {@code key}'s entry, or null when there is none. */
    public EntryValue lookup(int key) {
        final MapSupervisor.LookupReply reply =
            supervisor.askUnlessClosed(replyTo -> new MapSupervisor.Lookup(key, replyTo));
        return reply == null ? supervisor.closedMap().lookup(key) : reply.value();
    }

    /** The key after {@code key}, as the contract defines it. */
    public CpuMap.NextKey nextKey(int key) {
        final MapSupervisor.NextKeyReply reply =
            supervisor.askUnlessClosed(replyTo -> new MapSupervisor.NextKey(key, replyTo));
        return reply == null ? supervisor.closedMap().nextKey(key) : new CpuMap.NextKey(reply.result(), reply.key());
    }

    /** A statistics snapshot with the accounting invariant; once the engine is closed, its final stats. */
    public EngineStats stats() {
        final EngineStats stats = supervisor.askUnlessClosed(MapSupervisor.GetStats::new);
        if (stats == null) {
            if (shared.finalStats == null) {
                throw new IllegalStateException("the engine stopped without final stats (its start or shutdown failed)");
            }
            return shared.finalStats;
        }
        return stats;
    }

    /** True when every feed has ended (bounded feeds) or its ingress has stopped; true once the engine is closed. */
    public boolean feedsEnded() {
        final Boolean ended = supervisor.askUnlessClosed(MapSupervisor.GetFeedsEnded::new);
        return ended == null || ended;
    }

    /**
     * Stops the feeds, drains and stops every entry, stops the actor system and returns the final stats,
     * in which nothing is in flight and every pool is full (unless a handler, program or feed released a frame the
     * engine returns itself: that is reported to the error handler, once per pool). Idempotent: a second call returns the final
     * stats again. Waits at most the builder's close timeout; when that passes first, the drain goes on and the
     * exception says what is still in flight: a later call waits again and returns the final stats once drained.
     *
     * <p>Not on one of this engine's data-path threads (from a handler, a program, a feed or the error handler):
     * the drain waits for that thread to return, so such a call throws at once instead of holding the data path
     * for the whole close timeout. Hand the call to another thread.
     *
     * @throws IllegalStateException when the engine did not finish within the close timeout, or when called on
     *                               one of its data-path threads
     */
    public EngineStats shutdown() {
        if (DataPath.onDataPathOf(system)) {
            throw new IllegalStateException("shutdown() called on a data-path thread of this engine ("
                + Thread.currentThread().getName() + "): the drain waits for this thread to return; call it from"
                + " another thread");
        }
        return new EngineShutdown(system, config.closeTimeout(), config.errorHandler(), shared,
            supervisor::liveAccounting).shutdown();
    }

    /**
     * True once the engine's final stats are known: {@link #shutdown()} or Pekko's CoordinatedShutdown (its
     * {@code steer-drain} task) has drained it, so {@link #shutdown()} returns them at once. Any thread; a
     * volatile read.
     */
    public boolean drained() {
        return shared.finalStats != null;
    }

    /** The engine's actor system; for tests. */
    ActorSystem<MapSupervisor.Command> system() {
        return system;
    }

    /**
     * The engine's actor system, which is also the {@link MapSupervisor}'s ref: for extensions that run beside
     * the engine in the same system (the cluster layer spawns its actors there and sends
     * {@link MapSupervisor.AttachProducer} and map operations to it). Any thread.
     */
    public ActorSystem<MapSupervisor.Command> actorSystem() {
        return system;
    }

    /** Same as {@link #shutdown()}, without the stats: for try-with-resources. */
    @Override
    public void close() {
        shutdown();
    }

    /**
     * Settings of an engine, with defaults; {@link #start()} validates them all at once and reports every
     * problem in one exception naming the setting, the value and what is allowed.
     *
     * <p>Defaults: the CPUs this process may use; max entries = CPU limit; one entry with
     * {@value #DEFAULT_QSIZE} frames on every usable CPU; program {@code l4-hash} over the initial keys;
     * a handler that discards (and says so once per key for the engine's life); a local handler that discards (and
     * says so once per ingress for the engine's life); consumer batches and local batches of 8; budget 64; idle mode {@link IdleMode#PARK}; pinning on; {@value #DEFAULT_POOL_FRAMES} frames of 2048 bytes with 256 bytes headroom per ingress.
     *
     * <p>A builder starts one engine: after {@link #start()} (also one that failed with an
     * {@link IllegalStateException}) every setter, {@code conclude()} and {@code start()} throw
     * {@link IllegalStateException}. One thread at a time.
     */
    public static final class Builder extends EngineSettings {
        /** Default ring size of an entry, as xdp-bench's. */
        public static final int DEFAULT_QSIZE = 2048;
        /** Default frames per ingress pool. */
        public static final int DEFAULT_POOL_FRAMES = 16_384;
        /** Largest batch a consumer or local handler takes. */
        public static final int MAX_BATCH = 1024;
        /** Largest NAPI budget. */
        public static final int MAX_BUDGET = 4096;
        /** Longest ask or close timeout: a day (Pekko's scheduler takes no delay beyond about 248 days). */
        public static final Duration MAX_TIMEOUT = Duration.ofDays(1);

        /** A builder starts one engine. */
        private final SingleStart once = new SingleStart();

        private Builder() {
        }

        private void unstarted(String setting) {
            once.refuseChange(setting);
        }

        /** The CPUs the engine may use: map keys must be usable CPUs. */
        public Builder cpus(CpuSet cpus) {
            unstarted("cpus");
            this.cpus = cpus;
            return this;
        }

        /** Slots in the map, 1 to the CPU limit; default the CPU limit. */
        public Builder maxEntries(int maxEntries) {
            unstarted("maxEntries");
            this.maxEntries = maxEntries;
            return this;
        }

        /** Adds an initial entry on CPU {@code key} with a ring of {@code qsize} frames. */
        public Builder entry(int key, int qsize) {
            return entry(key, EntryValue.of(qsize));
        }

        /** Adds an initial entry on CPU {@code key}. */
        public Builder entry(int key, EntryValue value) {
            unstarted("entry");
            entries.put(key, value);
            return this;
        }

        /** Ring size of the entries created by default (every usable CPU when no entry is given). */
        public Builder defaultQsize(int qsize) {
            unstarted("defaultQsize");
            this.defaultQsize = qsize;
            return this;
        }

        /** The steering program every ingress runs; replaces a built-in one named before. Null is refused at start. */
        public Builder program(SteeringProgram program) {
            unstarted("program");
            this.program = program;
            this.programName = null;
            return this;
        }

        /** A built-in program by name ({@link Programs#names()}), over the initial keys, fallback DROP. */
        public Builder program(String name) {
            unstarted("program");
            this.programName = name;
            this.program = null;
            return this;
        }

        /**
         * The handler every consumer calls. Without one the frames the consumers take are discarded and still count as
         * delivered; the first time an entry's consumer takes any, the error handler is told so, once per key for the
         * engine's life (neither a consumer the supervisor respawns nor the new consumer of an update that replaces the
         * entry says it again).
         * {@link FrameHandler#NO_OP} discards them without telling.
         *
         * <p>The consumers call it from the engine's start, before {@link #start()} has returned the engine: a handler
         * that calls the engine gets it from a reference set after {@code start()} returns (an
         * {@code AtomicReference}), and skips the call while that is null (see {@link FrameHandler}).
         */
        public Builder handler(FrameHandler handler) {
            unstarted("handler");
            this.handler = handler;
            return this;
        }

        /**
         * The handler for frames the program passes at the ingress (PASS, or a redirect to a key without an entry whose
         * fallback is PASS). Without one they are discarded and still count as delivered; the first time an ingress
         * passes any, the error handler is told so, once per ingress. {@link FrameHandler#NO_OP} discards them
         * without telling.
         */
        public Builder localHandler(FrameHandler localHandler) {
            unstarted("localHandler");
            this.localHandler = localHandler;
            return this;
        }

        /** Adds a feed; each feed gets its own ingress actor. */
        public Builder feed(Feed feed) {
            unstarted("feed");
            feeds.add(feed);
            return this;
        }

        /**
         * Frames per consumer handler call, 1 to {@value #MAX_BATCH}; one drain of the ring takes up to
         * {@link ConsumerPath#BATCHES_PER_WORK} such batches.
         */
        public Builder consumerBatch(int consumerBatch) {
            unstarted("consumerBatch");
            this.consumerBatch = consumerBatch;
            return this;
        }

        /** Frames per local handler call, 1 to {@value #MAX_BATCH}. */
        public Builder passBatch(int passBatch) {
            unstarted("passBatch");
            this.passBatch = passBatch;
            return this;
        }

        /** Frames per ingress poll, 1 to {@value #MAX_BUDGET}. */
        public Builder budget(int budget) {
            unstarted("budget");
            this.budget = budget;
            return this;
        }

        /** What data-path actors do when idle. */
        public Builder idleMode(IdleMode idleMode) {
            unstarted("idleMode");
            this.idleMode = idleMode;
            return this;
        }

        /** Whether data-path threads are pinned to their CPUs (a warning and unpinned where that fails). */
        public Builder pinning(boolean pinning) {
            unstarted("pinning");
            this.pinning = pinning;
            return this;
        }

        /**
         * CPUs the ingresses are pinned to, ingress i on {@code cpus[i % length]}; default the usable CPUs. Null is
         * refused at start, as for every setting: leave it out for the default.
         */
        public Builder ingressCpus(int... ingressCpus) {
            unstarted("ingressCpus");
            this.ingressCpusNull = ingressCpus == null;
            this.ingressCpus = ingressCpus == null ? null : ingressCpus.clone();
            return this;
        }

        /** Frames in each ingress' pool. */
        public Builder poolFrames(int poolFrames) {
            unstarted("poolFrames");
            this.poolFrames = poolFrames;
            return this;
        }

        /** Size of a frame's slot in bytes. */
        public Builder frameSize(int frameSize) {
            unstarted("frameSize");
            this.frameSize = frameSize;
            return this;
        }

        /** Headroom of a fresh frame in bytes. */
        public Builder headroom(int headroom) {
            unstarted("headroom");
            this.headroom = headroom;
            return this;
        }

        /** Lossless ingress: a full target ring back-pressures the feed instead of dropping. */
        public Builder lossless(boolean lossless) {
            unstarted("lossless");
            this.lossless = lossless;
            return this;
        }

        /** What a consumer does after a handler exception. */
        public Builder consumerFailure(ConsumerActor.FailurePolicy consumerFailure) {
            unstarted("consumerFailure");
            this.consumerFailure = consumerFailure;
            return this;
        }

        /** Where counted failures and warnings go; default a rate-limited log. */
        public Builder errorHandler(ErrorHandler errorHandler) {
            unstarted("errorHandler");
            this.errorHandler = errorHandler;
            return this;
        }

        /**
         * Makes the consumers of entries located on other nodes; default none (such entries fail with ENOMEM). Null is
         * refused at start, as for every setting: leave it out for the default.
         */
        public Builder remoteConsumers(RemoteConsumerFactory remoteConsumers) {
            unstarted("remoteConsumers");
            this.remoteConsumersNull = remoteConsumers == null;
            this.remoteConsumers = remoteConsumers;
            return this;
        }

        /** How long a map operation or stats request waits for the supervisor. */
        public Builder askTimeout(Duration askTimeout) {
            unstarted("askTimeout");
            this.askTimeout = askTimeout;
            return this;
        }

        /** How long {@link SteerEngine#shutdown()} waits for the drain. */
        public Builder closeTimeout(Duration closeTimeout) {
            unstarted("closeTimeout");
            this.closeTimeout = closeTimeout;
            return this;
        }

        /** Name of the engine's actor system. */
        public Builder systemName(String systemName) {
            unstarted("systemName");
            this.systemName = systemName;
            return this;
        }

        /**
         * Pekko configuration for the engine's actor system, over Steer's defaults and Pekko's reference.conf: the only
         * way to configure that system. The host's own configuration ({@code application.conf}, or the file that
         * {@code config.resource}, {@code config.file} or {@code config.url} names) is not read: its settings are for
         * the host's actor systems, and some would turn the engine against the host (with
         * {@code pekko.coordinated-shutdown.exit-jvm = on}, {@link SteerEngine#shutdown()} would exit the JVM; a
         * cluster provider or a port would make the engine's system listen). To share settings with the host, pass
         * them here, e.g. {@code ConfigFactory.load().getConfig("my-service.steer")}; passing the whole of
         * {@code ConfigFactory.load()} passes Pekko's reference values too, over Steer's defaults.
         */
        public Builder actorConfig(Config actorConfig) {
            unstarted("actorConfig");
            this.actorConfig = actorConfig;
            return this;
        }

        /** Restarts of a failing feed before its ingress gives up; fewer than the default only in tests. */
        Builder feedRestarts(int restarts) {
            unstarted("feedRestarts");
            this.feedRestarts = restarts;
            return this;
        }

        /** Whether the ingress pools check releases (default: with {@code -ea}); tests set it to have both kinds. */
        Builder checkedPools(boolean checked) {
            unstarted("checkedPools");
            this.checkedPools = checked;
            return this;
        }

        /** The window in which a consumer's respawns count towards giving its entry up; shorter only in tests. */
        Builder respawnWindow(Duration window) {
            unstarted("respawnWindow");
            this.respawnWindow = window;
            return this;
        }

        /**
         * Validates every setting and fills in the derived defaults.
         *
         * @throws IllegalArgumentException listing every bad setting with its value and what is allowed
         */
        public Builder conclude() {
            unstarted("conclude");
            check();
            return this;
        }

        /**
         * Validates the settings and starts the engine: actor system, map supervisor, initial entries with
         * their consumers, one ingress per feed. Returns once everything is running.
         *
         * @throws IllegalArgumentException for bad settings (see {@link #conclude()})
         * @throws IllegalStateException    when the engine cannot start, or this builder has already started one
         */
        public SteerEngine start() {
            once.refuseSecondStart();
            check();
            once.claim();
            return EngineStartup.start(this);
        }

    }
}
