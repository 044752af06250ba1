package dev.steer.ingress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.agrona.MutableDirectBuffer;

import dev.steer.actors.SteerEngine;
import dev.steer.engine.frame.Frame;
import dev.steer.engine.map.CpuMap;
import dev.steer.engine.map.CpuSet;
import dev.steer.engine.map.EntryValue;
import dev.steer.engine.map.MapResult;
import dev.steer.engine.path.Feed;
import dev.steer.engine.path.FrameBatch;
import dev.steer.engine.path.FrameHandler;
import dev.steer.engine.program.SteeringProgram;
import dev.steer.engine.program.Verdict;
import dev.steer.engine.stats.Accounting;
import dev.steer.engine.stats.DropReason;
import dev.steer.engine.stats.EngineStats;
import dev.steer.engine.stats.PathCounters.Counter;
import dev.steer.engine.stats.PathStats;
import dev.steer.engine.stats.PoolStats;

/**
 * Map churn on a real feed: an engine of two entries (keys 0 and 1) is fed by one real feed while a sender
 * thread keeps sending numbered frames, the map is updated, deleted and replaced at random (qsize changes
 * included) every few milliseconds, and the engine is closed in the middle of the traffic, the sender still
 * sending. {@link #run} then checks what holds for every feed: every counter of the accounting invariant,
 * in flight 0, the pools full, no frame delivered twice. The feed's own tests check the sender's side.
 *
 * <p>Frames are 60 bytes, EtherType 0x88B5 (not IP), their sequence number big-endian at byte 14; the program
 * redirects even numbers to key 0 and odd ones to key 1, with the given fallback when the key has no entry.
 */
public final class FeedChurn {
    /** Length of the frames the senders send. */
    public static final int FRAME_LENGTH = 60;
    private static final int SEQ_OFFSET = 14;
    private static final long CHURN_NANOS = TimeUnit.MILLISECONDS.toNanos(1500);
    private static final int MIN_OPERATIONS = 100;
    private static final long MAX_CHURN_NANOS = TimeUnit.SECONDS.toNanos(15);

    /** One step of a sender: sends a few frames (or tries to); called in a loop on the sender thread. */
    @FunctionalInterface
    public interface Sender {
        void step() throws Exception;
    }

    /** What a run saw. */
    public record Result(EngineStats stats, Recorder recorder, int operations, Map<MapResult, Integer> results) {
        public Accounting accounting() {
            return stats.accounting();
        }
    }

    private FeedChurn() {
    }

    /** Writes frame number {@code seq} into {@code buffer} from 0 (the rest of the 60 bytes as they are). */
    public static void frame(MutableDirectBuffer buffer, int seq) {
        buffer.putShort(12, (short) 0x88B5, ByteOrder.BIG_ENDIAN);
        buffer.putInt(SEQ_OFFSET, seq, ByteOrder.BIG_ENDIAN);
    }

    /** Frame {@code seq} as bytes. */
    public static byte[] frameBytes(int seq) {
        final byte[] bytes = new byte[FRAME_LENGTH];
        frame(new org.agrona.concurrent.UnsafeBuffer(bytes), seq);
        return bytes;
    }

    /** Records every sequence number delivered, from every consumer and the local handler. */
    public static final class Recorder implements FrameHandler {
        private final BitSet seen = new BitSet();
        private long delivered;
        private long duplicates;
        private int highest = -1;

        @Override
        public synchronized void onFrames(FrameBatch batch) {
            for (int i = 0; i < batch.size(); i++) {
                final Frame frame = batch.frame(i);
                final int seq = frame.buffer().getInt(frame.dataOffset() + SEQ_OFFSET, ByteOrder.BIG_ENDIAN);
                if (seen.get(seq)) {
                    duplicates++;
                }
                seen.set(seq);
                highest = Math.max(highest, seq);
            }
            delivered += batch.size();
        }

        public synchronized long delivered() {
            return delivered;
        }

        /** Frames whose number had been delivered before (a replay that loops repeats its numbers). */
        public synchronized long duplicates() {
            return duplicates;
        }

        /** Distinct numbers delivered. */
        public synchronized int distinct() {
            return seen.cardinality();
        }

        /** The highest number delivered, -1 when none was. */
        public synchronized int highest() {
            return highest;
        }
    }

    /** Redirects by the frame number's parity; {@code fallback} when the key has no entry. */
    static SteeringProgram program(int fallback) {
        return new SteeringProgram() {
            @Override
            public long run(dev.steer.engine.program.PacketView packet) {
                if (!packet.has(SEQ_OFFSET, 4)) {
                    return Verdict.of(Verdict.DROP);
                }
                return Verdict.redirect((int) (packet.u32(SEQ_OFFSET) & 1), fallback);
            }

            @Override
            public String name() {
                return "by-parity";
            }
        };
    }

