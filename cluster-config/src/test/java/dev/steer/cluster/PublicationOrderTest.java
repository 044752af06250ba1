package dev.steer.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The steps of a rollout: placed-on nodes, then the others, then (not waited for) the nodes giving an entry up. */
@Timeout(value = 5, unit = TimeUnit.SECONDS)
class PublicationOrderTest {
    private static final String A = "pekko://steer@127.0.0.1:1";
    private static final String B = "pekko://steer@127.0.0.1:2";
    private static final String C = "pekko://steer@127.0.0.1:3";
    private static final Set<String> MEMBERS = Set.of(A, B, C);

    @Test
    void shouldPublishToTheOwningNodeFirstWhenAKeyIsPlaced() {
        assertEquals(List.of(Set.of(B), Set.of(A, C)),
            PublicationOrder.steps(Map.of(), Map.of(1, new Placement(64, B, 0)), MEMBERS));
    }

    @Test
    void shouldPublishToTheOldOwnerLastWhenAKeyMoves() {
        assertEquals(List.of(Set.of(C), Set.of(A)),
            PublicationOrder.steps(Map.of(1, new Placement(64, B, 0)), Map.of(1, new Placement(64, C, 0)), MEMBERS));
    }

    @Test
    void shouldPublishToTheOwnerLastWhenAKeyIsDeleted() {
        assertEquals(List.of(Set.of(), Set.of(A, C)),
            PublicationOrder.steps(Map.of(1, new Placement(64, B, 0), 2, new Placement(64, A, 0)),
                Map.of(2, new Placement(64, A, 0)), MEMBERS));
    }

    @Test
    void shouldPublishToTheOwnerFirstWhenOnlyItsEntryChangesOnTheSameNode() {
        assertEquals(List.of(Set.of(B), Set.of(A, C)),
            PublicationOrder.steps(Map.of(1, new Placement(64, B, 0)), Map.of(1, new Placement(128, B, 1)), MEMBERS));
    }

    @Test
    void shouldWaitForNoNodeThatIsNotAMemberWhenAKeyIsPlacedOnIt() {
        assertEquals(List.of(Set.of(), Set.of(A, C)),
            PublicationOrder.steps(Map.of(), Map.of(1, new Placement(64, "pekko://steer@127.0.0.1:9", 0)),
                Set.of(A, C)));
    }
}
