package dev.steer.engine.frame;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The process-wide ids of frame pools: taken at construction, freed by a close once every frame is back. */
@Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class FramePoolRegistryTest {
    private static FramePool pool(String id) {
        return new FramePool(new FramePool.Context().id(id).frameCount(2).frameSize(128).headroom(32).checked(true));
    }

    @Test
    void shouldStayOpenWhileAFrameIsOutAndCloseOnceEveryFrameIsBack() {
        final int before = FramePool.openPools();
        final FramePool pool = pool("closing");
        assertEquals(before + 1, FramePool.openPools());
        final Frame frame = pool.lease();
        assertFalse(pool.close(), "a frame is still out");
        assertEquals(before + 1, FramePool.openPools());
        assertSame(frame, FramePool.frame(frame.handle()), "the handle still names the frame");
        assertEquals(FramePool.OK, frame.release());
        assertTrue(pool.close());
        assertEquals(before, FramePool.openPools());
        assertTrue(pool.close(), "closing a closed pool is a no-op");
        assertEquals(before, FramePool.openPools());
    }

    @Test
    void shouldResolveAHandleToTheFrameOfItsPoolWhenSeveralPoolsAreOpen() {
        final FramePool a = pool("handles-a");
        final FramePool b = pool("handles-b");
        try {
            final Frame fromA = a.frameAt(1);
            final Frame fromB = b.frameAt(1);
            assertEquals(FramePool.handle(a.poolId(), 1), fromA.handle());
            assertEquals(FramePool.handle(b.poolId(), 1), fromB.handle());
            assertSame(fromA, FramePool.frame(fromA.handle()));
            assertSame(fromB, FramePool.frame(fromB.handle()));
        } finally {
            assertTrue(a.close());
            assertTrue(b.close());
        }
    }

    @Test
    void shouldRefuseAPoolBeyondMaxPoolsAndReuseTheIdOfAClosedPool() {
        final List<FramePool> opened = new ArrayList<>();
        try {
            IllegalStateException refused = null;
            while (refused == null && opened.size() <= FramePool.MAX_POOLS) {
                try {
                    opened.add(pool("full-" + opened.size()));
                } catch (IllegalStateException ex) {
                    refused = ex;
                }
            }
            assertNotNull(refused, "pool " + (FramePool.MAX_POOLS + 1) + " is refused");
            assertTrue(refused.getMessage().contains("more than " + FramePool.MAX_POOLS + " frame pools are open"),
                refused.getMessage());
            assertEquals(FramePool.MAX_POOLS, FramePool.openPools());
            final FramePool closed = opened.remove(opened.size() / 2);
            assertTrue(closed.close());
            assertEquals(FramePool.MAX_POOLS - 1, FramePool.openPools());
            final FramePool reopened = pool("full-again");
            opened.add(reopened);
            assertEquals(closed.poolId(), reopened.poolId(), "the lowest free id is taken");
            assertSame(reopened.frameAt(0), FramePool.frame(reopened.frameAt(0).handle()));
        } finally {
            for (FramePool pool : opened) {
                assertTrue(pool.close());
            }
        }
    }
}
