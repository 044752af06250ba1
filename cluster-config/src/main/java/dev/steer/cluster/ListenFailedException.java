package dev.steer.cluster;

/**
 * A node cannot listen on its host:port: thrown by {@link ClusterNode#start} with one line naming the address and what
 * to do, Artery's exception as the cause. {@link #setting()} says which setting to change, so that a caller naming
 * where that setting is written goes by this type, not by the wording of the message.
 */
public final class ListenFailedException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    /** The setting at fault. */
    public enum Setting {
        /** The host is not an address of this machine, or cannot be bound for a reason not the port's. */
        HOST,
        /**
         * The port is in use (another node or program holds it), or binding it is not permitted (below 1024 without
         * CAP_NET_BIND_SERVICE).
         */
        PORT
    }

    private final Setting setting;

    ListenFailedException(String message, Setting setting, Throwable cause) {
        super(message, cause);
        this.setting = setting;
    }

    /**
     * Which setting to change: {@link Setting#PORT} for a port in use or not permitted, {@link Setting#HOST}
     * otherwise.
     */
    public Setting setting() {
        return setting;
    }
}
