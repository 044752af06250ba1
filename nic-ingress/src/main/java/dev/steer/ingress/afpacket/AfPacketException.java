package dev.steer.ingress.afpacket;

/**
 * An AF_PACKET socket, ring or namespace could not be set up: one line naming what was attempted, the
 * interface, the errno and what to do about it. Thrown only when opening, never while polling or sending.
 */
public final class AfPacketException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int errno;

    /**
     * @param message the one-line explanation
     * @param errno   the errno of the failed call, 0 when none applies
     */
    public AfPacketException(String message, int errno) {
        super(message);
        this.errno = errno;
    }

    /** The errno of the failed call (1 = EPERM, 19 = ENODEV, 22 = EINVAL, ...), 0 when none applies. */
    public int errno() {
        return errno;
    }
}
