package dev.steer.cluster;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Test support: the members' map agents as {@link OwnedMap} sees them through its outbox. Messages are queued and
 * delivered by {@link #deliver()}, in order; an agent applies only a newer version, as {@link MapAgent} does, and
 * answers a publication that asks for it with the version it is at (its own, higher one when it ignored the
 * publication) unless the test holds its answers: a held member has applied what it got but not drained what it
 * replaced, so it still forwards as its last settled map says. A probe is answered at once, held or not, with the
 * version applied, as {@link MapAgent} answers it. Checks the rule of the ordered rollout at every send: a member
 * is sent a map in which it gives up a key only once every other member has applied, and drained into it, a map in
 * which the key is no longer on it (else that member could still forward to it, and its receiver would count
 * {@code no_entry}).
 */
final class SimulatedAgents implements Rollouts.Outbox {
    /** A message on its way: a publication, or (version {@link #PROBE}) a question for the version. */
    record Sent(String member, long version, Map<Integer, Placement> entries, boolean answer) {
    }

    static final long PROBE = Long.MIN_VALUE;

    private final Map<String, MapAgent.Publish> applied = new HashMap<>();
    /** The map each member has applied and drained into: what it may still forward by. */
    private final Map<String, MapAgent.Publish> settled = new HashMap<>();
    private final Set<String> held = new HashSet<>();
    private final Set<String> stopped = new HashSet<>();
    private final ArrayDeque<Sent> inFlight = new ArrayDeque<>();
    private final List<MapOwner.Applied> heldAnswers = new ArrayList<>();
    private final List<Sent> sent = new ArrayList<>();
    private final List<String> violations = new ArrayList<>();
    private OwnedMap owner;
    private Duration stepTimer;
    private Duration probeTimer;

    /** The owner answers go to (set after the owner is made: its constructor already publishes). */
    void owner(OwnedMap owner) {
        this.owner = owner;
    }

    /** {@code member} has applied {@code entries} at {@code version} (from an earlier owner, say). */
    void given(String member, long version, Map<Integer, Placement> entries) {
        applied.put(member, new MapAgent.Publish(version, new TreeMap<>(entries)));
        settled.put(member, applied.get(member));
    }

    /**
     * {@code member} crashed and runs again at the same address: a new incarnation with no map, answering again; what
     * was on its way to the old one, and the old one's held answers, are lost.
     */
    void restart(String member) {
        applied.remove(member);
        settled.remove(member);
        held.remove(member);
        inFlight.removeIf(message -> message.member().equals(member));
        heldAnswers.removeIf(answer -> answer.node().equals(member));
    }

    /**
     * {@code member} stopped (its node shut down on its way out of the cluster): what is on its way to it and what
     * is sent to it from now on is lost, it answers nothing, probes included, and it forwards nothing any more.
     */
    void stop(String member) {
        stopped.add(member);
        applied.remove(member);
        settled.remove(member);
    }

    /** {@code member} applies what it gets but answers nothing until {@link #release(String)}. */
    void hold(String member) {
        held.add(member);
    }

    /** Lets {@code member} answer again, with the answers it held. */
    void release(String member) {
        held.remove(member);
        if (applied.containsKey(member)) {
            settled.put(member, applied.get(member));
        }
        final List<MapOwner.Applied> answers = new ArrayList<>(heldAnswers);
        heldAnswers.clear();
        for (MapOwner.Applied answer : answers) {
            if (held.contains(answer.node())) {
                heldAnswers.add(answer);
            } else {
                owner.applied(answer);
            }
        }
    }

    /** Delivers every message on its way, and the ones its answers cause; bounded. */
    void deliver() {
        for (int i = 0; i < 100_000 && !inFlight.isEmpty(); i++) {
            final Sent message = inFlight.poll();
            if (stopped.contains(message.member())) {
                continue;
            }
            final MapAgent.Publish last = applied.get(message.member());
            if (message.version() != PROBE && (last == null || message.version() > last.version())) {
                applied.put(message.member(), new MapAgent.Publish(message.version(), message.entries()));
            }
            if (!held.contains(message.member()) && applied.containsKey(message.member())) {
                settled.put(message.member(), applied.get(message.member()));
            }
            if (message.answer()) {
                final MapAgent.Publish now = applied.get(message.member());
                final MapOwner.Applied answer = new MapOwner.Applied(now == null ? -1 : now.version(), message.member());
                if (message.version() == PROBE) {
                    owner.probed(answer); // at once, drained or not
                } else if (held.contains(message.member())) {
                    heldAnswers.add(answer);
                } else {
                    owner.applied(answer);
                }
            }
        }
    }

    @Override
    public void publish(String member, long version, Map<Integer, Placement> entries, boolean answer) {
        final MapAgent.Publish last = applied.get(member);
        if (last != null && version > last.version()) {
            for (Map.Entry<Integer, Placement> entry : last.entries().entrySet()) {
                final Placement now = entries.get(entry.getKey());
                if (member.equals(entry.getValue().node()) && (now == null || !member.equals(now.node()))) {
                    checkNobodyForwards(member, entry.getKey(), version);
                }
            }
        }
        final Sent message = new Sent(member, version, new TreeMap<>(entries), answer);
        sent.add(message);
        inFlight.add(message);
    }

    @Override
    public void probe(String member) {
        final Sent message = new Sent(member, PROBE, Map.of(), true);
        sent.add(message);
        inFlight.add(message);
    }

    private void checkNobodyForwards(String member, int key, long version) {
        for (Map<String, MapAgent.Publish> maps : List.of(applied, settled)) {
            for (Map.Entry<String, MapAgent.Publish> other : maps.entrySet()) {
                final Placement there = other.getValue().entries().get(key);
                if (!other.getKey().equals(member) && there != null && member.equals(there.node())) {
                    violations.add(member + " gives up key " + key + " at version " + version + " while "
                        + other.getKey() + " still forwards to it (its version " + other.getValue().version()
                        + (maps == settled ? ", not yet drained" : "") + ")");
                }
            }
        }
    }

    @Override
    public void startStepTimer(long version, int step, Duration after) {
        stepTimer = after;
    }

    @Override
    public void cancelStepTimer() {
        stepTimer = null;
    }

    @Override
    public void startProbeTimer(Duration after) {
        probeTimer = after;
    }

    /** How long the owner's last probe timer was set for, null: none set. */
    Duration probeTimer() {
        return probeTimer;
    }

    /** The map {@code member} has applied, null: none. */
    MapAgent.Publish applied(String member) {
        return applied.get(member);
    }

    /** Every message sent so far, in order. */
    List<Sent> sent() {
        return sent;
    }

    /** Every break of the rollout's order seen so far. */
    List<String> violations() {
        return violations;
    }
}
