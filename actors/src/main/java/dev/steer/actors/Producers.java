package dev.steer.actors;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.ActorContext;

import dev.steer.engine.frame.FramePool;
import dev.steer.engine.map.CpuMap;
import dev.steer.engine.path.Feed;
import dev.steer.engine.path.IngressPath;
import dev.steer.engine.stats.PathCounters;
import dev.steer.engine.stats.PathStats;
import dev.steer.engine.stats.PoolStats;

/**
 * The producers the map supervisor supervises: one ingress actor per feed, with its pool and path, and the producers
 * attached with {@link MapSupervisor.AttachProducer}. Starts the ingresses, watches every producer, forgets it once it
 * has stopped, stops them all at shutdown and then closes their pools, and gives their rows and pools to the stats.
 *
 * <p>Thread contract: the supervisor's actor thread only; it spawns and watches in the supervisor's context, and the
 * messages it has the supervisor watch for ({@link IngressStopped}, {@link AttachedStopped}, {@link IngressEnded}) come
 * back to it.
 */
final class Producers {
    /** Ingress {@code index} has terminated. */
    record IngressStopped(int index) implements MapSupervisor.Command {
    }

    /** An attached producer has terminated. */
    record AttachedStopped(ActorRef<DataPath.Command> ref) implements MapSupervisor.Command {
    }

    /** An ingress' feed has ended, adapted into the supervisor's protocol. */
    record IngressEnded(IngressActor.FeedEnded ended) implements MapSupervisor.Command {
    }

    private static final class Ingress {
        final IngressPath path;
        final FramePool pool;
        final IngressActor.Settings settings;
        DataPath.Participant participant;
        boolean ended;

        Ingress(IngressPath path, FramePool pool, IngressActor.Settings settings) {
            this.path = path;
            this.pool = pool;
            this.settings = settings;
        }
    }

    /** A producer added with {@link MapSupervisor.AttachProducer}. */
    private static final class Attached {
        final MapSupervisor.AttachProducer producer;
        DataPath.Participant participant;

        Attached(MapSupervisor.AttachProducer producer) {
            this.producer = producer;
            this.participant = new DataPath.Participant(producer.name(), producer.ref(), new ControlSignal());
        }
    }

    private final ActorContext<MapSupervisor.Command> context;
    private final SteerEngine.Builder config;
    private final CpuMap map;
    private final BarrierLifecycle entries;
    private final ActorRef<IngressActor.FeedEnded> endedAdapter;
    private final List<Ingress> ingresses = new ArrayList<>();
    private final List<Attached> attached = new ArrayList<>();

    Producers(ActorContext<MapSupervisor.Command> context, SteerEngine.Builder config, BarrierLifecycle entries) {
        this.context = context;
        this.config = config;
        this.entries = entries;
        this.map = entries.map();
        this.endedAdapter = context.messageAdapter(IngressActor.FeedEnded.class, IngressEnded::new);
    }

    /** Starts one ingress per feed of the settings. */
    void startIngresses() {
        // Every ingress' pool and path first (user code and direct memory, either of which can fail), then the
        // actors: a start that fails closes the pools it made, which no ingress thread can be using yet.
        final List<Feed> feeds = config.feeds();
        try {
            for (int i = 0; i < feeds.size(); i++) {
                ingresses.add(prepareIngress(i, feeds.get(i)));
            }
        } catch (RuntimeException ex) {
            ingresses.forEach(ingress -> ingress.pool.close());
            throw ex;
        }
        for (int i = 0; i < ingresses.size(); i++) {
            spawnIngress(i, ingresses.get(i));
        }
    }

    private Ingress prepareIngress(int index, Feed feed) {
        final String name = "ingress-" + index;
        final FramePool.Context poolContext = new FramePool.Context().id(name + "-pool")
            .frameCount(config.poolFrames()).frameSize(config.frameSize()).headroom(config.headroom())
            .sizeNames("poolFrames", "frameSize"); // the builder's names, as its own pool messages say them
        if (config.checkedPools() != null) {
            poolContext.checked(config.checkedPools());
        }
        final FramePool pool = new FramePool(poolContext);
        try {
            final PathCounters counters = new PathCounters(name, map.maxEntries());
            final IngressPath path = new IngressPath(index + 1, 0, pool, config.program(), map,
                DefaultLocalHandler.forIngress(config.localHandler(), config.errorHandler(), counters),
                config.passBatch(), config.budget(), config.lossless(), counters, config.errorHandler()::onError);
            final int[] cpus = config.ingressCpus();
            final IngressActor.Settings settings = new IngressActor.Settings(path, feed, cpus[index % cpus.length],
                config.pinning(), config.idleMode(), config.errorHandler(), new ControlSignal(), endedAdapter,
                new AtomicBoolean(), config.feedRestarts());
            return new Ingress(path, pool, settings);
        } catch (RuntimeException ex) {
            pool.close();
            throw new IllegalStateException(name + ": " + ex.getMessage(), ex);
        }
    }

