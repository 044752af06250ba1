package dev.steer.cluster;

import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * Which map publications a node applies. Only the {@link MapOwner}'s: the owner is a cluster singleton, which runs on
 * the oldest member that has been up and is not yet exiting, so the node asks its own cluster view which member that
 * is ({@link #owner(Cluster)}) and refuses a publication sent by any other, whatever version it claims. Of the
 * owner's publications, the node ignores those at or below its own version of the same owner incarnation (the owner
 * republishes its stable map while a change rolls out; the nodes that have the change keep it). It applies the
 * owner's publication whatever its version when the owner is another member than the one whose map it applied last
 * (the singleton moved), or when its incarnation differs from the copy's: one owner keeps one incarnation
 * ({@link MapOwner#firstVersion}), so a copy of another incarnation from the same member is not that owner's map,
 * and holding on to it would freeze the node's map for as long as the owner stays.
 *
 * <p>Every version a sender claims used to be believed: one publication near {@code Long.MAX_VALUE} from any member
 * made a node ignore the real owner's for good. Off the hot path.
 */
final class OwnerCheck {
    /** What the agent does with a publication. */
    enum Verdict {
        /** From the owner and newer than the node's copy, or the first of this owner or of this incarnation. */
        APPLY,
        /** From the owner, of the copy's incarnation, at or below the copy's version. */
        NOT_NEWER,
        /** Not from the member this node's view names as the owner. */
        REFUSE
    }

    private OwnerCheck() {
    }

    /**
     * The verdict on a publication at {@code version} sent by {@code sender} when this node's view names {@code owner}
     * (null: none yet) and its copy is {@code last} (null: none), whose {@link MapAgent.Publish#sender()} is the member
     * it came from.
     */
    static Verdict verdict(String sender, long version, String owner, MapAgent.Publish last) {
        if (owner == null || !owner.equals(sender)) {
            return Verdict.REFUSE;
        }
        if (last == null || !sender.equals(last.sender())
            || MapOwner.incarnation(version) != MapOwner.incarnation(last.version())) {
            return Verdict.APPLY;
        }
        return version > last.version() ? Verdict.APPLY : Verdict.NOT_NEWER;
    }

    /**
     * The address of the member on which this node's view has the owner singleton: the oldest member that has been
     * up and is not exiting (up, leaving, or downed and not yet removed), as Pekko's singleton manager chooses it (it
     * drops a member at {@code MemberExited}, when the singleton hands over, and adds one at {@code MemberUp}); null
     * before the view has such a member. The singleton has no role and the cluster one data center, so every member
     * counts. Any thread; allocation: one iterator over the members.
     */
    static String owner(Cluster cluster) {
        Member oldest = null;
        for (Member member : cluster.state().getMembers()) {
            final MemberStatus status = member.status();
            if (status == MemberStatus.joining() || status == MemberStatus.weaklyUp()
                || status == MemberStatus.exiting() || status == MemberStatus.removed()) {
                continue;
            }
            if (oldest == null || member.isOlderThan(oldest)) {
                oldest = member;
            }
        }
        return oldest == null ? null : oldest.address().toString();
    }
}
