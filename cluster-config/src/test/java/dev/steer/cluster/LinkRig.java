package dev.steer.cluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.typesafe.config.ConfigFactory;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

import dev.steer.actors.DataPath;
import dev.steer.engine.frame.Frame;
import dev.steer.engine.frame.FramePool;
import dev.steer.engine.map.Capabilities;
import dev.steer.engine.map.CpuMap;
import dev.steer.engine.map.CpuMapEntry;
import dev.steer.engine.map.CpuSet;
import dev.steer.engine.map.EntryLifecycle;
import dev.steer.engine.map.EntryValue;
import dev.steer.engine.map.MapResult;

/**
 * Test support: one {@link NodeLink} driven directly, in one actor system on the cluster provider, whose target
 * node is that system itself. A stand-in for the node's {@link FrameReceiver} at its path keeps every batch and
 * answers only when told ({@link #ack}, or {@link #autoAck}), as a congested or silent node would. Frames are
 * offered into the forwarding entries' rings by the test thread. Close it to stop the system and the pool.
 */
final class LinkRig implements AutoCloseable {
    static final int PACKET = 60;

    /** What the stand-in receiver was sent, in order; its thread adds, the test thread reads. */
    private final List<ForwardBatch> received = new ArrayList<>();
    private final List<ForwardBatch> unanswered = new ArrayList<>();
    private boolean autoAck;
    private final ActorTestKit kit;
    private final FramePool pool = new FramePool(new FramePool.Context().id("link-rig").frameCount(4096)
        .frameSize(256).headroom(32));
    private final CpuMap map;
    final ActorRef<NodeLink.Command> link;
    final LinkStats stats;
    final String node;

    LinkRig(ClusterSettings settings) {
        this.kit = ActorTestKit.create("link-rig", ConfigFactory.parseString("""
            pekko.actor.provider = cluster
            pekko.remote.artery.canonical.hostname = 127.0.0.1
            pekko.remote.artery.canonical.port = 0
            pekko.loglevel = WARNING
            """));
        this.node = kit.system().address().toString();
        kit.system().systemActorOf(receiver(), FrameReceiver.PATH.substring("/system/".length()), Props.empty());
        this.map = CpuMap.create(4, 0, CpuSet.of(4, 0, 1, 2, 3), Capabilities.admin(), EntryLifecycle.NONE).map();
        this.stats = new LinkStats(node, "b");
        this.link = kit.spawn(NodeLink.create(node, settings, stats));
    }

    private Behavior<DataPath.Command> receiver() {
        return Behaviors.receiveMessage(message -> {
            if (message instanceof ForwardBatch batch) {
                synchronized (this) {
                    received.add(batch);
                    if (autoAck) {
                        answer(batch);
                    } else {
                        unanswered.add(batch);
                    }
                }
            }
            return Behaviors.same();
        });
    }

    private static void answer(ForwardBatch batch) {
        batch.replyTo().tell(new BatchAck(batch.sequence(), new int[batch.segments()], new int[batch.segments()]));
    }

    /** Places {@code key} on the rig's node with a ring of {@code qsize} and attaches its entry to the link. */
    CpuMapEntry attach(int key, int qsize, TestProbe<RemoteForwarder.Command> forwarder) {
        if (map.update(key, EntryValue.remote(qsize, node, 0), CpuMap.ANY) != MapResult.OK) {
            throw new IllegalStateException("key " + key + " not placed");
        }
        final CpuMapEntry entry = map.snapshot().entry(key);
        link.tell(new NodeLink.Attach(entry, forwarder.ref()));
        return entry;
    }

    /** A probe standing in for an entry's {@link RemoteForwarder}. */
    TestProbe<RemoteForwarder.Command> forwarder() {
        return kit.createTestProbe();
    }

    /**
     * Offers up to {@code frames} packets of {@value #PACKET} bytes into {@code entry}'s ring; test thread only.
     * Does not wake the link.
     *
     * @return how many went in (the rest did not fit and went back to the pool)
     */
    int offer(CpuMapEntry entry, int frames) {
        int offered = 0;
        for (int i = 0; i < frames; i++) {
            final Frame frame = pool.lease(PACKET, 0, 0, 0);
            if (frame == null) {
                break;
            }
            if (!entry.ring().offer(frame.handle())) {
                frame.release();
                break;
            }
            offered++;
        }
        return offered;
    }

    /** Batches the stand-in receiver got so far. */
    synchronized List<ForwardBatch> received() {
        return new ArrayList<>(received);
    }

    /** Batches the stand-in receiver got and has not answered. */
    synchronized int unanswered() {
        return unanswered.size();
    }

    /** Answers the oldest unanswered batch. */
    synchronized void ackOldest() {
        answer(unanswered.remove(0));
    }

    /** Answers every unanswered batch, and from now on (with {@code on}) every batch as it comes. */
    synchronized void autoAck(boolean on) {
        autoAck = on;
        if (on) {
            for (ForwardBatch batch : unanswered) {
                answer(batch);
            }
            unanswered.clear();
        }
    }

    /** Frames leased from the rig's pool and not returned. */
    long framesOut() {
        return pool.inUse();
    }

    /** Polls {@code condition} for at most {@code timeout}. */
    static boolean await(java.util.function.BooleanSupplier condition, Duration timeout) {
        return Nodes.await(condition, timeout);
    }

    @Override
    public void close() {
        kit.shutdownTestKit();
        pool.close();
    }
}
