package dev.steer.actors;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntPredicate;

import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

import dev.steer.engine.map.CpuMapEntry;

/**
 * A remote consumer factory whose consumers, numbered from 1 as made, stop on their first {@link DataPath.Quiesce}
 * when their number is one that {@code dies} accepts, and acknowledge it otherwise: a consumer that dies as a
 * barrier's answer, deterministically. Every one stops on {@link DataPath.Stop}; none reads its ring.
 */
final class QuiesceDyingConsumers implements RemoteConsumerFactory {
    private final AtomicInteger made = new AtomicInteger();
    private final IntPredicate dies;

    QuiesceDyingConsumers(IntPredicate dies) {
        this.dies = dies;
    }

    @Override
    public Behavior<DataPath.Command> create(CpuMapEntry entry, ControlSignal signal) {
        return Behaviors.setup(context -> {
            final boolean dieOnQuiesce = dies.test(made.incrementAndGet());
            return Behaviors.receive(DataPath.Command.class)
                .onMessage(DataPath.Quiesce.class, quiesce -> {
                    if (dieOnQuiesce) {
                        return Behaviors.stopped();
                    }
                    DataPath.acknowledge(quiesce, context.getSelf());
                    return Behaviors.same();
                })
                .onMessageEquals(DataPath.Stop.INSTANCE, Behaviors::stopped)
                .onAnyMessage(message -> Behaviors.same())
                .build();
        });
    }

    /** Consumers made so far. */
    int made() {
        return made.get();
    }
}
