package dev.steer.cluster;

import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

import org.slf4j.Logger;

import dev.steer.engine.map.MapResult;

/**
 * The cluster map as its {@link MapOwner} keeps it: the entries, their version, the members published to and the
 * {@link Rollouts} of the accepted changes. The owner's actor hands it every command with what it read from the
 * cluster's state; this class knows no Pekko, so its rules can be driven directly. It decides what every event does;
 * the bookkeeping it decides by is kept apart: the node incarnation at each address ({@link MemberIncarnations}), the
 * departures the cluster's state may not show yet ({@link Departures}), the changes refused {@code EBUSY}
 * ({@link BusyRefusals}). The owner's actor thread only; off the hot path, allocation per operation is fine.
 */
final class OwnedMap {
    private final int maxEntries;
    private final TreeMap<Integer, Placement> entries;
    private final Set<String> members = new HashSet<>();
    /** Departures the cluster's state may not show yet, and members it no longer shows, since when. */
    private final Departures departures = new Departures();
    private final Rollouts.Outbox outbox;
    private final Duration stepTimeout;
    private final BusyRefusals refusals;
    private final Logger log;
    /** The node incarnation at each member's address, those seen go, and those known from the starting state only. */
    private final MemberIncarnations incarnations;
    /** Members asked for their version whose answer this owner still waits for before its first publication. */
    private final Set<String> unanswered = new HashSet<>();
    /** The highest version any member told this owner of, this node's copy included. */
    private long seen;
    private Rollouts rollouts;
    private long version;

    /**
     * Starts from {@code start} (this node's last applied map, null: none), less the entries of nodes not in
     * {@code present}, and first asks every member of {@code up} which version it is at ({@link #starting()}): a
     * member may have applied the map of an owner this node never heard from (the previous owner published only to
     * some nodes before it went). Once every member answered, or after {@link #probeWait()}, this owner takes the
     * incarnation after the highest it was told of ({@link MapOwner#firstVersion(long)}) and publishes its map to
     * every member at once.
     *
     * @param up          the members this owner publishes to: up, leaving or exiting ({@link MapOwner#publishedTo})
     * @param present     every member neither down nor removed (entries on other nodes are pruned)
     * @param incarnationOf the uid of the member the cluster's state shows at an address now, null: none (or not
     *                    known); read when a member is first seen other than by an event, and for each member the
     *                    state shows up at an update or a republication
     * @param refusedBusy counts the updates and deletes refused {@code EBUSY}
     */
    OwnedMap(int maxEntries, MapAgent.Publish start, Collection<String> up, Set<String> present,
             Function<String, Long> incarnationOf, Rollouts.Outbox outbox, Duration stepTimeout, Logger log,
             AtomicLong refusedBusy) {
        this(maxEntries, start, up, present, incarnationOf, new MemberIncarnations.Retired(), outbox, stepTimeout, log,
            refusedBusy);
    }

    /**
     * As {@link #OwnedMap(int, MapAgent.Publish, Collection, Set, Function, Rollouts.Outbox, Duration, Logger,
     * AtomicLong)}, taking the incarnations seen go from {@code retired}, which the owner's actor keeps across the
     * restarts of its behavior, and adding to it.
     */
    OwnedMap(int maxEntries, MapAgent.Publish start, Collection<String> up, Set<String> present,
             Function<String, Long> incarnationOf, MemberIncarnations.Retired retired, Rollouts.Outbox outbox,
             Duration stepTimeout, Logger log, AtomicLong refusedBusy) {
        this.maxEntries = maxEntries;
        this.incarnations = new MemberIncarnations(incarnationOf, retired, log);
        this.outbox = outbox;
        this.stepTimeout = stepTimeout;
        this.refusals = new BusyRefusals(refusedBusy, log);
        this.log = log;
        this.entries = new TreeMap<>(start == null ? Map.of() : start.entries());
        this.seen = start == null ? -1 : start.version();
        if (!MapOwner.plausible(seen)) {
            log.warn("map version {} of this node's copy: not one an owner gives out (incarnation {} or beyond);"
                + " not counted", seen, MapOwner.LAST_INCARNATION);
            seen = -1;
        }
        members.addAll(up);
        incarnations.startFrom(members);
        // The map this singleton starts from may place entries on nodes that are gone: the node that ran the
        // previous owner crashed, say, and was removed before this one started (so no MemberRemoved comes).
        prune(present);
        unanswered.addAll(members);
        for (String member : members) {
            outbox.probe(member);
        }
        if (unanswered.isEmpty()) {
            begin();
        } else {
            outbox.startProbeTimer(probeWait());
        }
    }

