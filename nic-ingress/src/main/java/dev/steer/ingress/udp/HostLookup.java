package dev.steer.ingress.udp;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A host name's lookup with a time limit: the system resolver waits for a name server as long as it takes, and a
 * lookup cannot be interrupted, so a feed's bind address or a sender's target whose name server never answers would
 * hang the start (and with it Ctrl-C, whose hook waits for the start to end). Off the hot path: a thread start per
 * lookup.
 */
public final class HostLookup {
    /** How long a lookup may take. */
    public static final Duration LIMIT = Duration.ofSeconds(5);

    /** A lookup that did not answer within its limit. Its message says so, and what to do. */
    public static final class TimedOut extends UnknownHostException {
        private static final long serialVersionUID = 1L;

        TimedOut(Duration limit) {
            super("did not resolve within " + (limit.toMillis() % 1000 == 0 ? limit.toSeconds() + " s"
                : limit.toMillis() + " ms") + "; give an address, or a name the resolver answers");
        }
    }

    private HostLookup() {
    }

    /**
     * {@code host}'s address: an address as it is, a name looked up on a daemon thread of its own and waited for at
     * most {@code limit}; a lookup that runs over is left to end on its own while the caller goes on.
     *
     * @throws TimedOut             when the lookup did not answer within {@code limit}
     * @throws UnknownHostException the resolver's own, when the host does not resolve
     * @throws IllegalStateException when the calling thread is interrupted while it waits (its interrupt is set again)
     */
    public static InetAddress resolve(String host, Duration limit) throws UnknownHostException {
        if (host != null) {
            try {
                return InetAddress.ofLiteral(host); // an address, not a name: nothing to look up, no thread
            } catch (IllegalArgumentException notAnAddress) {
                // A name (or a bracketed or malformed literal, which getByName tells apart): looked up below.
            }
        }
        final FutureTask<InetAddress> lookup = new FutureTask<>(() -> InetAddress.getByName(host));
        Thread.ofPlatform().daemon().name("steer-resolve").start(lookup);
        try {
            return lookup.get(limit.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException ex) {
            lookup.cancel(true);
            throw new TimedOut(limit);
        } catch (ExecutionException ex) {
            if (ex.getCause() instanceof UnknownHostException unknown) {
                throw unknown;
            }
            // getByName throws nothing else checked; a resolver provider's unchecked failure, as it is.
            throw ex.getCause() instanceof RuntimeException runtime ? runtime
                : new IllegalStateException("host " + host + ": lookup failed: " + ex.getCause(), ex.getCause());
        } catch (InterruptedException ex) {
            lookup.cancel(true);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while looking up host " + host, ex);
        }
    }
}
