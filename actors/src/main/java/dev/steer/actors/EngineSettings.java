package dev.steer.actors;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;

import dev.steer.engine.frame.Frame;
import dev.steer.engine.frame.FramePool;
import dev.steer.engine.map.CpuMap;
import dev.steer.engine.map.CpuSet;
import dev.steer.engine.map.EntryValue;
import dev.steer.engine.path.ConsumerPath;
import dev.steer.engine.path.Feed;
import dev.steer.engine.path.FrameHandler;
import dev.steer.engine.path.IngressPath;
import dev.steer.engine.program.Programs;
import dev.steer.engine.program.SteeringProgram;
import dev.steer.engine.program.Verdict;

/**
 * The settings of an engine, with their defaults, as {@link SteerEngine.Builder} collects them: read by the
 * supervisor as it starts the engine, and checked all at once by {@link #check()}, which names every bad setting
 * with its value and what is allowed. A class of its own so that the builder holds only its fluent setters and
 * {@code start()}.
 *
 * <p>What the caller set is kept apart from what {@link #check()} derives from it (max entries, the default entries,
 * the program over their keys, the ingress CPUs), so that every check derives them afresh: a setting changed after
 * a {@code conclude()} gets the defaults that go with it, not those of the settings it replaced.
 *
 * <p>Thread contract: filled and checked on one thread before the engine starts; read by the supervisor after.
 */
abstract class EngineSettings {
    /** How long a map operation through the supervisor waits for its answer, unless set. */
    static final Duration DEFAULT_ASK_TIMEOUT = Duration.ofSeconds(10);

    CpuSet cpus = CpuSet.fromMachine();
    Integer maxEntries;
    final Map<Integer, EntryValue> entries = new TreeMap<>();
    int defaultQsize = SteerEngine.Builder.DEFAULT_QSIZE;
    SteeringProgram program;
    String programName = "l4-hash";
    /** Derived by {@link #check()}: what the engine runs with. */
    private int resolvedMaxEntries;
    private Map<Integer, EntryValue> resolvedEntries = Map.of();
    private SteeringProgram resolvedProgram;
    private int[] resolvedIngressCpus;
    /** {@link DefaultConsumerHandler#UNSET} until the builder sets one. */
    FrameHandler handler = DefaultConsumerHandler.UNSET;
    /** {@link DefaultLocalHandler#UNSET} until the builder sets one. */
    FrameHandler localHandler = DefaultLocalHandler.UNSET;
    final List<Feed> feeds = new ArrayList<>();
    int consumerBatch = ConsumerPath.DEFAULT_BATCH;
    int passBatch = ConsumerPath.DEFAULT_BATCH;
    int budget = IngressPath.DEFAULT_BUDGET;
    IdleMode idleMode = IdleMode.PARK;
    boolean pinning = true;
    /** What the caller set; null: unset, the usable CPUs (derived by {@link #check()}). */
    int[] ingressCpus;
    /** Whether the caller passed null to {@code ingressCpus}: refused by {@link #check()}, as every null setting is. */
    boolean ingressCpusNull;
    int poolFrames = SteerEngine.Builder.DEFAULT_POOL_FRAMES;
    int frameSize = FramePool.Context.DEFAULT_FRAME_SIZE;
    int headroom = FramePool.Context.DEFAULT_HEADROOM;
    boolean lossless;
    ConsumerActor.FailurePolicy consumerFailure = ConsumerActor.FailurePolicy.RESUME;
    ErrorHandler errorHandler = new LoggingErrorHandler();
    /** Null: no factory (the default; a remote entry is then refused at start). */
    RemoteConsumerFactory remoteConsumers;
    /** Whether the caller passed null to {@code remoteConsumers}: refused by {@link #check()}, as every null setting is. */
    boolean remoteConsumersNull;
    int feedRestarts = IngressActor.MAX_RESTARTS;
    Duration respawnWindow = BarrierLifecycle.RESPAWN_WINDOW;
    /** Whether the ingress pools check releases; null: {@link FramePool.Context}'s default (on with {@code -ea}). */
    Boolean checkedPools;
    Duration askTimeout = DEFAULT_ASK_TIMEOUT;
    Duration closeTimeout = Duration.ofSeconds(60);
    String systemName = "steer";
    Config actorConfig = ConfigFactory.empty();
    volatile RuntimeException startFailure;

    CpuSet cpus() {
        return cpus;
    }

    int maxEntries() {
        return resolvedMaxEntries;
    }

    Map<Integer, EntryValue> entries() {
        return resolvedEntries;
    }

    SteeringProgram program() {
        return resolvedProgram;
    }

    FrameHandler handler() {
        return handler;
    }

    FrameHandler localHandler() {
        return localHandler;
    }

    List<Feed> feeds() {
        return feeds;
    }

    int consumerBatch() {
        return consumerBatch;
    }