    /**
     * True while this owner waits for the members' versions: it has published nothing yet, and updates and deletes
     * must wait (the owner's actor stashes them).
     */
    boolean starting() {
        return rollouts == null;
    }

    /**
     * How long a new owner waits for the members' versions, holding updates and deletes meanwhile: the step timeout,
     * at most {@link MapOwner#PROBE_TIMEOUT}. An agent answers a probe at once (no drain), and a held update must be
     * answered within the caller's ask ({@link ClusterNode#ASK_TIMEOUT}) whatever the drain timeout.
     */
    Duration probeWait() {
        return stepTimeout.compareTo(MapOwner.PROBE_TIMEOUT) < 0 ? stepTimeout : MapOwner.PROBE_TIMEOUT;
    }

    /** The wait for the members' versions is over: go on with the answers there are. */
    void probeTimeout() {
        if (starting()) {
            log.warn("new map owner: no version from {} within {}; starting after version {}", unanswered,
                probeWait(), seen);
            begin();
        }
    }

    /** An update or delete that came while {@link #starting()} with the owner's stash full: counted {@code EBUSY}. */
    void refuseWhileStarting() {
        busy("change (the new owner is starting)");
    }

    private void begin() {
        unanswered.clear();
        version = MapOwner.firstVersion(seen);
        rollouts = new Rollouts(outbox, log, members, stepTimeout, new MapAgent.Publish(version, new TreeMap<>(entries)));
        // Members that joined before this singleton started learn the map now, all at once: which of them had the
        // previous owner's last change is not known here.
        rollouts.republish();
    }

    /** Updates and deletes refused {@code EBUSY} so far. */
    long refusedBusy() {
        return refusals.count();
    }

    /** The version of the latest accepted change. */
    long version() {
        return version;
    }

    /**
     * Applies {@code update} after the contract's checks; {@code EBUSY} (nothing changed) when it would change the
     * map while {@link MapOwner#MAX_QUEUED} changes wait for their rollout. Not while {@link #starting()}: the
     * owner's actor holds updates and deletes until then, or refuses them itself ({@link #refuseWhileStarting()}).
     *
     * @param upNow the members the cluster's state shows up now (the subscription may lag the gossip)
     */
    MapResult update(MapOwner.Update update, Collection<String> upNow) {
        // A removed member the state still shows up is not one: added back, it stayed a member for good (no second
        // MemberRemoved comes), and every later step waited its timeout for it. A leaving one is not up either: an
        // entry placed on it came back after its entries were removed, and the others forwarded to it as it left.
        final Set<String> up = departures.upOf(upNow);
        // A member seen here first gets what its MemberUp event would give it (that event then changes nothing):
        // the stable map, and the step under way when it belongs to it. Only added to the members, it got the
        // change under way in the final step, with the node giving a key up, while it could still forward to it.
        for (String member : up) {
            shownUp(member);
        }
        final MapResult result = MapOwner.check(update, maxEntries, up);
        if (result != MapResult.OK) {
            return result;
        }
        final Placement placement = new Placement(update.qsize(), update.node(), update.cpu(), update.program());
        final boolean changes = update.qsize() == 0 ? entries.containsKey(update.key())
            : !placement.equals(entries.get(update.key()));
        if (!changes) {
            return MapResult.OK;
        }
        if (rollouts.full()) {
            return busy("update of key " + update.key());
        }
        if (update.qsize() == 0) {
            entries.remove(update.key());
        } else {
            entries.put(update.key(), placement);
        }
        changed();
        return MapResult.OK;
    }

    /**
     * Empties the slot of {@code key}: EINVAL at or above max entries; EBUSY (nothing changed) when the key has an
     * entry while {@link MapOwner#MAX_QUEUED} changes wait for their rollout; else OK. Not while {@link #starting()},
     * as for {@link #update}.
     */
    MapResult delete(int key) {
        if (Integer.compareUnsigned(key, maxEntries) >= 0) {
            return MapResult.EINVAL;
        }
        if (!entries.containsKey(key)) {
            return MapResult.OK;
        }
        if (rollouts.full()) {
            return busy("delete of key " + key);
        }
        entries.remove(key);
        changed();
        return MapResult.OK;
    }

