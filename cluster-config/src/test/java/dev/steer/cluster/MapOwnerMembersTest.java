package dev.steer.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.testkit.typed.javadsl.TestInbox;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.UniqueAddress;
import org.apache.pekko.util.Version;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

import dev.steer.engine.map.CpuMap;
import dev.steer.engine.map.MapResult;

/**
 * Which members a new map owner publishes to from its start, by their status in its node's cluster state, and what
 * the membership events it subscribes to do to its map.
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class MapOwnerMembersTest {
    /**
     * Where the owner's answers would go: this class drives its map directly, and reads the results returned. An
     * inbox's ref needs no actor system to start or stop.
     */
    private static final ActorRef<MapOwner.Reply> REPLY_TO = TestInbox.<MapOwner.Reply>create().getRef();

    private static final long INCARNATION = 1L << MapOwner.INCARNATION_SHIFT;

    private static Member member(int port, MemberStatus status) {
        return member(port, status, 1L);
    }

    /** The member at port {@code port} of the node incarnation {@code uid} (a node restarted there has another). */
    private static Member member(int port, MemberStatus status, long uid) {
        return new Member(new UniqueAddress(new Address("pekko", "steer", "127.0.0.1", port), uid), 1, status,
            scala.collection.immutable.Set$.MODULE$.<String>empty(), Version.Zero());
    }

    private static OwnedMap owner(SimulatedAgents agents, MapAgent.Publish start, List<String> up) {
        return owner(agents, start, up, address -> null);
    }

    /**
     * An owner of {@code start} over {@code up}, every one of them given that map, reading the incarnation the
     * cluster's state shows at an address from {@code state}.
     */
    private static OwnedMap owner(SimulatedAgents agents, MapAgent.Publish start, List<String> up,
                                  Function<String, Long> state) {
        for (String member : up) {
            agents.given(member, start.version(), start.entries());
        }
        final OwnedMap map = new OwnedMap(Nodes.MAX_ENTRIES, start, up, Set.copyOf(up), state, agents,
            Duration.ofSeconds(5), LoggerFactory.getLogger(MapOwnerMembersTest.class), new AtomicLong());
        agents.owner(map);
        agents.deliver();
        return map;
    }

    @Test
    void shouldPublishToUpLeavingAndExitingMembersWhenTheOwnerStarts() {
        final List<Member> members = List.of(member(1, MemberStatus.joining()), member(2, MemberStatus.weaklyUp()),
            member(3, MemberStatus.up()), member(4, MemberStatus.leaving()), member(5, MemberStatus.exiting()),
            member(6, MemberStatus.down()), member(7, MemberStatus.removed()));

        // The singleton moves when its node is exiting (Pekko's hand-over follows MemberExited, not MemberLeft): that
        // node still forwards by its map until it is removed, and must get the new owner's map and steps.
        assertEquals(List.of("pekko://steer@127.0.0.1:3", "pekko://steer@127.0.0.1:4", "pekko://steer@127.0.0.1:5"),
            MapOwner.publishedTo(members), "a leaving or exiting member stays among the members an owner publishes to"
                + " until it is removed, also for a new owner");
    }

    @Test
    void shouldRemoveAnExitingMembersEntriesWhenItsEventIsMemberExitedRatherThanMemberLeft() {
        // A member already exiting when the owner subscribes is replayed to it as MemberExited, not MemberLeft.
        final String a = "pekko://steer@127.0.0.1:1";
        final String x = "pekko://steer@127.0.0.1:5";
        final SimulatedAgents agents = new SimulatedAgents();
        final OwnedMap map = owner(agents, new MapAgent.Publish(INCARNATION + 1,
            Map.of(1, new Placement(64, x, 0), 2, new Placement(64, a, 0))), List.of(a, x));

        MapOwner.memberEvent(map, new ClusterEvent.MemberExited(member(5, MemberStatus.exiting())));
        agents.deliver();
        assertEquals(Map.of(2, new Placement(64, a, 0)), agents.applied(a).entries(), "x's entries are removed");
        assertEquals(MapResult.ENODEV, map.update(new MapOwner.Update(3, 64, x, 0, CpuMap.ANY, REPLY_TO), List.of(a, x)),
            "x is not placed on, also while the cluster's state still shows it up");
        final long version = map.version();
        MapOwner.memberEvent(map, new ClusterEvent.MemberLeft(member(5, MemberStatus.leaving())));
        assertEquals(version, map.version(), "a MemberLeft as well changes nothing more");
        assertEquals(true, MapOwner.MEMBER_EVENTS.contains(ClusterEvent.MemberExited.class), "subscribed to");
    }

    @Test
    void shouldKeepANewerIncarnationOfAnAddressWhenTheMemberRemovedOfAnOlderOneComesLate() {
        final String a = "pekko://steer@127.0.0.1:1";
        final String b = "pekko://steer@127.0.0.1:2";
        final String x = "pekko://steer@127.0.0.1:5";
        final SimulatedAgents agents = new SimulatedAgents();
        final OwnedMap map = owner(agents, new MapAgent.Publish(INCARNATION + 1, Map.of(1, new Placement(64, b, 0))),
            List.of(a, b));
        // x runs again at its address (incarnation 2) and is up; the removal of incarnation 1 reaches the owner late.
        MapOwner.memberEvent(map, new ClusterEvent.MemberUp(member(5, MemberStatus.up(), 2L)));
        agents.deliver();
        assertEquals(MapResult.OK, map.update(new MapOwner.Update(2, 64, x, 0, CpuMap.ANY, REPLY_TO), List.of(a, b, x)));
        agents.deliver();

        MapOwner.memberEvent(map, new ClusterEvent.MemberRemoved(member(5, MemberStatus.removed(), 1L),
            MemberStatus.down()));
        agents.deliver();

        for (String member : List.of(a, b, x)) {
            assertEquals(new Placement(64, x, 0), agents.applied(member).entries().get(2),
                member + ": the new x keeps its entry; the removal was of the old incarnation");
        }
        assertEquals(MapResult.OK, map.update(new MapOwner.Update(3, 64, x, 0, CpuMap.ANY, REPLY_TO), List.of(a, b, x)),
            "the new x is still a member that may be placed on");
        assertEquals(List.of(), agents.violations());
    }

    @Test
    void shouldTakeAMemberUpOfAnotherIncarnationAtAMembersAddressForANewMemberAtOnceWhenTheOldOnesRemovalWasMissed() {
        final String a = "pekko://steer@127.0.0.1:1";
        final String b = "pekko://steer@127.0.0.1:2";
        final String c = "pekko://steer@127.0.0.1:3";
        final String x = "pekko://steer@127.0.0.1:5";
        final SimulatedAgents agents = new SimulatedAgents();
        final OwnedMap map = owner(agents, new MapAgent.Publish(INCARNATION + 1,
            Map.of(1, new Placement(64, b, 0), 2, new Placement(64, x, 0))), List.of(a, b, c, x));
        MapOwner.memberEvent(map, new ClusterEvent.MemberUp(member(5, MemberStatus.up(), 1L)));
        agents.hold(a);
        // Key 1 moves from b to c: c applies it (step 1); a and x apply it (step 2), a's answer held.
        assertEquals(MapResult.OK, map.update(new MapOwner.Update(1, 64, c, 0, CpuMap.ANY, REPLY_TO), List.of(a, b, c, x)));
        agents.deliver();

        // x crashes and runs again at its address (incarnation 2, no map); the owner misses the old one's removal.
        agents.restart(x);
        MapOwner.memberEvent(map, new ClusterEvent.MemberUp(member(5, MemberStatus.up(), 2L)));
        agents.deliver();
        assertTrue(agents.applied(x) != null, "the new x gets a map at once, not at the next republication");
        agents.release(a);
        agents.deliver();

        assertEquals(List.of(), agents.violations());
        for (String member : List.of(a, b, c, x)) {
            assertEquals(c, agents.applied(member).entries().get(1).node(), member + " has the change");
            assertEquals(null, agents.applied(member).entries().get(2), member + ": the old x's entry goes, as at its"
                + " MemberRemoved");
        }
    }

    @Test
    void shouldKeepAnEntryPlacedOnANewIncarnationTheClusterStateShowedFirstWhenTheOldOnesMemberRemovedComesLate() {
        final String a = "pekko://steer@127.0.0.1:1";
        final String b = "pekko://steer@127.0.0.1:2";
        final String x = "pekko://steer@127.0.0.1:5";
        final SimulatedAgents agents = new SimulatedAgents();
        final MapAgent.Publish start = new MapAgent.Publish(INCARNATION + 1, Map.of(1, new Placement(64, x, 0)));
        // The cluster state, which the owner reads apart from its events (it may lead them).
        final Map<String, Long> state = new HashMap<>(Map.of(a, 1L, b, 1L, x, 1L));
        final OwnedMap map = owner(agents, start, List.of(a, b, x), state::get);
        // The subscription's replay: x's first incarnation is known from an event, not only from the starting state.
        for (int port : new int[] {1, 2, 5}) {
            MapOwner.memberEvent(map, new ClusterEvent.MemberUp(member(port, MemberStatus.up(), 1L)));
        }

        // x crashes and runs again at its address (incarnation 2, no map): the state shows it up before the owner's
        // events do, and an update places on it meanwhile.
        agents.restart(x);
        state.put(x, 2L);
        assertEquals(MapResult.OK, map.update(new MapOwner.Update(2, 64, x, 0, CpuMap.ANY, REPLY_TO), List.of(a, b, x)));
        agents.deliver();
        MapOwner.memberEvent(map, new ClusterEvent.MemberRemoved(member(5, MemberStatus.removed(), 1L),
            MemberStatus.down()));
        MapOwner.memberEvent(map, new ClusterEvent.MemberUp(member(5, MemberStatus.up(), 2L)));
        agents.deliver();

        assertEquals(List.of(), agents.violations());
        for (String member : List.of(a, b, x)) {
            assertEquals(new Placement(64, x, 0), agents.applied(member).entries().get(2),
                member + ": the entry placed on the new x stays; the late removal was of the old one");
            assertEquals(null, agents.applied(member).entries().get(1), member + ": the old x's entry goes");
        }
    }

    @Test
    void shouldNotTakeAnIncarnationWhoseRemovalTheOwnerSawForANewOneWhenTheClusterStateStillShowsIt() {
        final String a = "pekko://steer@127.0.0.1:1";
        final String b = "pekko://steer@127.0.0.1:2";
        final String x = "pekko://steer@127.0.0.1:5";
        final SimulatedAgents agents = new SimulatedAgents();
        final MapAgent.Publish start = new MapAgent.Publish(INCARNATION + 1, Map.of(1, new Placement(64, b, 0)));
        final Map<String, Long> state = new HashMap<>(Map.of(a, 1L, b, 1L, x, 1L));
        final OwnedMap map = owner(agents, start, List.of(a, b, x), state::get);

        // x runs again at its address; the owner's events tell it before the state, which still shows incarnation 1.
        agents.restart(x);
        MapOwner.memberEvent(map, new ClusterEvent.MemberRemoved(member(5, MemberStatus.removed(), 1L),
            MemberStatus.down()));
        MapOwner.memberEvent(map, new ClusterEvent.MemberUp(member(5, MemberStatus.up(), 2L)));
        agents.deliver();
        assertEquals(MapResult.OK, map.update(new MapOwner.Update(2, 64, x, 0, CpuMap.ANY, REPLY_TO), List.of(a, b, x)));
        agents.deliver();
        map.republish(Set.of(a, b, x), Set.of(a, b, x), System.nanoTime());
        agents.deliver();
        assertEquals(new Placement(64, x, 0), agents.applied(a).entries().get(2));

        // Incarnation 2 goes: the lagging state's incarnation 1 was the one seen removed, not taken for x's.
        MapOwner.memberEvent(map, new ClusterEvent.MemberRemoved(member(5, MemberStatus.removed(), 2L),
            MemberStatus.down()));
        agents.deliver();

        assertEquals(List.of(), agents.violations());
        for (String member : List.of(a, b)) {
            assertEquals(null, agents.applied(member).entries().get(2), member + ": x's entry goes with it");
        }
    }

    @Test
    void shouldKeepTheEntriesOfAMembersAddressWhenAMemberUpNamesAnotherUidThanTheClusterStateTheOwnerStartedFrom() {
        final String a = "pekko://steer@127.0.0.1:1";
        final String x = "pekko://steer@127.0.0.1:5";
        final SimulatedAgents agents = new SimulatedAgents();
        // The previous owner placed key 2 on x after x ran again at its address (incarnation 2); this node's cluster
        // state lags and still shows incarnation 1 when the new owner starts from this node's copy.
        final MapAgent.Publish start = new MapAgent.Publish(INCARNATION + 2,
            Map.of(1, new Placement(64, a, 0), 2, new Placement(64, x, 0)));
        final Map<String, Long> state = new HashMap<>(Map.of(a, 1L, x, 1L));
        final OwnedMap map = owner(agents, start, List.of(a, x), state::get);

        // The subscription's replay names the incarnation there now.
        MapOwner.memberEvent(map, new ClusterEvent.MemberUp(member(1, MemberStatus.up(), 1L)));
        MapOwner.memberEvent(map, new ClusterEvent.MemberUp(member(5, MemberStatus.up(), 2L)));
        agents.deliver();

        assertEquals(List.of(), agents.violations());
        for (String member : List.of(a, x)) {
            assertEquals(new Placement(64, x, 0), agents.applied(member).entries().get(2),
                member + ": whose entry key 2 is the owner cannot tell; it is kept, not dropped with a live node's");
        }
        assertEquals(MapResult.OK, map.update(new MapOwner.Update(3, 64, x, 0, CpuMap.ANY, REPLY_TO), List.of(a, x)),
            "x is a member that may be placed on");
    }

    @Test
    void shouldKeepTheEntriesOfAMembersAddressWhenTheClusterStateShowsAnotherUidThanTheOneTheOwnerStartedFromBeforeTheReplay() {
        final String a = "pekko://steer@127.0.0.1:1";
        final String x = "pekko://steer@127.0.0.1:5";
        final SimulatedAgents agents = new SimulatedAgents();
        // As above, the previous owner placed key 2 on x's second incarnation, and this node's state lagged at the
        // start; here it catches up before the subscription's replay comes, and an update reads it first.
        final MapAgent.Publish start = new MapAgent.Publish(INCARNATION + 2,
            Map.of(1, new Placement(64, a, 0), 2, new Placement(64, x, 0)));
        final Map<String, Long> state = new HashMap<>(Map.of(a, 1L, x, 1L));
        final OwnedMap map = owner(agents, start, List.of(a, x), state::get);
        state.put(x, 2L);
        assertEquals(MapResult.OK, map.update(new MapOwner.Update(3, 64, a, 0, CpuMap.ANY, REPLY_TO), List.of(a, x)));
        agents.deliver();
        MapOwner.memberEvent(map, new ClusterEvent.MemberUp(member(1, MemberStatus.up(), 1L)));
        MapOwner.memberEvent(map, new ClusterEvent.MemberUp(member(5, MemberStatus.up(), 2L)));
        agents.deliver();

        assertEquals(List.of(), agents.violations());
        for (String member : List.of(a, x)) {
            assertEquals(new Placement(64, x, 0), agents.applied(member).entries().get(2),
                member + ": whose entry key 2 is the owner cannot tell, whether the state or the replay shows the new x"
                    + " first; it is kept, not dropped with a live node's");
        }
        assertEquals(MapResult.OK, map.update(new MapOwner.Update(0, 64, x, 0, CpuMap.ANY, REPLY_TO), List.of(a, x)),
            "x is a member that may be placed on");
    }

    @Test
    void shouldIgnoreAStaleMemberUpOfAnIncarnationTheOwnerSawGoWhenItIsReplayedIntoTheRestartedOwner() {
        final String a = "pekko://steer@127.0.0.1:1";
        final String x = "pekko://steer@127.0.0.1:5";
        final SimulatedAgents agents = new SimulatedAgents();
        final MapAgent.Publish start = new MapAgent.Publish(INCARNATION + 1, Map.of(1, new Placement(64, a, 0)));
        for (String member : List.of(a, x)) {
            agents.given(member, start.version(), start.entries());
        }
        final Map<String, Long> state = new HashMap<>(Map.of(a, 1L, x, 1L));
        final MemberIncarnations.Retired retired = new MemberIncarnations.Retired(); // kept by the owner's actor across restarts
        final OwnedMap owner = new OwnedMap(Nodes.MAX_ENTRIES, start, List.of(a, x), Set.of(a, x), state::get,
            retired, agents, Duration.ofSeconds(5), LoggerFactory.getLogger(MapOwnerMembersTest.class),
            new AtomicLong());
        agents.owner(owner);
        agents.deliver();
        // x runs again at its address (incarnation 2); the state shows it before the owner's events, and an update
        // places key 2 on it: the owner sees incarnation 1 go. Its events about x are still on their way.
        agents.restart(x);
        state.put(x, 2L);
        assertEquals(MapResult.OK, owner.update(new MapOwner.Update(2, 64, x, 0, CpuMap.ANY, REPLY_TO), List.of(a, x)));
        agents.deliver();
        assertEquals(new Placement(64, x, 0), agents.applied(x).entries().get(2));

        // The owner fails and restarts, from this node's copy; the events in flight at its failure come to the
        // restarted owner, then its new subscription's replay.
        final OwnedMap restarted = new OwnedMap(Nodes.MAX_ENTRIES, agents.applied(a), List.of(a, x), Set.of(a, x),
            state::get, retired, agents, Duration.ofSeconds(5), LoggerFactory.getLogger(MapOwnerMembersTest.class),
            new AtomicLong());
        agents.owner(restarted);
        agents.deliver();
        MapOwner.memberEvent(restarted, new ClusterEvent.MemberUp(member(5, MemberStatus.up(), 1L)));
        MapOwner.memberEvent(restarted, new ClusterEvent.MemberRemoved(member(5, MemberStatus.removed(), 1L),
            MemberStatus.down()));
        MapOwner.memberEvent(restarted, new ClusterEvent.MemberUp(member(1, MemberStatus.up(), 1L)));
        MapOwner.memberEvent(restarted, new ClusterEvent.MemberUp(member(5, MemberStatus.up(), 2L)));
        agents.deliver();

        assertEquals(List.of(), agents.violations());
        for (String member : List.of(a, x)) {
            assertEquals(new Placement(64, x, 0), agents.applied(member).entries().get(2),
                member + ": the entry placed on the new x stays; incarnation 1 was seen gone before the restart");
        }
        assertEquals(MapResult.OK, restarted.update(new MapOwner.Update(3, 64, x, 0, CpuMap.ANY, REPLY_TO),
            List.of(a, x)), "x is a member that may be placed on");
    }

    @Test
    void shouldTakeAMemberUpOfAnIncarnationTakenForGoneWhenTheClusterStateShowsItThere() {
        final String a = "pekko://steer@127.0.0.1:1";
        final String x = "pekko://steer@127.0.0.1:5";
        final SimulatedAgents agents = new SimulatedAgents();
        final MapAgent.Publish start = new MapAgent.Publish(INCARNATION + 1, Map.of(1, new Placement(64, a, 0)));
        // A restarted owner whose state shows incarnation 2 at x, and to which events of incarnation 1 come that the
        // failed owner never handled: the uid of its starting state is taken for gone.
        final Map<String, Long> state = new HashMap<>(Map.of(a, 1L, x, 2L));
        final OwnedMap map = owner(agents, start, List.of(a, x), state::get);
        MapOwner.memberEvent(map, new ClusterEvent.MemberUp(member(5, MemberStatus.up(), 1L)));
        MapOwner.memberEvent(map, new ClusterEvent.MemberRemoved(member(5, MemberStatus.removed(), 1L),
            MemberStatus.down()));
        MapOwner.memberEvent(map, new ClusterEvent.MemberUp(member(5, MemberStatus.up(), 2L)));
        agents.deliver();

        assertEquals(MapResult.OK, map.update(new MapOwner.Update(2, 64, x, 0, CpuMap.ANY, REPLY_TO), List.of(a, x)),
            "x is a member again: the state shows incarnation 2 there, so it did not go");
        agents.deliver();
        assertEquals(new Placement(64, x, 0), agents.applied(x).entries().get(2));
        assertEquals(List.of(), agents.violations());
    }
}
