package dev.steer.ingress.udp;

import java.io.File;

/**
 * Run by {@link UdpEdgeTest} in a JVM with {@code -Djava.net.preferIPv4Stack=true}, whose sockets take no IPv6
 * address: opens a UDP feed and a sender on {@code ::1}, prints what each threw, then how many descriptors the
 * failed opens left behind.
 */
final class Ipv4OnlyProbe {
    private static final int TRIES = 10;

    private Ipv4OnlyProbe() {
    }

    public static void main(String[] args) {
        // A first try of each loads the classes (and opens the jars) that the counted tries use.
        System.out.println("feed: " + openFeed());
        System.out.println("sender: " + openSender());
        final int before = openDescriptors();
        for (int i = 0; i < TRIES; i++) {
            openFeed();
            openSender();
        }
        System.out.println("leaked descriptors: " + (openDescriptors() - before));
    }

    private static String openFeed() {
        try (UdpFeed feed = new UdpFeed(UdpSettings.defaults().withBind("::1", 0))) {
            return "bound " + feed.boundPort();
        } catch (RuntimeException ex) {
            return ex.toString();
        }
    }

    private static String openSender() {
        try (UdpSender sender = new UdpSender(UdpSenderSettings.of("::1", 9))) {
            return "connected " + sender.target();
        } catch (RuntimeException ex) {
            return ex.toString();
        }
    }

    private static int openDescriptors() {
        final String[] fds = new File("/proc/self/fd").list();
        return fds == null ? -1 : fds.length;
    }
}
