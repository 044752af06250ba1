package dev.steer.cluster;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where an {@link OwnedMap}'s members and the cluster's state it reads disagree about who left: members whose departure
 * the owner saw that the state may still show up, and members the state no longer shows that the owner saw no event
 * for, with since when. That state and the membership events reach the owner by different ways, and either may be
 * first. This class only keeps that bookkeeping; what a departure does to the members, the entries and the rollouts,
 * {@link OwnedMap} decides. The owner's actor thread only; off the hot path, allocation per operation is fine.
 */
final class Departures {
    /**
     * Members whose {@code MemberLeft}, {@code MemberExited} or {@code MemberRemoved} event came while the cluster's
     * state an update reads may still show them up: no up members, whatever that state shows. Each is dropped once
     * the state no longer shows it up, or at a {@code MemberUp} event for its address (a new node there).
     */
    private final Set<String> departed = new HashSet<>();
    /**
     * Members the cluster's state did not show present at the last republication, each with the time
     * ({@link System#nanoTime()}) of the first republication since which it has not. One still not found by a
     * republication at least {@link MapOwner#REPUBLISH} later is taken for removed ({@link OwnedMap#republish}): its
     * {@code MemberRemoved} may have been published before this owner subscribed, while the state it started from
     * still showed it.
     */
    private final Map<String, Long> absentSince = new HashMap<>();

    /** The leaving or removal event of the member at {@code address} came. */
    void departed(String address) {
        departed.add(address);
    }

    /** Whether the departure of the member at {@code address} came and the state may still show it up. */
    boolean hasDeparted(String address) {
        return departed.contains(address);
    }

    /** A node is up at {@code address}, told by an event or by the state: a new node there, if one left. */
    void up(String address) {
        departed.remove(address);
        absentSince.remove(address);
    }

    /** The member at {@code address} is no longer one: its absence is counted no more. */
    void notMember(String address) {
        absentSince.remove(address);
    }

    /**
     * The members of {@code upNow}, what the cluster's state shows up, that are up: less those whose departure came,
     * after forgetting the departures of members the state no longer shows up.
     */
    Set<String> upOf(Collection<String> upNow) {
        departed.retainAll(upNow);
        final Set<String> up = new HashSet<>(upNow);
        up.removeAll(departed);
        return up;
    }

    /** Forgets the departures of members not in {@code present}, every member neither down nor removed. */
    void retainPresent(Set<String> present) {
        departed.retainAll(present);
    }

    /**
     * Notes which of {@code members} the cluster's state does not show in {@code present} at the republication at
     * {@code now}, and which of them it has not shown since a republication at least {@link MapOwner#REPUBLISH}
     * before: those it returns, to be taken for removed.
     */
    List<String> absentTooLong(Set<String> members, Set<String> present, long now) {
        absentSince.keySet().retainAll(members);
        final List<String> gone = new ArrayList<>();
        for (String member : members) {
            if (present.contains(member)) {
                absentSince.remove(member);
                continue;
            }
            final Long since = absentSince.putIfAbsent(member, now);
            if (since != null && now - since >= MapOwner.REPUBLISH.toNanos()) {
                gone.add(member);
            }
        }
        return gone;
    }
}
