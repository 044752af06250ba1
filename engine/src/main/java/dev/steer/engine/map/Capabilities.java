package dev.steer.engine.map;

/**
 * What a holder of an engine handle may do: the analogue of {@code bpf_capable()}. Map administration
 * (creating a map, and through the engine handle updating and deleting entries) needs
 * {@link #mapAdmin()}; statistics and lookups do not. Immutable.
 */
public final class Capabilities {
    private static final Capabilities ADMIN = new Capabilities(true);
    private static final Capabilities READ_ONLY = new Capabilities(false);

    private final boolean mapAdmin;

    private Capabilities(boolean mapAdmin) {
        this.mapAdmin = mapAdmin;
    }

    /** Full rights, including map administration. */
    public static Capabilities admin() {
        return ADMIN;
    }

    /** Read-only rights: statistics and lookups. */
    public static Capabilities readOnly() {
        return READ_ONLY;
    }

    /** True when map administration is allowed. */
    public boolean mapAdmin() {
        return mapAdmin;
    }

    @Override
    public String toString() {
        return mapAdmin ? "Capabilities{admin}" : "Capabilities{read-only}";
    }
}