    /**
     * Refuses a change rather than merging it into the waiting ones: a merged change can have a node gain one key
     * and give up another, and such a node is published to first, before the others stop forwarding to it.
     */
    private MapResult busy(String what) {
        return refusals.refuse(what);
    }

    /**
     * A member's answer to a publication that asked for one: it is at {@code applied.version()} and what it replaced
     * to get there has drained, which confirms its step. A version above every one this owner gave out is another
     * owner's (see {@link #probed}).
     */
    void applied(MapOwner.Applied applied) {
        if (counted(applied)) {
            rollouts.onApplied(applied);
        }
    }

    /**
     * A member's answer to a probe: the version it has applied, answered at once, before what that publication
     * replaced has drained. It confirms no step (taken for one, it let the nodes giving a key up have the change
     * while the member still forwarded to them: {@code OwnedMapTest}); it only tells this owner which versions
     * exist, also one above every one it gave out, another owner's, of an incarnation at least this one's (that
     * owner published to the member and went before this owner heard of it): the member ignores this owner's
     * publications. This owner then moves to the incarnation after it and publishes its map again, to every member.
     */
    void probed(MapOwner.Applied answer) {
        counted(answer);
    }

    /**
     * Counts the version of an answer (not a damaged one) among those seen; ends the start once every member asked
     * answered; moves to the next incarnation when the version is above this owner's.
     *
     * @return false when the answer is spent here: this owner is starting, the version is not one an owner gives
     *         out, or this owner moved past it
     */
    private boolean counted(MapOwner.Applied applied) {
        final boolean plausible = MapOwner.plausible(applied.version());
        // This owner's versions (and earlier ones) confirm its steps whatever their incarnation: an owner told of a
        // version of the incarnation before the last takes the last one, and took its members' answers for damage.
        final boolean given = !starting() && applied.version() >= 0 && applied.version() <= version;
        if (plausible) {
            seen = Math.max(seen, applied.version());
        } else if (!given) {
            // A damaged or forged copy (the agent takes this owner's map over it: another incarnation). Counting it
            // would wrap this owner's next version past Long.MAX_VALUE; it confirms nothing either.
            log.warn("map version {} at {}: not one an owner gives out (incarnation {} or beyond); not counted",
                applied.version(), applied.node(), MapOwner.LAST_INCARNATION);
        }
        if (starting()) {
            answered(applied.node());
            return false;
        }
        if (!plausible && !given) {
            return false;
        }
        if (applied.version() > version) {
            log.warn("map version {} at {}, above this owner's {}: another owner's incarnation; publishing the map at"
                + " the next", applied.version(), applied.node(), version);
            version = MapOwner.firstVersion(seen);
            rollouts.changed(new MapAgent.Publish(version, new TreeMap<>(entries)));
            return false;
        }
        return true;
    }

    /** While starting: {@code node} asked for its version needs asking no more; the start ends with the last one. */
    private void answered(String node) {
        if (unanswered.remove(node) && unanswered.isEmpty()) {
            begin();
        }
    }

    /**
     * Step {@code step} of the rollout of {@code timedOut} waited its timeout out. Never while {@link #starting()}:
     * only the {@link Rollouts} that {@code begin()} makes start that timer.
     */
    void stepTimeout(long timedOut, int step) {
        rollouts.onStepTimeout(timedOut, step);
    }

