package dev.steer.cluster;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

import dev.steer.engine.path.FrameHandler;
import dev.steer.engine.stats.Accounting;

/**
 * A cluster node in a process of its own, for {@link MultiProcessTest}: joins the seed given as the first
 * argument, prints {@code STEER address ...}, then answers {@code stats} on stdin with a {@code STEER stats}
 * line and ends on {@code shutdown} (or end of input) with a {@code STEER final} line after draining.
 */
final class NodeMain {
    private NodeMain() {
    }

    public static void main(String[] args) throws Exception {
        final AtomicLong handled = new AtomicLong();
        final FrameHandler handler = batch -> handled.addAndGet(batch.size());
        final ClusterNode node = ClusterNode.start(Nodes.settings().seed(args[0]), Nodes.engine(null, handler));
        System.out.println("STEER address " + node.address());
        System.out.flush();
        final BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null && !line.equals("shutdown")) {
            if (line.equals("stats")) {
                System.out.println("STEER stats " + line(node.stats().accounting(), handled.get())
                    + " " + node.upMembers());
                System.out.flush();
            }
        }
        final Accounting last = node.shutdown().accounting();
        System.out.println("STEER final " + line(last, handled.get()));
        System.out.flush();
        System.exit(0);
    }

    /** received delivered dropped inFlight handled */
    private static String line(Accounting a, long handled) {
        return a.received() + " " + a.delivered() + " " + a.droppedTotal() + " " + a.inFlight() + " " + handled;
    }
}