    int passBatch() {
        return passBatch;
    }

    int budget() {
        return budget;
    }

    IdleMode idleMode() {
        return idleMode;
    }

    boolean pinning() {
        return pinning;
    }

    int[] ingressCpus() {
        return resolvedIngressCpus;
    }

    int poolFrames() {
        return poolFrames;
    }

    /** Size of a frame's slot in bytes, as set so far: bounds every packet a feed can hand the engine. */
    public int frameSize() {
        return frameSize;
    }

    int headroom() {
        return headroom;
    }

    boolean lossless() {
        return lossless;
    }

    ConsumerActor.FailurePolicy consumerFailure() {
        return consumerFailure;
    }

    ErrorHandler errorHandler() {
        return errorHandler;
    }

    RemoteConsumerFactory remoteConsumers() {
        return remoteConsumers;
    }

    Duration askTimeout() {
        return askTimeout;
    }

    int feedRestarts() {
        return feedRestarts;
    }

    Duration respawnWindow() {
        return respawnWindow;
    }

    Boolean checkedPools() {
        return checkedPools;
    }

    Duration closeTimeout() {
        return closeTimeout;
    }

    void startFailure(RuntimeException failure) {
        this.startFailure = failure;
    }

    /**
     * Validates every setting and fills in the derived defaults: max entries, the default entries, the program
     * over their keys, the ingress CPUs. Runs at every {@code conclude()} and {@code start()}.
     *
     * @throws IllegalArgumentException listing every bad setting with its value and what is allowed
     */
    final void check() {
        // Every time, also after an earlier conclude(): a setting changed since must not start unchecked.
        final List<String> errors = new ArrayList<>();
        if (cpus == null) {
            errors.add("cpus=null: must be a CpuSet");
            throw invalid(errors);
        }
        final int maxEntries = this.maxEntries == null ? cpus.limit() : this.maxEntries;
        final boolean maxEntriesValid = maxEntries >= 1 && maxEntries <= cpus.limit();
        if (!maxEntriesValid) {
            errors.add("maxEntries=" + maxEntries + ": must be 1.." + cpus.limit() + " (the CPU limit)");
        }
        if (defaultQsize < 1 || defaultQsize > CpuMap.MAX_QSIZE) {
            errors.add("defaultQsize=" + defaultQsize + ": must be 1.." + CpuMap.MAX_QSIZE);
        }
        final Map<Integer, EntryValue> entries = new TreeMap<>(this.entries);
        if (entries.isEmpty() && errors.isEmpty()) {
            for (int cpu : cpus.usableCpus()) {
                if (cpu < maxEntries) {
                    entries.put(cpu, EntryValue.of(defaultQsize));
                }
            }
        }
        entries.forEach((key, value) -> {
            // A bad maxEntries is reported once, above, not as a range of keys such as 0..-1 for every entry.
            if (key < 0 || (maxEntriesValid && key >= maxEntries)) {
                errors.add("entry " + key + ": key must be "
                    + (maxEntriesValid ? "0.." + (maxEntries - 1) + " (maxEntries - 1)" : "0 or more"));
            } else if (value != null && !value.isRemote() && !cpus.isUsable(value.cpu(key))) {
                errors.add("entry " + key + ": CPU " + value.cpu(key) + " is not usable; usable CPUs: "
                    + Arrays.toString(cpus.usableCpus()));
            } else if (value != null && value.isRemote() && remoteConsumers == null) {
                // Else the start fails later with a bare ENOMEM for the entry.
                errors.add("entry " + key + ": located on node '" + value.location().node() + "', but no"
                    + " remoteConsumers factory is set to forward its frames there (the cluster layer sets one)");
            }
            if (value == null || value.qsize() < 1 || value.qsize() > CpuMap.MAX_QSIZE) {
                errors.add("entry " + key + ": qsize=" + (value == null ? "null" : value.qsize()) + ": must be 1.."
                    + CpuMap.MAX_QSIZE);
            }
        });
        SteeringProgram program = this.program;
        if (program == null && programName == null) {
            errors.add("program=null: must be a SteeringProgram or the name of a built-in one, one of "
                + String.join(", ", Programs.names()));
        } else if (program == null) {
            try {
                final int[] keys = entries.keySet().stream().mapToInt(Integer::intValue).toArray();
                program = Programs.create(programName, keys.length == 0 ? new int[] {0} : keys, Verdict.DROP);
            } catch (IllegalArgumentException ex) {
                errors.add("program: " + ex.getMessage());
            }
        }
        checkRange(errors, "consumerBatch", consumerBatch, 1, SteerEngine.Builder.MAX_BATCH);
        checkRange(errors, "passBatch", passBatch, 1, SteerEngine.Builder.MAX_BATCH);
        checkRange(errors, "budget", budget, 1, SteerEngine.Builder.MAX_BUDGET);
        final int[] ingressCpus = this.ingressCpus == null ? cpus.usableCpus() : this.ingressCpus;
        if (ingressCpus.length == 0) {
            errors.add(this.ingressCpus == null
                ? "cpus=" + cpus + ": has no usable CPU to run an ingress on"
                : "ingressCpus=[]: must name at least one CPU");
        }
        for (int cpu : ingressCpus) {
            if (!cpus.isUsable(cpu)) {
                errors.add("ingressCpus: CPU " + cpu + " is not usable; usable CPUs: "
                    + Arrays.toString(cpus.usableCpus()));
            }
        }
        checkPool(errors);
        // Each feed is polled by one ingress thread (Feed's thread contract): the same object twice would be polled
        // by two at once.
        final Map<Feed, Integer> firstIndex = new IdentityHashMap<>();
        for (int i = 0; i < feeds.size(); i++) {
            final Feed feed = feeds.get(i);
            if (feed == null) {
                errors.add("feed " + i + "=null: must be a Feed");
                continue;
            }
            final Integer first = firstIndex.putIfAbsent(feed, i);
            if (first != null) {
                errors.add("feed " + i + ": the same Feed object as feed " + first + "; each feed gets an ingress of"
                    + " its own and is polled by that thread only: give every ingress its own Feed instance");
            }
        }
        checkNotNull(errors, "handler", handler);
        checkNotNull(errors, "localHandler", localHandler);
        checkNotNull(errors, "errorHandler", errorHandler);
        checkNotNull(errors, "idleMode", idleMode);
        checkNotNull(errors, "consumerFailure", consumerFailure);
        checkNotNull(errors, "actorConfig", actorConfig);
        // These two are null when unset (their defaults are derived or "none"), so a null given is told by a flag.
        if (ingressCpusNull) {
            checkNotNull(errors, "ingressCpus", null);
        }
        if (remoteConsumersNull) {
            checkNotNull(errors, "remoteConsumers", null);
        }
        checkTimeout(errors, "askTimeout", askTimeout);
        checkTimeout(errors, "closeTimeout", closeTimeout);
        if (systemName == null || !systemName.matches("[a-zA-Z0-9][a-zA-Z0-9_-]*")) {
            errors.add("systemName='" + systemName + "': must be letters, digits, '-' and '_'");
        }
        if (!errors.isEmpty()) {
            throw invalid(errors);
        }
        resolvedMaxEntries = maxEntries;
        resolvedEntries = entries;
        resolvedProgram = program;
        resolvedIngressCpus = ingressCpus;
    }