    /**
     * Starts an engine on {@code feed}, runs {@code sender} on a thread of its own, churns the map while traffic
     * flows, closes the engine with the sender still sending, then stops the sender and checks the invariant.
     *
     * @param allowed the drop reasons this feed and mode may count; any other reason fails the run
     */
    public static Result run(String name, Feed feed, boolean lossless, int fallback, Sender sender,
                             Set<DropReason> allowed, boolean unique) throws Exception {
        final Recorder recorder = new Recorder();
        final List<String> failures = new ArrayList<>();
        final SteerEngine engine = SteerEngine.builder()
            .cpus(CpuSet.all(2)).maxEntries(2).entry(0, 256).entry(1, 256)
            .program(program(fallback)).handler(recorder).localHandler(recorder)
            .feed(feed).poolFrames(4096).lossless(lossless).pinning(false).systemName(name)
            .errorHandler((where, error) -> {
                synchronized (failures) {
                    failures.add(where + ": " + error);
                }
            })
            .start();
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicReference<Throwable> senderFailure = new AtomicReference<>();
        final Thread sending = Thread.ofPlatform().name(name + "-sender").start(() -> {
            try {
                while (!stop.get()) {
                    sender.step();
                }
            } catch (Throwable ex) {
                senderFailure.set(ex);
            }
        });
        final EngineStats stats;
        final SplittableRandom random = new SplittableRandom(name.hashCode());
        final int[] qsizes = {0, 8, 64, 512, 2048};
        final Map<MapResult, Integer> results = new EnumMap<>(MapResult.class);
        int operations = 0;
        try {
            final long flowing = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (engine.stats().accounting().received() < 1000) {
                assertTrue(System.nanoTime() < flowing && senderFailure.get() == null,
                    "traffic did not flow: " + engine.stats().accounting() + ", sender: " + senderFailure.get());
                Thread.sleep(2);
            }
            final long start = System.nanoTime();
            while ((System.nanoTime() - start < CHURN_NANOS || operations < MIN_OPERATIONS)
                && System.nanoTime() - start < MAX_CHURN_NANOS) {
                final int key = random.nextInt(2);
                final MapResult result = switch (random.nextInt(4)) {
                    case 0 -> engine.delete(key);
                    case 1 -> engine.update(key, EntryValue.of(qsizes[random.nextInt(qsizes.length)]), CpuMap.ANY);
                    case 2 -> engine.update(key, EntryValue.of(qsizes[1 + random.nextInt(qsizes.length - 1)]), CpuMap.EXIST);
                    default -> engine.update(key, EntryValue.of(64), CpuMap.NOEXIST);
                };
                results.merge(result, 1, Integer::sum);
                operations++;
                Thread.sleep(1 + random.nextInt(4));
            }
        } finally {
            // Closed in the middle of the traffic: the sender is still sending.
            try {
                stats = engine.shutdown();
            } finally {
                stop.set(true);
                sending.join(TimeUnit.SECONDS.toMillis(10));
            }
        }
        assertEquals(null, senderFailure.get(), "sender failed");
        assertTrue(!sending.isAlive(), "sender stopped");
        assertTrue(operations >= MIN_OPERATIONS, "churn ran only " + operations + " operations");
        assertEquals(Set.of(MapResult.OK, MapResult.EEXIST), results.keySet(),
            "only OK, and EEXIST for NOEXIST, can come back: " + results);
        checkInvariant(stats, recorder, allowed, unique);
        assertEquals(List.of(), failures, "reported failures");
        return new Result(stats, recorder, operations, results);
    }

    private static void checkInvariant(EngineStats stats, Recorder recorder, Set<DropReason> allowed, boolean unique) {
        final Accounting accounting = stats.accounting();
        assertTrue(accounting.received() > 1000, "traffic flowed: " + accounting);
        assertEquals(0, accounting.inFlight(), "in flight after close: " + accounting);
        long dropped = 0;
        for (DropReason reason : DropReason.values()) {
            if (!allowed.contains(reason)) {
                assertEquals(0, accounting.dropped(reason), reason.label() + ": " + accounting);
            }
            dropped += accounting.dropped(reason);
        }
        assertEquals(accounting.droppedTotal(), dropped, "dropped total = sum by reason");
        assertEquals(accounting.received(), accounting.delivered() + dropped,
            "received = delivered + dropped by reason: " + accounting);
        assertEquals(recorder.delivered(), accounting.delivered(), "delivered counted = delivered seen");
        if (unique) {
            assertEquals(0, recorder.duplicates(), "frames delivered twice");
        }
        for (PoolStats pool : stats.pools()) {
            assertTrue(pool.isFull(), "pool not full after close: " + pool);
            assertEquals(0, pool.doubleReturns(), "double returns in " + pool);
        }
        assertTrue(stats.poolsFull(), "pools full: " + stats.pools());
        // Per path: what an ingress received went to a ring, its local handler or a drop; what entered a ring was
        // taken by its consumer and delivered.
        long redirected = 0;
        for (PathStats ingress : stats.ingresses()) {
            long flushed = 0;
            for (int key = 0; key < ingress.maxKeys(); key++) {
                flushed += ingress.enqueueProcessed(key);
            }
            assertEquals(ingress.get(Counter.REDIRECTED), flushed, ingress.name() + " redirected = flushed");
            long ingressDrops = 0;
            for (DropReason reason : EnumSet.complementOf(EnumSet.of(DropReason.RING_FULL))) {
                ingressDrops += ingress.dropped(reason);
            }
            assertEquals(ingress.get(Counter.RECEIVED),
                ingress.get(Counter.REDIRECTED) + ingress.get(Counter.DELIVERED) + ingressDrops,
                ingress.name() + " received = redirected + passed + dropped");
            redirected += ingress.get(Counter.REDIRECTED);
        }
        long taken = 0;
        for (PathStats consumer : stats.consumers()) {
            long enqueued = 0;
            long ringFull = 0;
            for (PathStats ingress : stats.ingresses()) {
                enqueued += ingress.enqueueProcessed(consumer.key());
                ringFull += ingress.enqueueDrops(consumer.key());
            }
            assertEquals(enqueued - ringFull, consumer.get(Counter.RECEIVED), consumer.name() + " took what entered its rings");
            assertEquals(consumer.get(Counter.RECEIVED), consumer.get(Counter.DELIVERED), consumer.name() + " delivered all it took");
            taken += consumer.get(Counter.RECEIVED);
        }
        assertEquals(redirected - accounting.dropped(DropReason.RING_FULL), taken, "ring totals");
    }
}
