package dev.steer.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The incarnation a link's batches name, and when its entries are given up, for every order in which the membership
 * events of a node killed and started again at its address (old incarnation 11, new one 22) can reach the link.
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class LinkIncarnationTest {
    private static final long OLD = 11;
    private static final long NEW = 22;

    @Test
    void shouldNameNoIncarnationWhenNoMemberWasSeenAtTheAddress() {
        assertEquals(ForwardBatch.ANY_INCARNATION, new LinkIncarnation().target());
    }

    @Test
    void shouldNameTheFirstMemberWithoutGivingUpWhenTheLinkHadSeenNone() {
        final LinkIncarnation link = new LinkIncarnation();
        assertFalse(link.member(OLD), "nothing named before: the entries are the first member's");
        assertEquals(OLD, link.target());
        assertFalse(link.member(OLD), "another event of the same member");
        assertEquals(OLD, link.target());
    }

    @Test
    void shouldKeepNamingTheRemovedIncarnationWhenItsNodeIsRemoved() {
        final LinkIncarnation link = new LinkIncarnation();
        link.member(OLD);
        assertTrue(link.removed(OLD), "the entries on the removed node are given up");
        assertEquals(OLD, link.target(), "a batch sent after the removal is refused by a new node at the address");
        assertFalse(link.removed(OLD), "a removal seen again gives nothing up twice");
        assertEquals(OLD, link.target());
    }

    @Test
    void shouldNameTheNewIncarnationWhenTheOldOneIsRemovedBeforeTheNewOneIsSeen() {
        final LinkIncarnation link = new LinkIncarnation();
        link.member(OLD);
        assertTrue(link.removed(OLD));
        assertTrue(link.member(NEW), "entries attached since the removal were placed on the removed node");
        assertEquals(NEW, link.target());
        assertFalse(link.member(NEW));
    }

    @Test
    void shouldNameTheNewIncarnationAndIgnoreTheOldRemovalWhenTheNewOneIsSeenFirst() {
        final LinkIncarnation link = new LinkIncarnation();
        link.member(OLD);
        assertTrue(link.member(NEW), "another incarnation stands for the old one's removal");
        assertEquals(NEW, link.target());
        assertFalse(link.removed(OLD), "the old one's late removal gives up none of the new one's entries");
        assertEquals(NEW, link.target());
    }

    @Test
    void shouldIgnoreARemovalOfAnEarlierIncarnationWhenItComesAfterTheNewOnesRemoval() {
        final LinkIncarnation link = new LinkIncarnation();
        link.member(OLD);
        link.member(NEW);
        assertTrue(link.removed(NEW));
        assertEquals(NEW, link.target());
        assertFalse(link.removed(OLD), "a late removal of an incarnation before the one named");
        assertEquals(NEW, link.target());
    }

    @Test
    void shouldFollowTheEventsWhenTheClusterStateTheLinkStartedFromLagsThem() {
        final LinkIncarnation link = new LinkIncarnation();
        // The state read at the start still shows the old node; the events replayed after it show the new one only.
        link.shown(OLD);
        assertEquals(OLD, link.target());
        assertTrue(link.member(NEW), "entries attached before the new one's event were placed on the old one");
        assertEquals(NEW, link.target());
        assertFalse(link.removed(OLD));
        assertEquals(NEW, link.target());
    }

    @Test
    void shouldNameTheRemovedIncarnationWhenARemovalIsTheFirstEventOfTheAddress() {
        final LinkIncarnation link = new LinkIncarnation();
        assertTrue(link.removed(OLD), "entries placed on the node before the link saw it are given up");
        assertEquals(OLD, link.target(), "its batches are refused by a new node at the address");
        assertTrue(link.member(NEW));
        assertEquals(NEW, link.target());
    }
}