    private static void checkNotNull(List<String> errors, String name, Object value) {
        if (value == null) {
            errors.add(name + "=null: must be set (leave it out for the default)");
        }
    }

    private static void checkTimeout(List<String> errors, String name, Duration value) {
        if (value == null || value.isNegative() || value.isZero() || value.compareTo(SteerEngine.Builder.MAX_TIMEOUT) > 0) {
            errors.add(name + "=" + value + ": must be positive and at most " + SteerEngine.Builder.MAX_TIMEOUT);
        }
    }

    /**
     * The rules of {@link FramePool.Context#conclude()}, each problem on a line of its own and named as this builder
     * names the setting (the pool's own message would fold them onto one exception's lines; the pools it starts are
     * given these names too, {@link FramePool.Context#sizeNames}, for a start whose direct memory cannot be had).
     */
    private void checkPool(List<String> errors) {
        checkRange(errors, "poolFrames", poolFrames, 1, FramePool.MAX_FRAMES);
        if (!FramePool.Context.validFrameSize(frameSize)) {
            errors.add("frameSize=" + frameSize + ": must be a multiple of " + FramePool.Context.FRAME_SIZE_MULTIPLE
                + " from " + FramePool.Context.MIN_FRAME_SIZE + " to " + FramePool.Context.MAX_FRAME_SIZE);
        }
        if (!FramePool.Context.validHeadroom(headroom, frameSize)) {
            errors.add("headroom=" + headroom + ": must be " + Frame.MIN_REDIRECT_HEADROOM + "..frameSize - 64 ("
                + (frameSize - 64) + ")");
        }
        if (poolFrames >= 1 && !FramePool.Context.fitsOnePool(poolFrames, frameSize)) {
            errors.add("poolFrames=" + poolFrames + " x frameSize=" + frameSize + ": must not exceed "
                + FramePool.Context.MAX_POOL_BYTES + " bytes in one pool");
        }
    }

    private static void checkRange(List<String> errors, String name, int value, int min, int max) {
        if (value < min || value > max) {
            errors.add(name + "=" + value + ": must be " + min + ".." + max);
        }
    }

    private static IllegalArgumentException invalid(List<String> errors) {
        return new IllegalArgumentException("invalid engine settings:\n  " + String.join("\n  ", errors));
    }
}
