package dev.steer.cluster;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import org.slf4j.Logger;

/**
 * The node incarnations (Pekko's unique address uid) an {@link OwnedMap} knows of: the one at each member's address,
 * those seen go ({@link Retired}), and the addresses whose incarnation it has only from the cluster's state it started
 * from. A node restarted at a member's address is another incarnation: events of the old one (a late
 * {@code MemberRemoved}) must not drop the new one, and a {@code MemberUp} of the new one stands for the old one's
 * removal as well when that event was missed, and so does the cluster's state showing the new one up first. This
 * class only keeps that bookkeeping and answers questions about it; what a change of incarnation does to the members,
 * the entries and the rollouts, {@link OwnedMap} decides. The owner's actor thread only; off the hot path, allocation
 * per operation is fine.
 */
final class MemberIncarnations {
    /** The incarnations gone that an owner remembers: far more nodes than restart within its state's lag. */
    static final int MAX_RETIRED = 1024;

    /**
     * The incarnation of each member, where known: from the cluster's state when the member was first seen, or from
     * its last membership event.
     */
    private final Map<String, Long> byAddress = new HashMap<>();
    /**
     * Incarnations this owner, or one before it on this actor, saw go: the cluster's state, read apart from the
     * events, may still show one, and a node's incarnation never comes back.
     */
    private final Retired retired;
    /**
     * Members whose incarnation this owner has only from the cluster's state it started from, which may lag the
     * map it started from: no membership event has named an incarnation there since. The entries of the starting map
     * on such an address may be of that incarnation or of a later one the previous owner knew
     * (see {@link OwnedMap#memberUp}).
     */
    private final Set<String> startedFromState = new HashSet<>();
    /** The incarnation the cluster's state shows at an address now, null: none there. */
    private final Function<String, Long> incarnationOf;
    private final Logger log;

    /**
     * @param incarnationOf the uid of the member the cluster's state shows at an address now, null: none (or not
     *                      known)
     * @param retired       the incarnations seen go, kept by the owner's actor across the restarts of its behavior;
     *                      this class adds to it
     */
    MemberIncarnations(Function<String, Long> incarnationOf, Retired retired, Logger log) {
        this.incarnationOf = incarnationOf;
        this.retired = retired;
        this.log = log;
    }

    /**
     * At the owner's start: records the incarnation the cluster's state shows for each of {@code members}, each one
     * recorded so known from that state only (see {@link #fromStartStateOnly}).
     */
    void startFrom(Collection<String> members) {
        for (String member : members) {
            if (recordShown(member)) {
                startedFromState.add(member);
            }
        }
    }

    /**
     * Records the incarnation the cluster's state shows at {@code address} unless one is known already.
     *
     * @return whether it recorded one
     */
    boolean recordShown(String address) {
        if (!byAddress.containsKey(address)) {
            final Long uid = incarnationOf.apply(address);
            if (uid != null) {
                byAddress.put(address, uid);
                return true;
            }
        }
        return false;
    }

    /** The incarnation known at {@code address}, null: none. */
    Long at(String address) {
        return byAddress.get(address);
    }

    /** Whether the incarnation known at {@code address} is only the one the state the owner started from showed. */
    boolean fromStartStateOnly(String address) {
        return startedFromState.contains(address);
    }

    /**
     * Whether a {@code MemberUp} of {@code uid} at {@code address} is one of an incarnation seen go that the cluster's
     * state does not show there now: an event of it still on its way (see {@link OwnedMap#memberUp}).
     */
    boolean staleUp(String address, long uid) {
        return retired.contains(uid) && !Long.valueOf(uid).equals(incarnationOf.apply(address));
    }

    /**
     * The incarnation the cluster's state shows at {@code address} where it is another than the one known there and
     * not one seen go; else null (none shown, none known, the same, or one seen go).
     */
    Long shownAnother(String address) {
        final Long shown = incarnationOf.apply(address);
        final Long known = byAddress.get(address);
        return shown != null && known != null && !shown.equals(known) && !retired.contains(shown) ? shown : null;
    }

    /**
     * An event, or the cluster's state at an update or a republication, named incarnation {@code uid} at
     * {@code address}: it is the one there now.
     */
    void named(String address, long uid) {
        startedFromState.remove(address);
        byAddress.put(address, uid);
    }

    /**
     * Whether an event of incarnation {@code uid} at {@code address} is about the member known there (or about one
     * whose incarnation is not known): else it is logged and must change nothing.
     */
    boolean current(String address, long uid, String event) {
        final Long known = byAddress.get(address);
        if (known == null || known == uid) {
            return true;
        }
        log.info("map owner: {} of {} uid {}, another incarnation than uid {} here; ignored", event, address, uid,
            known);
        return false;
    }

    /** The incarnation at {@code address} is gone: retired, and none known there any more. */
    void gone(String address) {
        final Long gone = byAddress.remove(address);
        startedFromState.remove(address);
        if (gone != null) {
            retired.add(gone);
        }
    }

    /**
     * Node incarnations (uids) seen go, removed or replaced by another at their address, the latest
     * {@link #MAX_RETIRED}. The owner's actor keeps one across the restarts of its behavior (the membership events
     * of a failed start's subscription no longer come to the restarted owner: {@link MapOwner}). The owner's actor
     * thread only.
     */
    static final class Retired {
        private final Set<Long> uids = new LinkedHashSet<>();

        boolean contains(long uid) {
            return uids.contains(uid);
        }

        void add(long uid) {
            uids.add(uid);
            if (uids.size() > MAX_RETIRED) {
                uids.remove(uids.iterator().next());
            }
        }
    }
}
