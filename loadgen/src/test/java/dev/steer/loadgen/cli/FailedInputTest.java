package dev.steer.loadgen.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.concurrent.TimeUnit;

import org.agrona.DirectBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.steer.engine.path.Feed;
import dev.steer.engine.path.FrameSink;
import dev.steer.engine.path.TemplateFeed;
import dev.steer.engine.stats.DropReason;
import dev.steer.loadgen.traffic.PacketTemplates;

/** How a run decides that its input failed: through {@link Feed#endReason()}, whatever the feed's class. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class FailedInputTest {
    /** A feed of no built-in type whose source went away under it. */
    private static final class VanishedFeed implements Feed {
        @Override
        public int poll(FrameSink sink, int budget) {
            return END;
        }

        @Override
        public String name() {
            return "vanished-0";
        }

        @Override
        public String endReason() {
            return "its source went away";
        }
    }

    @Test
    void shouldFailTheRunWhenAnyFeedSaysWhyItEnded() {
        final TemplateFeed whole = new TemplateFeed("t", PacketTemplates.udp4(64, 60), 1);
        assertEquals("the feed vanished-0 ended: its source went away",
            RunJob.failedInput(new RunTraffic(), List.of(whole, new VanishedFeed())));
    }

    @Test
    void shouldNotFailTheRunWhenAFeedEndedAsItShould() {
        final TemplateFeed whole = new TemplateFeed("t", PacketTemplates.udp4(64, 60), 0);
        assertEquals(Feed.END, whole.poll(new FrameSink() {
            @Override
            public int onFrame(DirectBuffer buffer, int offset, int length, long timestampNs) {
                return FrameSink.ACCEPTED;
            }

            @Override
            public void onDropped(DropReason reason, int count) {
            }

            @Override
            public void onFeedError(Throwable error) {
                throw new AssertionError("a template feed reports no error", error);
            }
        }, 8));
        assertNull(RunJob.failedInput(new RunTraffic(), List.of(whole)), "a bounded feed at its end is no failure");
    }
}
