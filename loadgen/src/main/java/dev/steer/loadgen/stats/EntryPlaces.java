package dev.steer.loadgen.stats;

import java.util.Map;
import java.util.Objects;
import java.util.function.IntFunction;

import dev.steer.engine.map.EntryLocation;
import dev.steer.engine.stats.PathStats;

/**
 * Where the entry of each map key runs, and the one name every output gives an entry's row: {@code key K cpu C},
 * with the node first ({@code key K node-1 cpu C}) when another node serves the key. In the kernel's cpumap the key
 * is the CPU; a key of a cluster map may name a CPU of another number, or of another node, so the key alone does
 * not say where its entry runs.
 *
 * <p>Immutable; any thread; naming allocates, off the data path.
 */
public final class EntryPlaces {
    private static final EntryPlaces KEY_IS_CPU = new EntryPlaces(EntryLocation::local);

    private final IntFunction<EntryLocation> placeOfKey;

    private EntryPlaces(IntFunction<EntryLocation> placeOfKey) {
        this.placeOfKey = placeOfKey;
    }

    /** One node, as the kernel's cpumap: the entry of key K runs on this node's CPU K. */
    public static EntryPlaces keyIsCpu() {
        return KEY_IS_CPU;
    }

    /**
     * Places given per key, a cluster node's say: a location of no node is this node; a key missing from
     * {@code places} is not known (its row shows the key alone).
     */
    public static EntryPlaces of(Map<Integer, EntryLocation> places) {
        final Map<Integer, EntryLocation> copy = Map.copyOf(places);
        return new EntryPlaces(copy::get);
    }

    /** Where the entry of {@code key} runs; null when the key is negative (no entry) or not known. */
    public EntryLocation place(int key) {
        return key < 0 ? null : placeOfKey.apply(key);
    }

    /**
     * The name of a row in the outputs meant for people: a consumer's {@code key K cpu C} (or {@code key K NODE cpu C},
     * or {@code key K} when its place is not known); a row of no key (an ingress, the supervisor's) keeps its own name.
     */
    public String label(PathStats row) {
        Objects.requireNonNull(row, "row");
        if (row.key() < 0) {
            return row.name();
        }
        final EntryLocation place = place(row.key());
        if (place == null) {
            return "key " + row.key();
        }
        return "key " + row.key() + (place.isRemote() ? " " + place.node() : "") + " cpu " + place.cpu();
    }
}
