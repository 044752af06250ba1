package dev.steer.cluster;

/**
 * Which incarnation of the node at a {@link NodeLink}'s address (the uid of its unique address) the link's batches
 * name, learnt from the cluster's state the link starts from and then from the membership events of that address, and
 * when a change of incarnation gives up the entries the link serves. Only this bookkeeping: what giving up does,
 * {@link NodeLink} decides. No Pekko, so every order of events is tested directly. The link's actor thread only.
 */
final class LinkIncarnation {
    /**
     * The incarnation the entries served are placed on, as the link's view last named it; {@link
     * ForwardBatch#ANY_INCARNATION} only before any member at the address was named. A removed incarnation stays
     * named until another one is: a placement on the removed node that reaches the link after its removal must not
     * send "any" batches that a node started again at the address would take (counted {@code no_entry} there and
     * {@code forwarded} here). Named, they are refused there and counted {@code unreachable} here.
     */
    private long target = ForwardBatch.ANY_INCARNATION;
    /** The incarnation named was removed, and the entries served then were given up. */
    private boolean removed;

    /**
     * At the link's start: the cluster's state shows incarnation {@code uid} at the address (it may lag the events
     * that follow, which then name another one).
     */
    void shown(long uid) {
        target = uid;
        removed = false;
    }

    /**
     * The incarnation every batch names now: {@link ForwardBatch#ANY_INCARNATION} before one was named, the removed
     * one after its removal until another one is named.
     */
    long target() {
        return target;
    }

    /**
     * A membership event other than a removal named incarnation {@code uid} at the address.
     *
     * @return whether the entries served are to be given up: another incarnation stands for the removal of the one
     *         named before (that removal may come after the new one's first events), and after a removal the entries
     *         attached since were placed on the removed node (a placement on a node comes after its membership
     *         events: see {@link NodeLink}). The entries given up at the removal are given up already: the link
     *         counts each entry's frames once ({@code NodeLink.giveUp}).
     */
    boolean member(long uid) {
        if (uid == target) {
            return false;
        }
        final boolean giveUp = target != ForwardBatch.ANY_INCARNATION;
        target = uid;
        removed = false;
        return giveUp;
    }

    /**
     * Incarnation {@code uid} at the address was removed.
     *
     * @return whether the entries served are to be given up: true for the removal of the incarnation named (once), or
     *         of one at an address where none was named yet (the entries were placed on it); a late removal of an
     *         incarnation before the one named changes nothing
     */
    boolean removed(long uid) {
        if (target == ForwardBatch.ANY_INCARNATION || uid == target && !removed) {
            target = uid;
            removed = true;
            return true;
        }
        return false;
    }
}
