package dev.steer.ingress.afpacket;

/**
 * Run in a child JVM by {@link AfPacketCapabilityTest} without CAP_NET_RAW: tries to open a feed on the
 * interface named by its argument and prints the error message, exit 3, or "opened", exit 0.
 */
final class OpenProbe {
    private OpenProbe() {
    }

    public static void main(String[] args) {
        try (AfPacketFeed feed = AfPacketFeed.open(AfPacketSettings.of(args[0]))) {
            System.out.println("opened " + feed.name());
        } catch (AfPacketException ex) {
            System.out.println(ex.getMessage());
            System.exit(3);
        }
    }
}
