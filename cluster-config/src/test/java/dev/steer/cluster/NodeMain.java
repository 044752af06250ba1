package dev.steer.cluster;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

import dev.steer.engine.path.FrameHandler;
import dev.steer.engine.stats.Accounting;
import dev.steer.engine.stats.DropReason;
import dev.steer.engine.stats.EngineStats;
import dev.steer.engine.stats.PathStats;

/**
 * A cluster node in a process of its own, for {@link MultiProcessTest} and {@link RestartLeaveTest}: joins the seed
 * given as the first argument (on the port given as the second, if any; else one the kernel picks), prints
 * {@code STEER address ...}, then answers {@code stats} on stdin with a {@code STEER stats} line and
 * {@code receiver} with a {@code STEER receiver} line, and ends on {@code shutdown} (or end of input) with a
 * {@code STEER final} line and a {@code STEER receiver} line after draining.
 */
final class NodeMain {
    private NodeMain() {
    }

    public static void main(String[] args) throws Exception {
        final AtomicLong handled = new AtomicLong();
        final FrameHandler handler = batch -> handled.addAndGet(batch.size());
        final ClusterSettings settings = Nodes.settings().seed(args[0]);
        if (args.length > 1) {
            settings.port(Integer.parseInt(args[1]));
        }
        final ClusterNode node = ClusterNode.start(settings, Nodes.engine(null, handler));
        System.out.println("STEER address " + node.address());
        System.out.flush();
        final BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null && !line.equals("shutdown")) {
            if (line.equals("stats")) {
                System.out.println("STEER stats " + line(node.stats().accounting(), handled.get())
                    + " " + node.upMembers());
                System.out.flush();
            } else if (line.equals("receiver")) {
                System.out.println("STEER receiver " + receiver(node.stats(), node.receiverStats()));
                System.out.flush();
            }
        }
        final EngineStats stats = node.shutdown();
        System.out.println("STEER final " + line(stats.accounting(), handled.get()));
        System.out.println("STEER receiver " + receiver(stats, node.receiverStats()));
        System.out.flush();
        System.exit(0);
    }

    /**
     * The receiver's received, its no_entry drops, all its drops, and the batches and frames it refused for another
     * incarnation of this node's address.
     */
    private static String receiver(EngineStats stats, ReceiverStats refused) {
        final PathStats row = ClusterAccounting.receiver(stats);
        long dropped = 0;
        for (long drops : row.drops()) {
            dropped += drops;
        }
        return ClusterAccounting.receiverReceived(stats) + " " + ClusterAccounting.receiverDrops(stats,
            DropReason.NO_ENTRY) + " " + dropped + " " + refused.refusedBatches() + " " + refused.refusedFrames();
    }

    /** received delivered dropped inFlight handled */
    private static String line(Accounting a, long handled) {
        return a.received() + " " + a.delivered() + " " + a.droppedTotal() + " " + a.inFlight() + " " + handled;
    }
}
