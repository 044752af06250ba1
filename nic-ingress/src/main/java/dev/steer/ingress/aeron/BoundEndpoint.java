package dev.steer.ingress.aeron;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import io.aeron.ChannelUri;
import io.aeron.Subscription;
import io.aeron.status.ChannelEndpointStatus;

/**
 * Where an {@link AeronFeed}'s subscription listens, and the channel a publisher on this host reaches it on. For a UDP
 * {@code endpoint} with port 0 the media driver picks an ephemeral port when it binds the socket; {@link #of} waits
 * for the driver to report it and puts it in place of port 0. For any other channel both are as given.
 *
 * <p>Made once, while the feed is constructed (it may park); then immutable, read from any thread.
 *
 * @param resolved           the endpoint as {@code host:port}: the bound one for port 0, else the channel's
 *                           {@code endpoint} as given; null for a channel without one
 * @param publicationChannel the channel with {@code resolved} in place of an endpoint with port 0; for a spy, the
 *                           channel it reads; else the channel as given
 */
record BoundEndpoint(String resolved, String publicationChannel) {
    /**
     * The endpoint of {@code subscription}, waiting at most {@code timeoutNs} for the driver's report when the
     * channel's endpoint has port 0. Construction only.
     *
     * @throws IllegalStateException as {@link #await}
     */
    static BoundEndpoint of(Subscription subscription, AeronFeed.Settings settings, long timeoutNs) {
        final ChannelUri uri = ChannelUri.parse(settings.channel());
        final String endpoint = uri.get("endpoint");
        if (!portZero(endpoint)) {
            // A spy's publisher sends on the channel it reads.
            return new BoundEndpoint(endpoint, settings.spy()
                ? settings.channel().substring(AeronFeed.Settings.SPY_PREFIX.length()) : settings.channel());
        }
        final String resolved = await(subscription::resolvedEndpoint, subscription::channelStatus, subscription::isClosed,
            settings, timeoutNs);
        uri.put("endpoint", resolved);
        return new BoundEndpoint(resolved, uri.toString());
    }

    /** True for an endpoint {@code host:port} with port 0, which the media driver binds to a port of its own. */
    static boolean portZero(String endpoint) {
        return endpoint != null && endpoint.endsWith(":0");
    }

    /**
     * True for an endpoint {@code host:port} whose host is a multicast address literal: IPv4 224.0.0.0/4, or IPv6
     * ff00::/8 in brackets. A host name is not looked up (a lookup may wait on the system resolver) and reads false.
     */
    static boolean multicast(String endpoint) {
        final int colon = endpoint == null ? -1 : endpoint.lastIndexOf(':');
        if (colon <= 0) {
            return false;
        }
        final String host = endpoint.substring(0, colon);
        if (host.startsWith("[")) {
            return host.regionMatches(true, 1, "ff", 0, 2);
        }
        if (!host.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}")) {
            return false;
        }
        final int first = Integer.parseInt(host.substring(0, host.indexOf('.')));
        return first >= 224 && first <= 239;
    }

    /**
     * Waits, at most {@code timeoutNs}, for the media driver to report the endpoint it bound for a subscription whose
     * endpoint has port 0 (it normally has when the subscription is added). Construction only: parks 1 ms between looks.
     *
     * @param resolved      the driver's report, null (or still port 0) until it has bound the socket
     * @param channelStatus the subscription's channel status ({@link ChannelEndpointStatus})
     * @param closed        whether the subscription is closed (its client closed under the wait)
     * @return the bound endpoint, host:port
     * @throws IllegalStateException naming the channel and the stream, and why: the channel errored, the subscription
     *                               closed, or the driver has not reported a port within the wait (with the wait and the
     *                               channel's status)
     */
    static String await(Supplier<String> resolved, LongSupplier channelStatus, BooleanSupplier closed,
                        AeronFeed.Settings settings, long timeoutNs) {
        final long deadline = System.nanoTime() + timeoutNs;
        final String feed = "aeron channel='" + settings.channel() + "' stream " + settings.streamId() + ": ";
        while (true) {
            final String endpoint = resolved.get();
            if (endpoint != null && !portZero(endpoint)) {
                return endpoint;
            }
            if (closed.getAsBoolean()) {
                throw new IllegalStateException(feed + "the subscription closed before the media driver reported the"
                    + " port it bound for the endpoint with port 0 (its client closed?)");
            }
            final long status = channelStatus.getAsLong();
            if (status == ChannelEndpointStatus.ERRORED) {
                throw new IllegalStateException(feed + "the channel errored before the media driver reported the port"
                    + " it bound for the endpoint with port 0 (channel status ERRORED); see the driver's errors");
            }
            if (System.nanoTime() - deadline >= 0) {
                throw new IllegalStateException(feed + "the media driver did not report the port it bound for the"
                    + " endpoint with port 0 within " + TimeUnit.NANOSECONDS.toMillis(timeoutNs) + " ms (channel status "
                    + ChannelEndpointStatus.status(status) + "); give the endpoint a port of its own");
            }
            LockSupport.parkNanos(1_000_000);
        }
    }
}
