package dev.steer.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.concurrent.TimeUnit;

import org.apache.pekko.actor.Address;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.UniqueAddress;
import org.apache.pekko.util.Version;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Which members a new map owner publishes to from its start, by their status in its node's cluster state. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class MapOwnerMembersTest {
    private static Member member(int port, MemberStatus status) {
        return new Member(new UniqueAddress(new Address("pekko", "steer", "127.0.0.1", port), 1L), 1, status,
            scala.collection.immutable.Set$.MODULE$.<String>empty(), Version.Zero());
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
}
