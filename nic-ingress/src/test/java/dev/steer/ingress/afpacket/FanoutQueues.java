package dev.steer.ingress.afpacket;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.agrona.concurrent.UnsafeBuffer;

import dev.steer.engine.path.Feed;

/**
 * AF_PACKET queues that a test polls side by side, each into a {@link RecordingSink} of its own, counting each marked
 * frame taken by its sequence, so that a frame taken at two queues, or twice at one, shows as a count of 2.
 *
 * <p>A sender must leave a queue's ring room for what it sends: when frames come slower than the retire timeout, the
 * kernel closes a block per frame, and a ring of n blocks is full after n such frames that nobody took. Tests therefore
 * send at most {@code blockCount} frames and then {@link #awaitTaken} them before sending more, which holds however
 * the sender is scheduled (sending all first let a sender that lost the CPU fill the ring, and the kernel dropped the
 * rest as overruns).
 */
final class FanoutQueues {
    final List<AfPacketFeed> feeds = new ArrayList<>();
    final List<RecordingSink> sinks = new ArrayList<>();
    /** Times each marked frame (by sequence) was taken, over all queues. */
    final Map<Long, Integer> seen = new HashMap<>();

    FanoutQueues(List<? extends Feed> queues) {
        for (Feed queue : queues) {
            feeds.add((AfPacketFeed) queue);
            sinks.add(new RecordingSink());
        }
    }

    /** Polls every queue once; returns the packets taken. */
    int pollAll() {
        int taken = 0;
        for (int q = 0; q < feeds.size(); q++) {
            final RecordingSink sink = sinks.get(q);
            final int before = sink.frames.size();
            taken += feeds.get(q).poll(sink, 1024);
            for (byte[] bytes : sink.frames.subList(before, sink.frames.size())) {
                final UnsafeBuffer copy = new UnsafeBuffer(bytes);
                if (TestFrames.marked(copy, 0, bytes.length)) {
                    seen.merge(TestFrames.sequence(copy, 0), 1, Integer::sum);
                }
            }
        }
        return taken;
    }

    /** Polls until frames 0 to {@code sent - 1} were all taken, or {@code deadlineNs} passed; true if they were. */
    boolean awaitTaken(long sent, long deadlineNs) {
        while (!allTaken(sent)) {
            if (System.nanoTime() >= deadlineNs) {
                return false;
            }
            if (pollAll() == 0) {
                AfPacketFeedTest.pause();
            }
        }
        return true;
    }

    private boolean allTaken(long sent) {
        for (long sequence = sent - 1; sequence >= 0; sequence--) { // the newest is the likeliest missing
            if (!seen.containsKey(sequence)) {
                return false;
            }
        }
        return true;
    }

    /** Polls for a few more retire periods (2 ms each), so that a second copy of any frame would show. */
    void settle() {
        for (int i = 0; i < 10; i++) {
            AfPacketFeedTest.pause();
            AfPacketFeedTest.pause();
            pollAll();
        }
    }

    /** Marked frames taken, copies included. */
    long marked() {
        return seen.values().stream().mapToLong(Integer::longValue).sum();
    }

    /** The sequences taken more than once, with their counts; empty when each frame was taken once. */
    Map<Long, Integer> copies() {
        final Map<Long, Integer> copies = new HashMap<>();
        seen.forEach((sequence, count) -> {
            if (count != 1) {
                copies.put(sequence, count);
            }
        });
        return copies;
    }

    /** Asserts that no queue's sink dropped a frame and that each queue counted as taken what its sink holds. */
    void assertNoDrops(String accounting) {
        for (int q = 0; q < feeds.size(); q++) {
            assertEquals(Map.of(), sinks.get(q).drops, feeds.get(q).name() + " dropped nothing: " + accounting);
            assertEquals(sinks.get(q).frames.size(), feeds.get(q).packets(), accounting);
        }
    }

    /**
     * Where the frames went, for a failure message: for each queue what the kernel gave it (tp_packets), what it took
     * (marked ones among them) and what it dropped by reason.
     */
    String accounting() {
        final StringBuilder line = new StringBuilder();
        for (int q = 0; q < feeds.size(); q++) {
            final AfPacketFeed queue = feeds.get(q);
            line.append(q == 0 ? "" : "; ").append(queue.name()).append(" received ")
                .append(queue.statistics().packets()).append(", took ").append(queue.packets()).append(" (")
                .append(sinks.get(q).marked()).append(" marked), dropped ").append(sinks.get(q).drops);
        }
        return line.toString();
    }
}
