package dev.steer.loadgen.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.apache.pekko.actor.AddressFromURIString;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.cluster.typed.Leave;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import dev.steer.actors.SteerEngine;
import dev.steer.cluster.ClusterNode;
import dev.steer.cluster.config.Deployment;
import dev.steer.cluster.config.DeploymentApplier;
import dev.steer.cluster.config.DeploymentLoader;
import dev.steer.engine.map.CpuMap;
import dev.steer.engine.map.MapResult;
import dev.steer.ingress.HeldPorts;

/**
 * A node of a deployment file places its entries through the cluster map owner at start ({@link ClusterRun#start}):
 * an owner that answers {@code EBUSY} (64 changes wait for their rollout; try again) does not fail the start.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ClusterRunPlacementTest {
    /** Ports written into deployment files, held until the test has ended: see {@link HeldPorts}. */
    @RegisterExtension
    final HeldPorts ports = new HeldPorts();

    @Test
    void shouldPlaceTheFilesEntriesWhenTheOwnerIsBusyAtStart(@TempDir Path dir) throws Exception {
        // node-2 starts seconds after its port is chosen, while node-1 and node-3 open connections from ephemeral
        // ports, which may take it: the port stays held, and node-2 binds it held.
        final int nodeTwoPort = ports.next();
        final Path file = dir.resolve("busy.conf");
        Files.writeString(file, String.join("\n",
            "steer {",
            "  engine { program = l4-hash, pinning = false }",
            "  map {",
            "    max-entries = 2",
            "    entries = [ { key = 1, node = node-2, cpu = 0, qsize = 512 } ]",
            "  }",
            "  feed { type = synthetic }",
            "  cluster {",
            "    enabled = true",
            "    nodes = [ { name = node-1, host = \"127.0.0.1\", port = " + ports.next() + " },",
            "              { name = node-2, host = \"127.0.0.1\", port = " + nodeTwoPort + " },",
            "              { name = node-3, host = \"127.0.0.1\", port = " + ports.next() + " } ]",
            "    seed-nodes = [ node-1 ]",
            "  }",
            "}",
            ""));
        final DeploymentLoader loader = new DeploymentLoader();
        final Deployment first = loader.load(file, "node-1");
        // node-1 is the oldest: the owner. node-3 is a member without a map agent (a plain actor system): it answers
        // no publication, so each change waits its step timeout for it, and the changes queue behind.
        final ClusterNode one = ClusterNode.start(first.clusterNodeSettings("steer"),
            DeploymentApplier.applyTo(first, SteerEngine.builder()));
        ActorSystem<Void> silent = null;
        ClusterNode two = null;
        try {
            assertTrue(one.awaitMembers(1, Duration.ofSeconds(20)), "node-1 up");
            silent = ActorSystem.create(Behaviors.empty(), "steer",
                loader.load(file, "node-3").clusterNodeSettings("steer").conclude().toConfig());
            Cluster.get(silent).manager().tell(Join.create(AddressFromURIString.parse(one.address())));
            assertTrue(one.awaitMembers(2, Duration.ofSeconds(20)), "node-3 up");
            int accepted = 0;
            while (one.update(0, accepted % 2 == 0 ? 64 : 128, one.address(), 0, CpuMap.ANY) == MapResult.OK) {
                accepted++;
                assertTrue(accepted < 200, "the owner refuses changes once 64 wait");
            }
            final long busyBefore = one.mapChangesRefusedBusy();

            final Deployment second = loader.load(file, "node-2");
            final CompletableFuture<ClusterNode> started = CompletableFuture.supplyAsync(() -> ClusterRun.start(second,
                DeploymentApplier.applyTo(second, SteerEngine.builder()), line -> { }, () -> false));
            // node-2 asked while the changes wait: the owner answered EBUSY.
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
            while (one.mapChangesRefusedBusy() == busyBefore && !started.isDone() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertTrue(one.mapChangesRefusedBusy() > busyBefore, () -> "node-2's placement was refused EBUSY; the start "
                + (started.isDone() ? "ended: " + started.handle((node, error) -> error == null ? node : error).join()
                : "still waits"));
            // The silent member leaves: the steps stop waiting for it, the waiting changes go out.
            final Cluster silentCluster = Cluster.get(silent);
            silentCluster.manager().tell(Leave.create(silentCluster.selfMember().address()));
            two = started.get(60, TimeUnit.SECONDS);
            assertTrue(two.awaitEntry(1, 512, Duration.ofSeconds(10)) && one.awaitEntry(1, 512, Duration.ofSeconds(10)),
                "key 1 on node-2, everywhere");
            assertEquals(accepted % 2 == 0 ? 128 : 64, one.engine().lookup(0).qsize(), "every accepted change went out");
        } finally {
            if (two != null) {
                two.shutdown();
            }
            if (silent != null) {
                silent.terminate();
                silent.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
            }
            one.shutdown();
        }
    }
}
