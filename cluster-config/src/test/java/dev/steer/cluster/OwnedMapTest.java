package dev.steer.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.pekko.actor.testkit.typed.javadsl.TestInbox;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

import dev.steer.engine.map.CpuMap;
import dev.steer.engine.map.MapResult;

/**
 * The map owner's rules driven directly, against simulated agents ({@link SimulatedAgents}) that check the order of
 * the rollout at every send: the cases that need a message to arrive in a window a real cluster does not let a test
 * choose.
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class OwnedMapTest {
    /**
     * Where the owner's answers would go: this class drives its map directly, and reads the results returned. An
     * inbox's ref needs no actor system to start or stop.
     */
    private static final ActorRef<MapOwner.Reply> REPLY_TO = TestInbox.<MapOwner.Reply>create().getRef();

    private static final String A = "pekko://steer@127.0.0.1:1";
    private static final String B = "pekko://steer@127.0.0.1:2";
    private static final String C = "pekko://steer@127.0.0.1:3";
    private static final String D = "pekko://steer@127.0.0.1:4";
    private static final String X = "pekko://steer@127.0.0.1:5";
    private static final Duration STEP = Duration.ofSeconds(5);
    private static final long INCARNATION = 1L << MapOwner.INCARNATION_SHIFT;

    /** The time of the test's republications: {@link #later()} moves it on by a republication interval. */
    private long now;

    private long later() {
        now += MapOwner.REPUBLISH.toNanos();
        return now;
    }

    private static OwnedMap owner(SimulatedAgents agents, MapAgent.Publish start, List<String> up) {
        final OwnedMap map = new OwnedMap(Nodes.MAX_ENTRIES, start, up, Set.copyOf(up), address -> null, agents, STEP,
            LoggerFactory.getLogger(OwnedMapTest.class), new AtomicLong());
        agents.owner(map);
        agents.deliver();
        return map;
    }

    /** An owner over a, b and c that all have its first map, key 1 on b, applied. */
    private static OwnedMap ownerOfABAndCWithKeyOneOnB(SimulatedAgents agents) {
        final MapAgent.Publish start = new MapAgent.Publish(INCARNATION + 1, Map.of(1, new Placement(64, B, 0)));
        for (String member : List.of(A, B, C)) {
            agents.given(member, start.version(), start.entries());
        }
        return owner(agents, start, List.of(A, B, C));
    }

    private static MapOwner.Update place(int key, int qsize, String node) {
        return new MapOwner.Update(key, qsize, node, 0, CpuMap.ANY, REPLY_TO);
    }

    @Test
    void shouldSendTheStepUnderWayToAMemberWhenAnUpdateSeesItUpBeforeItsMemberUpEvent() {
        final SimulatedAgents agents = new SimulatedAgents();
        final OwnedMap map = ownerOfABAndCWithKeyOneOnB(agents);
        agents.hold(A);
        // Key 1 moves from b to c: c applies it (step 1), then a waits to answer (step 2).
        assertEquals(MapResult.OK, map.update(place(1, 64, C), List.of(A, B, C)));
        agents.deliver();
        assertEquals(C, agents.applied(A).entries().get(1).node(), "a has the change, its answer held");

        // x is up in the cluster's state: an update sees it before the owner's MemberUp event for it arrives.
        assertEquals(MapResult.OK, map.update(place(2, 64, A), List.of(A, B, C, X)));
        // The periodic republication in that window: x has the stable map.
        map.republish(Set.of(A, B, C, X), Set.of(A, B, C, X), later());
        agents.deliver();
        map.memberUp(X, 1L); // the event, late
        agents.deliver();
        agents.release(A);
        agents.deliver();

        assertEquals(List.of(), agents.violations());
        assertEquals(C, agents.applied(X).entries().get(1).node());
        assertEquals(C, agents.applied(B).entries().get(1).node());
    }

    @Test
    void shouldRefuseAChangeEbusyAndKeepTheRolloutOrderWhenMoreChangesArriveThanMayWait() {
        final SimulatedAgents agents = new SimulatedAgents();
        final OwnedMap map = ownerOfABAndCWithKeyOneOnB(agents);
        final List<String> members = List.of(A, B, C);
        agents.hold(A);
        assertEquals(MapResult.OK, map.update(place(3, 64, A), members)); // rolling out: a holds its answer
        agents.deliver();
        final List<MapResult> results = new ArrayList<>();
        results.add(map.update(place(1, 64, C), members)); // b gives key 1 up ...
        results.add(map.update(place(2, 64, B), members)); // ... and gets key 2
        for (int i = 0; i < MapOwner.MAX_QUEUED - 2; i++) {
            results.add(map.update(place(3, i % 2 == 0 ? 128 : 64, A), members));
        }
        assertEquals(MapOwner.MAX_QUEUED, results.stream().filter(r -> r == MapResult.OK).count());
        final MapResult refused = map.update(place(0, 64, C), members); // one more than may wait
        agents.release(A);
        agents.deliver();

        assertEquals(List.of(), agents.violations());
        assertEquals(MapResult.EBUSY, refused);
        assertEquals(1, map.refusedBusy());
        final Map<Integer, Placement> expected = Map.of(1, new Placement(64, C, 0), 2, new Placement(64, B, 0),
            3, new Placement(64, A, 0));
        for (String member : members) {
            assertEquals(expected, agents.applied(member).entries(), member);
        }
        // Free again once the changes went out.
        assertEquals(MapResult.OK, map.update(place(0, 64, C), members));
    }

    @Test
    void shouldGiveANewOwnerAnIncarnationNoMemberHasWhenAMemberHoldsAnEarlierOwnersVersionThisNodeMissed() {
        final SimulatedAgents agents = new SimulatedAgents();
        // c's copy is of owner 1; d applied owner 2's map (owner 2 published to d and went before c saw any of it).
        final MapAgent.Publish copy = new MapAgent.Publish(INCARNATION + 3, Map.of(1, new Placement(64, C, 0)));
        agents.given(C, copy.version(), copy.entries());
        agents.given(D, 2 * INCARNATION + 1, Map.of(1, new Placement(64, C, 0), 2, new Placement(64, D, 0)));
        final OwnedMap map = owner(agents, copy, List.of(C, D));

        assertEquals(MapResult.OK, map.update(place(3, 64, D), List.of(C, D)));
        agents.deliver();

        assertEquals(D, agents.applied(D).entries().get(3) == null ? null : agents.applied(D).entries().get(3).node(),
            "d applied the new owner's change: d is at " + agents.applied(D).version() + ", the owner at "
                + map.version());
        for (SimulatedAgents.Sent sent : agents.sent()) {
            assertTrue(sent.version() == SimulatedAgents.PROBE || sent.version() >>> MapOwner.INCARNATION_SHIFT > 2,
                "published at incarnation " + (sent.version() >>> MapOwner.INCARNATION_SHIFT) + ", which owner 2 had: "
                    + sent);
        }
        assertEquals(agents.applied(C).entries(), agents.applied(D).entries(), "one map on both");
    }

    @Test
    void shouldStartAtAPositiveVersionWhenAMemberOrItsOwnCopyHoldsAVersionOfTheLastIncarnation() {
        final SimulatedAgents agents = new SimulatedAgents();
        // c's copy and d's map are at versions no owner gives out (a forged or damaged publication applied).
        final MapAgent.Publish copy = new MapAgent.Publish(Long.MAX_VALUE, Map.of(1, new Placement(64, C, 0)));
        agents.given(C, copy.version(), copy.entries());
        agents.given(D, MapOwner.LAST_INCARNATION << MapOwner.INCARNATION_SHIFT, Map.of(2, new Placement(64, D, 0)));
        final OwnedMap map = owner(agents, copy, List.of(C, D));
        assertEquals(MapResult.OK, map.update(place(3, 64, D), List.of(C, D)));
        agents.deliver();

        assertEquals(INCARNATION, map.version() & -INCARNATION, "incarnation 1: the two versions were not counted");
        for (SimulatedAgents.Sent sent : agents.sent()) {
            assertTrue(sent.version() == SimulatedAgents.PROBE || sent.version() > 0, "published at " + sent);
        }
    }

    @Test
    void shouldNotTakeAProbeAnswerForAStepWhenTheMemberHasNotDrainedWhatItReplaced() {
        final SimulatedAgents agents = new SimulatedAgents();
        final OwnedMap map = ownerOfABAndCWithKeyOneOnB(agents);
        agents.hold(A); // a applies what it gets, but its old forwarding entry of key 1 drains into b for a while
        // Key 1 moves from b to c: c applies it (step 1); a applies it and drains (step 2); b gives it up last.
        assertEquals(MapResult.OK, map.update(place(1, 64, C), List.of(A, B, C)));
        agents.deliver();
        assertEquals(C, agents.applied(A).entries().get(1).node(), "a has the change, not yet drained");

        // The periodic republication asks every member its version.
        map.republish(Set.of(A, B, C), Set.of(A, B, C), later());
        agents.deliver();
        assertEquals(List.of(), agents.violations(), "a's answer to the probe is not its answer to the step");
        assertEquals(B, agents.applied(B).entries().get(1).node(), "b keeps key 1 while a drains into it");

        agents.release(A);
        agents.deliver();
        assertEquals(List.of(), agents.violations());
        for (String member : List.of(A, B, C)) {
            assertEquals(C, agents.applied(member).entries().get(1).node(), member);
        }
    }

    @Test
    void shouldNotWaitForARemovedMemberWhenTheClusterStateStillShowsItUpAtAnUpdate() {
        final SimulatedAgents agents = new SimulatedAgents();
        final MapAgent.Publish start = new MapAgent.Publish(INCARNATION + 1, Map.of(1, new Placement(64, B, 0)));
        for (String member : List.of(A, B, C, X)) {
            agents.given(member, start.version(), start.entries());
        }
        final OwnedMap map = owner(agents, start, List.of(A, B, C, X));
        map.memberRemoved(X);
        agents.hold(X); // gone: it answers nothing any more
        final int sentBefore = agents.sent().size();

        // The owner's cluster state lags its MemberRemoved event: an update still sees x up.
        assertEquals(MapResult.ENODEV, map.update(place(2, 64, X), List.of(A, B, C, X)), "x is no member");
        assertEquals(MapResult.OK, map.update(place(2, 64, A), List.of(A, B, C, X)));
        assertEquals(MapResult.OK, map.update(place(3, 64, B), List.of(A, B, C)));
        agents.deliver();

        for (String member : List.of(A, B, C)) {
            assertEquals(B, agents.applied(member).entries().get(3) == null ? null
                : agents.applied(member).entries().get(3).node(), member + " has the second change: the first one"
                + " did not wait for x");
        }
        for (SimulatedAgents.Sent sent : agents.sent().subList(sentBefore, agents.sent().size())) {
            assertTrue(!X.equals(sent.member()), "nothing sent to the removed x: " + sent);
        }
        // x comes back (a new incarnation at the same address): its MemberUp event makes it a member again.
        agents.release(X);
        map.memberUp(X, 2L);
        agents.deliver();
        assertEquals(agents.applied(A).entries(), agents.applied(X).entries());
        assertEquals(MapResult.OK, map.update(place(0, 64, X), List.of(A, B, C, X)));
    }

    @Test
    void shouldHoldUpdatesForAtMostTheProbeTimeoutWhenTheDrainTimeoutIsLongAndAMemberDoesNotAnswer() {
        final SimulatedAgents agents = new SimulatedAgents();
        final Duration longStep = Duration.ofSeconds(32); // drain-timeout 30s
        final OwnedMap map = new OwnedMap(Nodes.MAX_ENTRIES, null, List.of(C, D), Set.of(C, D), address -> null,
            agents, longStep, LoggerFactory.getLogger(OwnedMapTest.class), new AtomicLong());
        agents.owner(map); // the probes stay on their way: no member has answered
        assertTrue(map.starting(), "waits for the members' versions");
        assertEquals(MapOwner.PROBE_TIMEOUT, agents.probeTimer(),
            "an update held meanwhile is answered within the caller's ask, whatever the drain timeout");
        assertTrue(MapOwner.PROBE_TIMEOUT.compareTo(ClusterNode.ASK_TIMEOUT) < 0);
        map.probeTimeout();
        assertEquals(false, map.starting(), "began with the answers there were");
    }

    @Test
    void shouldSendTheStepUnderWayToANewIncarnationOfAMemberWhenTheOldOneWasSentTheChangeBeforeItWasRemoved() {
        final SimulatedAgents agents = new SimulatedAgents();
        final MapAgent.Publish start = new MapAgent.Publish(INCARNATION + 1, Map.of(1, new Placement(64, B, 0)));
        for (String member : List.of(A, B, C, X)) {
            agents.given(member, start.version(), start.entries());
        }
        final OwnedMap map = owner(agents, start, List.of(A, B, C, X));
        agents.hold(A);
        // Key 1 moves from b to c: c applies it (step 1); a and x apply it and drain (step 2, a's answer held).
        assertEquals(MapResult.OK, map.update(place(1, 64, C), List.of(A, B, C, X)));
        agents.deliver();
        assertEquals(C, agents.applied(X).entries().get(1).node(), "x has the change");

        // x crashes, is removed, and runs again at the same address before the rollout ends: the new x has the
        // stable map (key 1 on b), so it forwards to b, which must not give the key up before x has the change.
        map.memberRemoved(X);
        agents.restart(X);
        map.memberUp(X, 2L);
        agents.deliver();
        agents.release(A);
        agents.deliver();

        assertEquals(List.of(), agents.violations());
        for (String member : List.of(A, B, C, X)) {
            assertEquals(C, agents.applied(member).entries().get(1).node(), member);
        }
    }

    @Test
    void shouldRefuseAPlacementEnodevOnAMemberThatLeftWhenTheClusterStateStillShowsItUpAtAnUpdate() {
        final SimulatedAgents agents = new SimulatedAgents();
        final MapAgent.Publish start = new MapAgent.Publish(INCARNATION + 1, Map.of(1, new Placement(64, X, 0)));
        for (String member : List.of(A, B, X)) {
            agents.given(member, start.version(), start.entries());
        }
        final OwnedMap map = owner(agents, start, List.of(A, B, X));
        map.memberLeft(X, 1L); // its entries go: the others drain their forwarding entries into it while it leaves
        agents.deliver();
        assertEquals(null, agents.applied(A).entries().get(1), "x's entry is gone");

        // The owner's cluster state lags its MemberLeft event: an update still sees x up.
        assertEquals(MapResult.ENODEV, map.update(place(1, 64, X), List.of(A, B, X)), "x is leaving, not up");
        agents.deliver();
        for (String member : List.of(A, B, X)) {
            assertEquals(null, agents.applied(member).entries().get(1), member + " forwards nothing to the leaving x");
        }
        // x comes back (a new incarnation at the same address): its MemberUp event makes it an up member again.
        map.memberRemoved(X);
        map.memberUp(X, 2L);
        assertEquals(MapResult.OK, map.update(place(1, 64, X), List.of(A, B, X)));
    }

    @Test
    void shouldTakeTheMembersAnswersForItsStepsWhenTheOwnerIsAtTheLastIncarnation() {
        final SimulatedAgents agents = new SimulatedAgents();
        // d holds a version of the incarnation before the last (damaged, or that many owner moves): the new owner
        // takes the last one.
        final long beforeLast = (MapOwner.LAST_INCARNATION - 1) << MapOwner.INCARNATION_SHIFT;
        final MapAgent.Publish copy = new MapAgent.Publish(INCARNATION + 1, Map.of(1, new Placement(64, C, 0)));
        agents.given(C, copy.version(), copy.entries());
        agents.given(D, beforeLast + 5, copy.entries());
        final OwnedMap map = owner(agents, copy, List.of(C, D));
        assertEquals(MapOwner.LAST_INCARNATION, MapOwner.incarnation(map.version()));

        // Key 1 moves from c to d: d applies it and answers (step 1); c gives it up last.
        assertEquals(MapResult.OK, map.update(place(1, 64, D), List.of(C, D)));
        agents.deliver();

        assertEquals(List.of(), agents.violations());
        assertEquals(D, agents.applied(C).entries().get(1).node(), "d's answer ended the step, without its timeout");
        assertTrue(map.version() > 0, "version " + map.version());
    }

    @Test
    void shouldWaitForAnExitingMemberThatStopsAnsweringOnlyUntilItIsRemovedWhenANewOwnerStartsWithIt() {
        // A new owner usually starts while the previous owner's node x is exiting: x is published to until it is
        // removed, and its MemberRemoved, not a timeout, ends every wait for it once x stops answering.
        final SimulatedAgents agents = new SimulatedAgents();
        final MapAgent.Publish start = new MapAgent.Publish(INCARNATION + 1, Map.of(1, new Placement(64, B, 0)));
        for (String member : List.of(A, B, C, X)) {
            agents.given(member, start.version(), start.entries());
        }
        agents.stop(X); // shut down before it answered the new owner's probe
        final OwnedMap starting = owner(agents, start, List.of(A, B, C, X));
        assertTrue(starting.starting(), "waits for x's version");
        starting.memberRemoved(X);
        assertEquals(false, starting.starting(), "x's removal ended the wait, not the probe timeout");

        final SimulatedAgents others = new SimulatedAgents();
        for (String member : List.of(A, B, C, X)) {
            others.given(member, start.version(), start.entries());
        }
        final OwnedMap map = owner(others, start, List.of(A, B, C, X));
        assertEquals(false, map.starting(), "x answered the probe: it still runs");
        others.stop(X);
        // Key 1 moves from b to c: c applies it (step 1); a, and x that forwards to b, apply it (step 2): x answers
        // nothing any more; b gives the key up last.
        assertEquals(MapResult.OK, map.update(place(1, 64, C), List.of(A, B, C)));
        others.deliver();
        assertEquals(B, others.applied(B).entries().get(1).node(), "b keeps key 1 while the step waits for x");
        map.memberRemoved(X);
        others.deliver();

        assertEquals(List.of(), others.violations());
        for (String member : List.of(A, B, C)) {
            assertEquals(C, others.applied(member).entries().get(1).node(), member + ": x's removal ended its step");
        }
    }

    @Test
    void shouldDropAMemberAsRemovedWhenTwoRepublicationsInARowFindItAbsentFromTheClusterState() {
        // x was exiting in the state a new owner started from, but its MemberRemoved was published before the owner
        // subscribed: no MemberRemoved comes for it, and the subscription's replay no longer has it.
        final SimulatedAgents agents = new SimulatedAgents();
        final MapAgent.Publish start = new MapAgent.Publish(INCARNATION + 1, Map.of(1, new Placement(64, B, 0)));
        for (String member : List.of(A, B, C, X)) {
            agents.given(member, start.version(), start.entries());
        }
        agents.stop(X);
        final OwnedMap map = owner(agents, start, List.of(A, B, C, X));
        map.probeTimeout();
        agents.deliver();
        // The state no longer shows x: once is not enough (it may lag an event).
        map.republish(Set.of(A, B, C), Set.of(A, B, C), later());
        agents.deliver();

        // Key 1 moves from b to c: c applies it (step 1); a and x (step 2): x answers nothing.
        assertEquals(MapResult.OK, map.update(place(1, 64, C), List.of(A, B, C)));
        agents.deliver();
        assertEquals(B, agents.applied(B).entries().get(1).node(), "x absent at one republication: still waited for");
        // Absent again, a republication interval later: removed, which ends the step without its timeout.
        map.republish(Set.of(A, B, C), Set.of(A, B, C), later());
        agents.deliver();

        assertEquals(List.of(), agents.violations());
        for (String member : List.of(A, B, C)) {
            assertEquals(C, agents.applied(member).entries().get(1).node(), member + ": x's drop ended its step");
        }
        final int before = agents.sent().size();
        map.republish(Set.of(A, B, C), Set.of(A, B, C), later());
        assertTrue(agents.sent().subList(before, agents.sent().size()).stream().noneMatch(s -> s.member().equals(X)),
            "x is no member any more: " + agents.sent().subList(before, agents.sent().size()));
    }

    @Test
    void shouldKeepAMemberWhoseMemberUpCameBeforeTheClusterStateShowsItWhenOneRepublicationFindsItAbsent() {
        final SimulatedAgents agents = new SimulatedAgents();
        final OwnedMap map = ownerOfABAndCWithKeyOneOnB(agents);
        map.memberUp(D, 1L); // the event ahead of the state
        map.republish(Set.of(A, B, C), Set.of(A, B, C), later());
        map.republish(Set.of(A, B, C, D), Set.of(A, B, C, D), later());
        final int before = agents.sent().size();
        // Absent again, but not at two republications in a row.
        map.republish(Set.of(A, B, C), Set.of(A, B, C), later());

        assertTrue(agents.sent().subList(before, agents.sent().size()).stream()
                .anyMatch(s -> s.member().equals(D) && s.version() != SimulatedAgents.PROBE),
            "d still gets the republication: " + agents.sent().subList(before, agents.sent().size()));
    }

    @Test
    void shouldKeepAMemberAbsentAtTwoRepublicationsWhenTheyCameLessThanTheRepublicationIntervalApart() {
        // Two republication ticks queued while the owner was busy are handled a moment apart: d's MemberUp came
        // ahead of the cluster's state, which has not caught up in that moment.
        final SimulatedAgents agents = new SimulatedAgents();
        final OwnedMap map = ownerOfABAndCWithKeyOneOnB(agents);
        map.memberUp(D, 1L);
        final long tick = later();
        map.republish(Set.of(A, B, C), Set.of(A, B, C), tick);
        map.republish(Set.of(A, B, C), Set.of(A, B, C), tick);
        final int before = agents.sent().size();
        map.republish(Set.of(A, B, C), Set.of(A, B, C), tick);

        assertTrue(agents.sent().subList(before, agents.sent().size()).stream()
                .anyMatch(s -> s.member().equals(D) && s.version() != SimulatedAgents.PROBE),
            "d is still a member: " + agents.sent().subList(before, agents.sent().size()));
    }

    @Test
    void shouldGiveAMemberDroppedAsAbsentWhatItsMemberUpWouldWhenARepublicationFindsItUpAgain() {
        // d forwards key 1 to b by the stable map. Its MemberUp came ahead of the cluster's state, which then lagged
        // two republication intervals: d was dropped, and no second MemberUp comes for it.
        final SimulatedAgents agents = new SimulatedAgents();
        final OwnedMap map = ownerOfABAndCWithKeyOneOnB(agents);
        agents.given(D, INCARNATION + 1, Map.of(1, new Placement(64, B, 0)));
        map.memberUp(D, 1L);
        agents.deliver();
        map.republish(Set.of(A, B, C), Set.of(A, B, C), later());
        map.republish(Set.of(A, B, C), Set.of(A, B, C), later());
        agents.deliver();

        // Key 1 moves from b to c: c applies it (step 1); a holds its answer (step 2).
        agents.hold(A);
        assertEquals(MapResult.OK, map.update(place(1, 64, C), List.of(A, B, C)));
        agents.deliver();
        map.republish(Set.of(A, B, C, D), Set.of(A, B, C, D), later()); // the state shows d up now
        agents.deliver();
        agents.release(A);
        agents.deliver();

        assertEquals(List.of(), agents.violations());
        for (String member : List.of(A, B, C, D)) {
            assertEquals(C, agents.applied(member).entries().get(1).node(), member);
        }
    }

    @Test
    void shouldRepublishOnceWhenTheDropOfAnAbsentMemberEndsANewOwnersStart() {
        final SimulatedAgents agents = new SimulatedAgents();
        final MapAgent.Publish start = new MapAgent.Publish(INCARNATION + 1, Map.of(1, new Placement(64, B, 0)));
        for (String member : List.of(A, B, C, X)) {
            agents.given(member, start.version(), start.entries());
        }
        agents.stop(X); // x's MemberRemoved came before this owner subscribed: it answers nothing
        final OwnedMap map = owner(agents, start, List.of(A, B, C, X));
        map.republish(Set.of(A, B, C), Set.of(A, B, C), later());
        assertTrue(map.starting(), "waits for x's answer");
        final int before = agents.sent().size();
        map.republish(Set.of(A, B, C), Set.of(A, B, C), later()); // x dropped: the start ends

        assertTrue(!map.starting());
        final List<SimulatedAgents.Sent> sent = agents.sent().subList(before, agents.sent().size());
        for (String member : List.of(A, B, C)) {
            assertEquals(1, sent.stream().filter(s -> s.member().equals(member)).count(),
                member + " gets the new owner's map once, and no probe: " + sent);
        }
    }
}