    /**
     * The {@code MemberUp} event of incarnation {@code uid} at {@code address}: a member, also where one at that
     * address was removed before. Where this owner has a member of another incarnation at the address, that node was
     * restarted and its {@code MemberRemoved} did not come (or has not yet): the old one is handled as removed first,
     * so that the new one, which has no map, is a new member at once (the stable map, and the step under way when it
     * belongs to it) rather than at the next republication, and the old one's entries go.
     *
     * <p>Except where the old incarnation is only the one the cluster's state this owner started from showed, no
     * event having named one there since: then the member is replaced the same way but the address's entries stay,
     * also where the cluster's state shows the new one first, at an update or a republication before the replay comes.
     * Such an event (most often the subscription's replay, just after the start) says that the change of
     * incarnation came before this owner subscribed, and the map it started from, the previous owner's, was published
     * before that too: whether the previous owner placed those entries on the old node or, its own state ahead of
     * this node's, on the new one cannot be told apart here (a publication names nodes by address only). Dropped, a
     * live node's entries would be lost for good ({@code steer run} places a node's entries at its start only);
     * kept, an old node's entries stay with the node now at its address, which serves them, until they change.
     *
     * <p>A {@code MemberUp} of an incarnation seen go ({@link MemberIncarnations.Retired}) changes nothing, unless the
     * cluster's state shows that incarnation at the address now: then it was taken for gone by mistake (a stale event
     * of the one before it, which nothing here tells from a new one, replaced it).
     */
    void memberUp(String address, long uid) {
        if (incarnations.staleUp(address, uid)) {
            // A node's incarnation never comes back: this is an event of it still on its way, to this owner or, at
            // a failure, to the one before it on this actor. Taken for a new incarnation, it dropped the member at
            // the address and its entries. (Shown there by the state, it did not go: taken for gone by a stale event
            // of an incarnation before it, and ignored, it would stay out of the members for good.)
            log.info("map owner: MemberUp of {} uid {}, an incarnation seen gone; ignored", address, uid);
            return;
        }
        up(address, uid);
    }

    /**
     * Incarnation {@code uid} is up at {@code address}, told by its {@code MemberUp} event or by the cluster's state
     * ({@link #shownUp}). Where the incarnation known there is only the one the state this owner started from
     * showed, either way the entries at the address are kept ({@link #memberUp}): the state, read apart from the
     * events, may catch up before the subscription's replay comes, and it tells no more than that replay would.
     */
    private void up(String address, long uid) {
        final Long known = incarnations.at(address);
        if (known != null && known != uid && members.contains(address)) {
            if (incarnations.fromStartStateOnly(address)) {
                log.warn("map owner: {} is up as uid {}; the cluster state this owner started from showed uid {}, so"
                    + " which of the two the entries there were placed on is not known: the member is replaced, its"
                    + " entries kept", address, uid, known);
                replaced(address);
            } else {
                log.warn("map owner: {} is up as a new incarnation (uid {}; uid {} here) and no MemberRemoved came for"
                    + " the old one; taken for removed", address, uid, known);
                memberRemoved(address);
            }
        }
        incarnations.named(address, uid);
        departures.up(address);
        seenUp(address);
    }

    /**
     * A member the cluster's state shows up: as {@link #seenUp}, and where the state shows another incarnation at a
     * member's address than this owner has, one it has not seen go, as that incarnation's {@code MemberUp}. The state
     * can lead the events: an entry placed on the new node (its address taken for the old member) went with the old
     * one's late {@code MemberRemoved}.
     */
    private void shownUp(String address) {
        final Long shown = incarnations.shownAnother(address);
        if (shown != null) {
            up(address, shown);
        } else {
            seenUp(address);
        }
    }

    private void seenUp(String address) {
        if (members.add(address)) {
            incarnations.recordShown(address);
            if (starting()) {
                unanswered.add(address);
            } else {
                rollouts.onUp(address);
            }
            outbox.probe(address);
        }
    }

    /**
     * The {@code MemberRemoved} event of incarnation {@code uid} at {@code address}: as {@link #memberRemoved(String)}
     * when it is the incarnation this owner has there (or it knows none); else that of a node since restarted there,
     * whose removal must not drop the new one (its entries and its steps), and nothing changes.
     */
    void memberRemoved(String address, long uid) {
        if (incarnations.current(address, uid, "MemberRemoved")) {
            memberRemoved(address);
        }
    }

    /**
     * The member at {@code address} is gone, whatever its incarnation: its removal event, or a member
     * {@link #republish} no longer finds. No step waits for it any more and its entries go. Idempotent.
     */
    void memberRemoved(String address) {
        gone(address);
        departures.departed(address);
        if (starting()) {
            removeEntriesOf(address); // first: answered() may begin, and publish the map
            answered(address);
            return;
        }
        rollouts.onRemoved(address);
        removeEntriesOf(address);
    }

    /**
     * The member at {@code address} is another incarnation now, and the entries there are kept (see
     * {@link #memberUp}): no step waits for the old one any more; the caller makes the new one a member.
     */
    private void replaced(String address) {
        gone(address);
        if (starting()) {
            answered(address);
        } else {
            rollouts.onRemoved(address);
        }
    }

