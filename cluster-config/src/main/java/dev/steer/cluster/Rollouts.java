package dev.steer.cluster;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.slf4j.Logger;

/**
 * The changes on their way to the members, one at a time, each in the steps of {@link PublicationOrder}: the
 * nodes placed on first, then the other nodes, then (with every member) the nodes that give an entry up; the
 * owner waits for each of the first two steps' {@link MapOwner.Applied} answers, at most {@code stepTimeout}. Between
 * rollouts every member has the stable map, which is also what the periodic republication and a new member get
 * (a node that has a later version ignores it). The owner's actor thread only; off the hot path.
 */
final class Rollouts {
    /** Where the rollouts' messages go: the members' agents and the owner's step timer. */
    interface Outbox {
        /**
         * Sends the map {@code entries} of {@code version} to the agent of {@code member}.
         *
         * @param answer true: the owner as the publication's reply-to, the agent answers {@link MapOwner.Applied}
         */
        void publish(String member, long version, Map<Integer, Placement> entries, boolean answer);

        /** Starts (replacing any earlier one) the timer of step {@code step} of the rollout of {@code version}. */
        void startStepTimer(long version, int step, Duration after);

        /** Cancels the step timer. */
        void cancelStepTimer();

        /**
         * Asks the agent of {@code member} which version it is at: it answers {@link MapOwner.Applied} with that
         * version at once (-1: none), also when it is ahead of this owner; it applies nothing.
         */
        void probe(String member);

        /** Starts the timer that ends a new owner's wait for the probes' answers. */
        void startProbeTimer(Duration after);
    }

    private final Outbox outbox;
    private final Logger log;
    private final Set<String> members;
    private final Duration stepTimeout;
    private final ArrayDeque<MapAgent.Publish> queued = new ArrayDeque<>();
    private final Set<String> sent = new HashSet<>();
    private final Set<String> waiting = new HashSet<>();
    private MapAgent.Publish stable;
    private MapAgent.Publish current;
    private int step;

    Rollouts(Outbox outbox, Logger log, Set<String> members, Duration stepTimeout, MapAgent.Publish stable) {
        this.outbox = outbox;
        this.log = log;
        this.members = members;
        this.stepTimeout = stepTimeout;
        this.stable = stable;
    }

    /**
     * True when {@link MapOwner#MAX_QUEUED} changes wait for their rollout: the owner refuses updates and deletes
     * ({@code EBUSY}) until one has gone out.
     */
    boolean full() {
        return queued.size() >= MapOwner.MAX_QUEUED;
    }

    /**
     * A change was accepted: roll it out after the ones before it. When {@link #full()} (only a membership change
     * gets here then: the owner cannot refuse a node's departure), it takes the place of the last waiting change,
     * whose map it contains: that change with a departed node's entries removed, in which every node still only
     * gains or only gives up keys, so its order is the order of each (see {@link PublicationOrder}).
     */
    void changed(MapAgent.Publish publish) {
        if (full()) {
            final MapAgent.Publish merged = queued.pollLast();
            log.warn("{} map changes wait for their rollout; version {} (a member's departure) goes out in place of"
                + " version {}", queued.size() + 1, publish.version(), merged.version());
        }
        queued.add(publish);
        startNext();
    }

    void onApplied(MapOwner.Applied applied) {
        if (current != null && applied.version() >= current.version() && waiting.remove(applied.node())
            && waiting.isEmpty()) {
            nextStep();
        }
    }

    void onStepTimeout(long version, int timedOut) {
        if (current != null && version == current.version() && timedOut == step) {
            log.warn("map version {}: no answer within {} from {}; publishing on", current.version(), stepTimeout,
                waiting);
            nextStep();
        }
    }

    /**
     * A removed member answers nothing: its step no longer waits for it. Nor was it sent the change under way: a new
     * incarnation at its address comes up with no map, and must get the change in its step ({@link #onUp}), not
     * only after the nodes giving a key up have it.
     */
    void onRemoved(String address) {
        sent.remove(address);
        if (current != null && waiting.remove(address) && waiting.isEmpty()) {
            nextStep();
        }
    }

    /**
     * The stable map to every member: the catch-up for a member that missed a publication; and the change on its
     * way again to the nodes its step still waits for (a publication or an answer lost on the way).
     */
    void republish() {
        for (String member : members) {
            publishStable(member);
        }
        if (current != null) {
            for (String node : waiting) {
                outbox.publish(node, current.version(), current.entries(), true);
            }
        }
    }

    /**
     * A member came up: the stable map now and, when the step under way is one it belongs to (it forwards to the
     * key's old node as every other node does), the change as well, waited for like the rest of that step.
     */
    void onUp(String member) {
        publishStable(member);
        if (current != null && PublicationOrder.steps(stable.entries(), current.entries(), members).get(step)
            .contains(member) && sent.add(member)) {
            outbox.publish(member, current.version(), current.entries(), true);
            waiting.add(member);
        }
    }

    private void publishStable(String member) {
        outbox.publish(member, stable.version(), stable.entries(), false);
    }

    private void startNext() {
        if (current != null || queued.isEmpty()) {
            return;
        }
        current = queued.poll();
        sent.clear();
        step = -1;
        nextStep();
    }

    private void nextStep() {
        outbox.cancelStepTimer();
        waiting.clear();
        // Computed again at every step: a member that came up during the rollout is among the others (it has
        // the stable map, so it forwards to a key's old node too, which must not give the key up before it).
        final List<Set<String>> steps = PublicationOrder.steps(stable.entries(), current.entries(), members);
        while (++step < steps.size()) {
            for (String node : steps.get(step)) {
                if (members.contains(node) && sent.add(node)) {
                    outbox.publish(node, current.version(), current.entries(), true);
                    waiting.add(node);
                }
            }
            if (!waiting.isEmpty()) {
                outbox.startStepTimer(current.version(), step, stepTimeout);
                return;
            }
        }
        // The final step: every member not sent to yet, the nodes giving up an entry among them; not waited for.
        for (String member : members) {
            if (sent.add(member)) {
                outbox.publish(member, current.version(), current.entries(), false);
            }
        }
        stable = current;
        current = null;
        startNext();
    }
}
