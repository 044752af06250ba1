package dev.steer.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;

import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.steer.engine.map.Capabilities;
import dev.steer.engine.map.CpuMap;
import dev.steer.engine.map.CpuSet;
import dev.steer.engine.map.EntryValue;
import dev.steer.engine.map.MapResult;
import dev.steer.engine.program.Verdict;
import dev.steer.engine.stats.EngineStats;

/** The cpumap contract's result codes, through the map supervisor's typed protocol and the engine handle. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SupervisorProtocolTest {
    private ActorTestKit testKit;
    private ActorRef<MapSupervisor.Command> supervisor;
    private TestProbe<MapSupervisor.MapReply> replies;

    @BeforeEach
    void start() {
        testKit = ActorTestKit.create("protocol");
        final SteerEngine.Builder config = SteerEngine.builder().cpus(CpuSet.of(4, 0, 1, 3)).maxEntries(4)
            .entry(0, 64).program(view -> Verdict.of(Verdict.DROP)).pinning(false).conclude();
        supervisor = testKit.spawn(MapSupervisor.create(config, new SharedState()), "supervisor");
        replies = testKit.createTestProbe();
    }

    @AfterEach
    void stop() {
        final TestProbe<EngineStats> done = testKit.createTestProbe();
        supervisor.tell(new MapSupervisor.Shutdown(done.getRef()));
        done.receiveMessage();
        testKit.shutdownTestKit();
    }

    private MapResult update(int key, int qsize, long flags) {
        supervisor.tell(new MapSupervisor.Update(key, EntryValue.of(qsize), flags, replies.getRef()));
        return replies.receiveMessage().result();
    }

    private MapResult delete(int key) {
        supervisor.tell(new MapSupervisor.Delete(key, replies.getRef()));
        return replies.receiveMessage().result();
    }

    private EntryValue lookup(int key) {
        final TestProbe<MapSupervisor.LookupReply> probe = testKit.createTestProbe();
        supervisor.tell(new MapSupervisor.Lookup(key, probe.getRef()));
        return probe.receiveMessage().value();
    }

    private MapSupervisor.NextKeyReply nextKey(int key) {
        final TestProbe<MapSupervisor.NextKeyReply> probe = testKit.createTestProbe();
        supervisor.tell(new MapSupervisor.NextKey(key, probe.getRef()));
        return probe.receiveMessage();
    }

    @Test
    void shouldReplyEinvalWhenUpdateFlagsAreUnknown() {
        assertEquals(MapResult.EINVAL, update(1, 64, 3));
    }

    @Test
    void shouldReplyE2bigWhenUpdateKeyIsAtOrAboveMaxEntries() {
        assertEquals(MapResult.E2BIG, update(4, 64, CpuMap.ANY));
    }

    @Test
    void shouldReplyEexistWhenUpdateUsesNoexist() {
        assertEquals(MapResult.EEXIST, update(1, 64, CpuMap.NOEXIST));
    }

    @Test
    void shouldReplyEoverflowWhenQsizeIsAbove16384() {
        assertEquals(MapResult.EOVERFLOW, update(1, 16_385, CpuMap.ANY));
    }

    @Test
    void shouldReplyEnodevWhenKeyIsNotAUsableCpu() {
        assertEquals(MapResult.ENODEV, update(2, 64, CpuMap.ANY));
    }

    @Test
    void shouldDeleteWhenUpdateQsizeIsZero() {
        assertEquals(MapResult.OK, update(0, 0, CpuMap.ANY));
        assertNull(lookup(0));
    }

    @Test
    void shouldReplaceWithNewEntryWhenQsizeChanges() {
        assertEquals(64, lookup(0).qsize());
        assertEquals(MapResult.OK, update(0, 128, CpuMap.EXIST));
        assertEquals(128, lookup(0).qsize());
    }

    @Test
    void shouldReplyEinvalWhenDeleteKeyIsAtOrAboveMaxEntriesAndOkWhenSlotIsEmpty() {
        assertEquals(MapResult.EINVAL, delete(4));
        assertEquals(MapResult.OK, delete(3));
        assertEquals(MapResult.OK, delete(0));
        assertNull(lookup(0));
    }

    @Test
    void shouldFollowNextKeyRulesThroughProtocol() {
        assertEquals(new MapSupervisor.NextKeyReply(MapResult.OK, 0), nextKey(CpuMap.NO_KEY));
        assertEquals(new MapSupervisor.NextKeyReply(MapResult.OK, 0), nextKey(9));
        assertEquals(new MapSupervisor.NextKeyReply(MapResult.OK, 2), nextKey(1));
        assertEquals(MapResult.ENOENT, nextKey(3).result());
    }

    @Test
    void shouldReplyOkForUpdateOnUsableCpuAndStartItsConsumer() {
        assertEquals(MapResult.OK, update(3, 32, CpuMap.ANY));
        assertEquals(32, lookup(3).qsize());
        final TestProbe<EngineStats> stats = testKit.createTestProbe();
        supervisor.tell(new MapSupervisor.GetStats(stats.getRef()));
        assertEquals(2, stats.receiveMessage().entries());
    }

    @Test
    void shouldReturnEpermWhenHandleLacksAdminCapability() {
        try (SteerEngine engine = SteerEngine.builder().cpus(CpuSet.all(2)).entry(0, 64).pinning(false)
            .program(view -> Verdict.of(Verdict.DROP)).systemName("readonly").start()) {
            final SteerEngine readOnly = engine.withCapabilities(Capabilities.readOnly());
            assertEquals(MapResult.EPERM, readOnly.update(1, EntryValue.of(64), CpuMap.ANY));
            assertEquals(MapResult.EPERM, readOnly.delete(0));
            assertEquals(64, readOnly.lookup(0).qsize(), "lookups need no capability");
            assertEquals(MapResult.OK, engine.update(1, EntryValue.of(64), CpuMap.ANY));
            assertSame(Capabilities.admin(), engine.capabilities());
            assertTrue(engine.stats().entries() == 2);
        }
    }
}
