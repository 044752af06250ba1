package dev.steer.engine.frame;

/** Test helper: the handles of frames, for the APIs that carry handles. */
public final class TestFrames {
    private TestFrames() {
    }

    /** The handles of {@code frames}, in order. */
    public static int[] handles(Frame... frames) {
        final int[] handles = new int[frames.length];
        for (int i = 0; i < frames.length; i++) {
            handles[i] = frames[i].handle();
        }
        return handles;
    }
}