    private void spawnIngress(int index, Ingress ingress) {
        final String name = ingress.path.counters().name();
        final ActorRef<DataPath.Command> ref = context.spawn(IngressActor.create(ingress.settings), name,
            DispatcherSelector.fromConfig(BarrierLifecycle.PINNED_DISPATCHER));
        context.watchWith(ref, new IngressStopped(index));
        ingress.participant = new DataPath.Participant(name, ref, ingress.settings.signal());
    }

    /** The live producers, in the order barriers reach them: ingresses, then attached producers. */
    List<DataPath.Participant> participants() {
        final List<DataPath.Participant> producers = new ArrayList<>();
        for (Ingress ingress : ingresses) {
            if (ingress.participant != null) {
                producers.add(ingress.participant);
            }
        }
        for (Attached producer : attached) {
            if (producer.participant != null) {
                producers.add(producer.participant);
            }
        }
        return producers;
    }

    /** True when every feed has ended or its ingress has stopped. */
    boolean feedsEnded() {
        return ingresses.stream().allMatch(i -> i.ended || i.participant == null);
    }

    void onIngressEnded(IngressEnded ended) {
        ingresses.stream().filter(i -> i.path.counters().name().equals(ended.ended().name()))
            .forEach(i -> i.ended = true);
    }

    /**
     * Forgets a stopped ingress; unless {@code shuttingDown}, reports that it gave up. An ingress that gave up never
     * handled Stop: its feed is closed here, after its last poll.
     */
    void onIngressStopped(IngressStopped stopped, boolean shuttingDown) {
        final Ingress ingress = ingresses.get(stopped.index());
        final DataPath.Participant participant = ingress.participant;
        ingress.participant = null;
        if (participant != null) {
            if (!shuttingDown) {
                entries.report(participant.name(),
                    "ingress stopped: its feed failed " + (config.feedRestarts() + 1) + " times");
            }
            IngressActor.closeFeed(ingress.settings);
            entries.forgetParticipant(participant.ref());
        }
    }

    /** Adds and watches a producer, and gives it the map; one that comes {@code shuttingDown} is stopped at once. */
    void attach(MapSupervisor.AttachProducer attach, boolean shuttingDown) {
        final Attached producer = new Attached(attach);
        if (shuttingDown) {
            producer.participant.send(DataPath.Stop.INSTANCE);
        }
        attached.add(producer);
        attach.ref().tell(new DataPath.MapView(map::snapshot));
        context.watchWith(attach.ref(), new AttachedStopped(attach.ref()));
    }

    /** Forgets a stopped attached producer. */
    void onAttachedStopped(AttachedStopped stopped) {
        for (Attached producer : attached) {
            if (producer.participant != null && producer.participant.ref().equals(stopped.ref())) {
                producer.participant = null;
                entries.forgetParticipant(stopped.ref());
            }
        }
    }

    /** Sends Stop to every live producer: ingresses first, then attached producers. */
    void stopAll() {
        for (Ingress ingress : ingresses) {
            if (ingress.participant != null) {
                ingress.participant.send(DataPath.Stop.INSTANCE);
            }
        }
        for (Attached producer : attached) {
            if (producer.participant != null) {
                producer.participant.send(DataPath.Stop.INSTANCE);
            }
        }
    }

    /** True while some producer has not stopped. */
    boolean anyLive() {
        return ingresses.stream().anyMatch(i -> i.participant != null)
            || attached.stream().anyMatch(a -> a.participant != null);
    }

    /** Closes every producer's pool, reporting one left short: at shutdown, once every producer has stopped. */
    void closePools() {
        for (Ingress ingress : ingresses) {
            PoolAudit.closeAtShutdown(ingress.pool, entries::report);
        }
        for (Attached producer : attached) {
            final FramePool pool = producer.producer.pool();
            if (pool != null) {
                PoolAudit.closeAtShutdown(pool, entries::report);
            }
        }
    }

    /** Adds a row per producer to {@code rows} and its pool, if any, to {@code pools}: ingresses, then attached. */
    void addStats(List<PathStats> rows, List<PoolStats> pools) {
        for (Ingress ingress : ingresses) {
            rows.add(ingress.path.counters().snapshot(PathStats.Kind.INGRESS, -1));
            pools.add(PoolStats.of(ingress.pool));
        }
        for (Attached producer : attached) {
            rows.add(producer.producer.counters().snapshot(PathStats.Kind.INGRESS, -1));
            if (producer.producer.pool() != null) {
                pools.add(PoolStats.of(producer.producer.pool()));
            }
        }
    }
}
