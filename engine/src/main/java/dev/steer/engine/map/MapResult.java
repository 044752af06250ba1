package dev.steer.engine.map;

/**
 * Result of a map operation, named after the errno the kernel's cpumap returns for the same case.
 * Map operations never throw for a refused operation; they return one of these.
 */
public enum MapResult {
    /** Done. */
    OK(0, "done"),
    /** The caller lacks the map-admin capability. */
    EPERM(1, "operation not permitted: the map-admin capability is required"),
    /** No such key, or no next key. */
    ENOENT(2, "no such entry"),
    /** Key or size beyond the map's limit. */
    E2BIG(7, "argument too big for the map"),
    /** Resources for the entry (ring, consumer) could not be had. */
    ENOMEM(12, "resources for the entry could not be had"),
    /**
     * The cluster map's owner refused a change because the changes waiting for their ordered rollout are at their
     * bound: nothing was changed; try again once the waiting changes have gone out. (The local map never returns it.)
     */
    EBUSY(16, "device or resource busy: the map owner's queue of changes waiting for their rollout is full"),
    /** Update refused because of the NOEXIST flag; a cpumap always refuses it. */
    EEXIST(17, "entry exists (a cpumap refuses NOEXIST updates)"),
    /** The key names a CPU the engine may not use. */
    ENODEV(19, "key is not a usable CPU"),
    /** Invalid argument: flags, sizes or keys. */
    EINVAL(22, "invalid argument"),
    /** Queue size above the limit, or a frame that does not fit its slot and headroom. */
    EOVERFLOW(75, "value too large");

    private final int errno;
    private final String description;

    MapResult(int errno, String description) {
        this.errno = errno;
        this.description = description;
    }

    /** The Linux errno number this result stands for (0 for OK). */
    public int errno() {
        return errno;
    }

    /** The kernel's negative return value for this result, e.g. -22 for EINVAL. */
    public int code() {
        return -errno;
    }

    /** One line saying what the result means. */
    public String description() {
        return description;
    }

    /** True for {@link #OK}. */
    public boolean isOk() {
        return this == OK;
    }
}
