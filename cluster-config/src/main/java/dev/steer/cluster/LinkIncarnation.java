package dev.steer.cluster;

/**
 * Which incarnation of the node at a {@link NodeLink}'s address (the uid of its unique address) the link's batches
 * name, learnt from the cluster's state the link starts from and then from the membership events of that address, and
 * when a change of incarnation gives up the entries the link serves. Only this bookkeeping: what giving up does,
 * {@link NodeLink} decides. No Pekko, so every order of events is tested directly. The link's actor thread only.
 */
final class LinkIncarnation {
    private long target = ForwardBatch.ANY_INCARNATION;

    /**
     * At the link's start: the cluster's state shows incarnation {@code uid} at the address (it may lag the events
     * that follow, which then name another one).
     */
    void shown(long uid) {
        target = uid;
    }

    /** The incarnation every batch names now: {@link ForwardBatch#ANY_INCARNATION} before one was named. */
    long target() {
        return target;
    }

    /**
     * A membership event other than a removal named incarnation {@code uid} at the address.
     *
     * @return whether the entries served are to be given up: another incarnation stands for the removal of the one
     *         named before (that removal may come after the new one's first events)
     */
    boolean member(long uid) {
        if (uid == target) {
            return false;
        }
        final boolean giveUp = target != ForwardBatch.ANY_INCARNATION;
        target = uid;
        return giveUp;
    }

    /**
     * Incarnation {@code uid} at the address was removed.
     *
     * @return whether the entries served are to be given up: a late removal of an incarnation before the one named
     *         changes nothing
     */
    boolean removed(long uid) {
        if (target == ForwardBatch.ANY_INCARNATION || uid == target) {
            target = ForwardBatch.ANY_INCARNATION;
            return true;
        }
        return false;
    }
}