    /** The incarnation at {@code address} is gone: retired, and no longer a member. */
    private void gone(String address) {
        incarnations.gone(address);
        members.remove(address);
        departures.notMember(address);
    }

    /**
     * A leaving node still answers: its entries go now, so that senders drain to it with acknowledgements instead of
     * counting the rest unreachable once it is gone. It keeps getting publications (it stays in members) until it
     * is removed. No entry is placed on it any more ({@code ENODEV}), also while the cluster's state still shows it up.
     * Also its {@code MemberExited} event (the only one a new owner gets for a member already exiting); idempotent.
     * Of incarnation {@code uid}: nothing changes when this owner has another one at {@code address}.
     */
    void memberLeft(String address, long uid) {
        if (!incarnations.current(address, uid, "MemberLeft or MemberExited")) {
            return;
        }
        incarnations.named(address, uid);
        departures.departed(address);
        removeEntriesOf(address);
    }

    private void removeEntriesOf(String address) {
        if (entries.values().removeIf(p -> p.node().equals(address))) {
            changed();
        }
    }

    /**
     * The periodic republication, after removing the entries of nodes not in {@code present} (a removal this owner
     * did not see as an event), handling as removed ({@link #memberRemoved}) every member {@code present} has not
     * shown since a republication at least {@link MapOwner#REPUBLISH} before {@code now}, and adding every member
     * of {@code upNow} this owner does not have, as its {@code MemberUp} event would. A new owner takes its members
     * from the cluster's state, which can lag the event stream: a member whose {@code MemberRemoved} was published
     * before the owner subscribed, while that state still showed it, gets no such event here (the subscription's
     * replay no longer has it), and it stayed a member for good, every later step waiting its timeout for it. A
     * member whose {@code MemberUp} came ahead of that state is not shown by it at first either: hence an absence of
     * a republication interval, not of two republications in a row (timer messages queued while the owner was busy
     * come a moment apart); and as such a member, once dropped, gets no second {@code MemberUp}, a republication
     * that finds it up adds it back.
     *
     * <p>A member the state shows down, not yet removed, is dropped the same way, before its {@code MemberRemoved}
     * (which then changes nothing), on purpose: down is final in Pekko (only removal follows, and a node at its
     * address joins only after that), so no {@code MemberUp} can undo the drop; a downed member is one the split-brain
     * resolver took for gone, or one that stops itself, and kept it would hold every step that includes it for the
     * step timeout for as long as the leader cannot remove it (removal waits for convergence, which another
     * unreachable member blocks). Its entries go at the first republication that finds it down ({@code present}
     * does not have it), as frames forwarded to it would be lost.
     *
     * @param present every member neither down nor removed in the cluster's state
     * @param upNow   the members that state shows up (a member whose removal or leaving this owner saw is not added)
     * @param now     {@link System#nanoTime()}, or a test's clock
     */
    void republish(Set<String> present, Collection<String> upNow, long now) {
        final boolean wasStarting = starting();
        for (String member : departures.absentTooLong(members, present, now)) {
            log.warn("map owner: member {} not in the cluster's state for {} and no MemberRemoved for it; taken for"
                + " removed", member, MapOwner.REPUBLISH);
            memberRemoved(member);
        }
        departures.retainPresent(present);
        if (prune(present)) {
            changed();
        }
        if (starting()) {
            for (String member : unanswered) {
                outbox.probe(member); // a probe or its answer lost on the way
            }
        } else if (!wasStarting) {
            rollouts.republish();
            // Every member's version again: one that did not answer this owner's first probes in time may be ahead.
            for (String member : members) {
                outbox.probe(member);
            }
        } // else a drop ended this owner's start: begin() has just published to every member
        // After the republication, so that a member added here is sent the stable map and probed once.
        for (String member : upNow) {
            if (!departures.hasDeparted(member)) {
                shownUp(member);
            }
        }
    }

    private boolean prune(Set<String> present) {
        return entries.values().removeIf(p -> !present.contains(p.node()));
    }

    private void changed() {
        if (starting()) {
            return; // part of the map this owner will start with
        }
        version++;
        rollouts.changed(new MapAgent.Publish(version, new TreeMap<>(entries)));
    }
}
