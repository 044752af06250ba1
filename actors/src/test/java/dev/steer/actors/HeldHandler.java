package dev.steer.actors;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.steer.engine.path.FrameBatch;
import dev.steer.engine.path.FrameHandler;

/**
 * A handler that holds every batch until the test releases it: an entry that cannot drain while it is held, as a
 * handler that hangs makes one.
 */
final class HeldHandler implements FrameHandler {
    private final CountDownLatch holding = new CountDownLatch(1);
    private final CountDownLatch gate = new CountDownLatch(1);

    @Override
    public void onFrames(FrameBatch batch) {
        holding.countDown();
        try {
            gate.await();
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits up to 10 s for the first batch to be held; true when it is. */
    boolean awaitHolding() throws InterruptedException {
        return holding.await(10, TimeUnit.SECONDS);
    }

    /** Lets the held batch and every later one through. */
    void release() {
        gate.countDown();
    }
}
