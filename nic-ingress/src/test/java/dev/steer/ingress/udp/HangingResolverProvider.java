package dev.steer.ingress.udp;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.net.spi.InetAddressResolver;
import java.net.spi.InetAddressResolverProvider;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * The name resolver of nic-ingress' test JVM, and of the modules' that take its test jar: the built-in one, except
 * for {@link #HANGING_HOST}, whose lookup hangs as one to a name server that never answers does, without a network,
 * and {@link #UNKNOWN_HOST}, which does not resolve at once, as a name the name server does not know.
 * It ends after {@link #HANG_SECONDS}, failing, so that no lookup thread outlives the test JVM's tests by long.
 */
public final class HangingResolverProvider extends InetAddressResolverProvider {
    /** A name whose lookup hangs. */
    public static final String HANGING_HOST = "lookup-hangs.steer.test";
    /** A name that does not resolve, answered at once. */
    public static final String UNKNOWN_HOST = "no-such-host.steer.test";
    /** How long a lookup of {@link #HANGING_HOST} hangs before it fails. */
    public static final long HANG_SECONDS = 30;

    @Override
    public InetAddressResolver get(Configuration configuration) {
        final InetAddressResolver builtin = configuration.builtinResolver();
        return new InetAddressResolver() {
            @Override
            public Stream<InetAddress> lookupByName(String host, LookupPolicy policy) throws UnknownHostException {
                if (UNKNOWN_HOST.equalsIgnoreCase(host)) {
                    throw new UnknownHostException(host);
                }
                if (!HANGING_HOST.equalsIgnoreCase(host)) {
                    return builtin.lookupByName(host, policy);
                }
                throw hang(host);
            }

            @Override
            public String lookupByAddress(byte[] address) throws UnknownHostException {
                return builtin.lookupByAddress(address);
            }
        };
    }

    /**
     * The lookup of {@code host} that hangs: waits {@link #HANG_SECONDS}, deaf to interrupts as a native lookup is, then
     * gives the failure to throw. An interrupt is taken and set again at the end: a park returns at once while it is
     * set, so the wait would spin on a core instead.
     */
    public static UnknownHostException hang(String host) {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(HANG_SECONDS);
        boolean interrupted = false;
        while (System.nanoTime() - deadline < 0) {
            LockSupport.parkNanos(deadline - System.nanoTime());
            interrupted |= Thread.interrupted();
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return new UnknownHostException(host + ": no answer");
    }

    @Override
    public String name() {
        return "steer-test-hanging-resolver";
    }
}
