package dev.steer.cluster;

import java.util.Arrays;
import java.util.Objects;

import dev.steer.cluster.config.RemotePrograms;

/**
 * The remote program of a cluster map entry, by name, as the map owner keeps and publishes it: the node that
 * runs the entry's consumer makes the program from it ({@link RemotePrograms#create(String, int[])}); the other
 * nodes forward the entry's frames there and run nothing. Immutable (the targets are copied in and out).
 *
 * @param name    one of {@link RemotePrograms#names()}
 * @param targets keys a steering program redirects over: keys of the consumer's own node, never the entry's own
 *                key (empty for {@code pass} and {@code drop})
 */
public record RemoteProgramSpec(String name, int[] targets) {
    /** Copies {@code targets}. */
    public RemoteProgramSpec {
        Objects.requireNonNull(name, "name");
        targets = targets.clone();
    }

    /** A copy of the targets. */
    @Override
    public int[] targets() {
        return targets.clone();
    }

    /** Number of targets, without a copy. */
    int targetCount() {
        return targets.length;
    }

    /** The {@code i}-th target, without a copy. */
    int target(int i) {
        return targets[i];
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof RemoteProgramSpec spec && name.equals(spec.name) && Arrays.equals(targets, spec.targets);
    }

    @Override
    public int hashCode() {
        return 31 * name.hashCode() + Arrays.hashCode(targets);
    }

    @Override
    public String toString() {
        return targets.length == 0 ? name : name + " over " + Arrays.toString(targets);
    }
}
