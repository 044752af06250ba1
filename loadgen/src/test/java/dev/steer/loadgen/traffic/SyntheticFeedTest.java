package dev.steer.loadgen.traffic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.agrona.DirectBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.steer.engine.path.Feed;
import dev.steer.engine.path.FrameSink;
import dev.steer.engine.stats.DropReason;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SyntheticFeedTest {
    /** Records (flow, sequence, timestamp) of every frame it takes; refuses the calls its policy names. */
    private static final class RecordingSink implements FrameSink {
        final List<long[]> taken = new ArrayList<>();
        int calls;
        int refuseEvery;

        @Override
        public int onFrame(DirectBuffer buffer, int offset, int length, long timestampNs) {
            calls++;
            if (refuseEvery > 0 && calls % refuseEvery == 0) {
                return BACK_PRESSURED;
            }
            final int marker = offset + 42;
            taken.add(new long[] {buffer.getInt(marker, ByteOrder.BIG_ENDIAN),
                buffer.getLong(marker + 4, ByteOrder.BIG_ENDIAN), timestampNs, length});
            return ACCEPTED;
        }

        @Override
        public void onDropped(DropReason reason, int count) {
            throw new AssertionError("a synthetic feed drops nothing");
        }

        @Override
        public void onFeedError(Throwable error) {
            throw new AssertionError("a synthetic feed reports no error", error);
        }
    }

    private static SyntheticFeed feed(long limit, Pacer pacer, long[] clock) {
        return new SyntheticFeed("synthetic", new TrafficGenerator(TrafficProfile.defaults().withFlows(7)), pacer,
            limit, () -> clock[0]);
    }

    @Test
    void shouldHandOverNothingWhileHeldAndEverythingOnceReleased() {
        final long[] clock = {0};
        final RecordingSink sink = new RecordingSink();
        final SyntheticFeed feed = feed(40, null, clock).hold();
        for (int i = 0; i < 5; i++) {
            assertEquals(0, feed.poll(sink, 16), "held: not even END");
        }
        assertEquals(0, sink.calls);
        feed.release();
        int polls = 0;
        while (feed.poll(sink, 16) != Feed.END) {
            polls++;
        }
        assertEquals(40, sink.taken.size());
        assertEquals(3, polls);
        assertEquals(40, feed.sent());
    }

    @Test
    void shouldReofferTheSameFrameWhenTheSinkBackPressures() {
        final long[] clock = {0};
        final RecordingSink smooth = new RecordingSink();
        final SyntheticFeed reference = feed(500, null, clock);
        while (reference.poll(smooth, 16) != Feed.END) {
            clock[0]++;
        }
        final RecordingSink refusing = new RecordingSink();
        refusing.refuseEvery = 5;
        final SyntheticFeed feed = feed(500, null, clock);
        int polls = 0;
        while (feed.poll(refusing, 16) != Feed.END) {
            polls++;
        }
        assertEquals(500, refusing.taken.size());
        assertEquals(500, feed.sent());
        assertTrue(polls > 500 / 16 + 1, "back-pressure cut polls short");
        for (int i = 0; i < 500; i++) {
            assertEquals(smooth.taken.get(i)[0], refusing.taken.get(i)[0], "flow of frame " + i);
            assertEquals(smooth.taken.get(i)[1], refusing.taken.get(i)[1], "sequence of frame " + i);
        }
    }

    @Test
    void shouldCountExactlyTheBytesOfTheFramesTakenWhenSizesMixAndTheSinkBackPressures() {
        final long[] clock = {0};
        final RecordingSink sink = new RecordingSink();
        sink.refuseEvery = 7; // a refused frame is offered again: its bytes count once, when it is taken
        final SyntheticFeed feed = new SyntheticFeed("synthetic", new TrafficGenerator(TrafficProfile.defaults()
            .withFlows(7).withSizes(FrameSizes.weighted(64, 1, 594, 1, 1518, 1))), null, 300, () -> clock[0]);
        assertEquals(0, feed.bytes(), "nothing taken yet");
        while (feed.poll(sink, 16) != Feed.END) {
            clock[0]++;
        }
        long lengths = 0;
        final java.util.Set<Long> sizes = new java.util.TreeSet<>();
        for (long[] frame : sink.taken) {
            lengths += frame[3];
            sizes.add(frame[3]);
        }
        assertEquals(java.util.Set.of(60L, 590L, 1514L), sizes, "wire sizes without the 4-byte FCS");
        assertEquals(300, sink.taken.size());
        assertEquals(lengths, feed.bytes(), "the sum of the lengths the sink took, each frame once");
    }

    @Test
    void shouldEndAtItsLimitWhenBounded() {
        final long[] clock = {0};
        final RecordingSink sink = new RecordingSink();
        final SyntheticFeed feed = feed(100, null, clock);
        assertEquals(64, feed.poll(sink, 64));
        assertEquals(36, feed.poll(sink, 64), "only what is left of the limit");
        assertEquals(100, sink.taken.size());
        assertEquals(Feed.END, feed.poll(sink, 64));
        assertEquals(Feed.END, feed(0, null, clock).poll(sink, 64), "a zero limit ends at once");
    }

    @Test
    void shouldStampAPollsFramesWithOneClockReadingWhenPolled() {
        final long[] clock = {1234};
        final RecordingSink sink = new RecordingSink();
        final SyntheticFeed feed = feed(SyntheticFeed.UNLIMITED, null, clock);
        assertEquals(32, feed.poll(sink, 32));
        clock[0] = 5678;
        assertEquals(32, feed.poll(sink, 32));
        for (int i = 0; i < 64; i++) {
            assertEquals(i < 32 ? 1234 : 5678, sink.taken.get(i)[2]);
        }
    }

    @Test
    void shouldReturnZeroWhenThePacerSaysWait() {
        final long[] clock = {0};
        final RecordingSink sink = new RecordingSink();
        final SyntheticFeed feed = feed(SyntheticFeed.UNLIMITED, new Pacer(1000, 4), clock);
        assertEquals(4, feed.poll(sink, 64), "the starting burst");
        assertEquals(0, feed.poll(sink, 64), "then wait");
        clock[0] = 3_000_000;
        assertEquals(3, feed.poll(sink, 64), "3 ms at 1000/s");
        sink.refuseEvery = 1;
        clock[0] = 5_000_000;
        assertEquals(0, feed.poll(sink, 64), "refused: nothing taken, permits returned");
        sink.refuseEvery = 0;
        assertEquals(2, feed.poll(sink, 64), "the returned permits are still there");
    }

    @Test
    void shouldFitTheScratchBufferToTheLongestFrameWhenBuilt() {
        final SyntheticFeed feed = new SyntheticFeed("imix", TrafficProfile.defaults().withSizes(FrameSizes.imix()), 1000);
        final RecordingSink sink = new RecordingSink();
        while (feed.poll(sink, 64) != Feed.END) {
            // drain
        }
        assertEquals(1000, sink.taken.size());
        assertEquals(1514, sink.taken.stream().mapToLong(t -> t[3]).max().orElse(0));
        assertEquals(1514, feed.generator().maxFrameLength());
    }
}
