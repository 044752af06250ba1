package dev.steer.cluster.config;

import dev.steer.actors.SteerEngine;
import dev.steer.engine.map.EntryValue;

/**
 * Fills a {@link SteerEngine.Builder} with the local part of a {@link Deployment}: program, batches,
 * budget, idle mode, pinning, ingress CPUs, pool, lossless mode (the feed's {@code mode}), the map size and
 * this node's entries with their ring sizes and remote programs (a steering remote program redirects over the
 * node's other entries, {@link Deployment#remoteProgramTargets}).
 *
 * <p>What it leaves to the caller: the handlers, the feeds (open {@link Deployment#feed()} with
 * {@code FeedConfig.open(plan)}, add each feed with {@code builder.feed(f)}, and close the returned
 * {@code Opened} after the engine has shut down) and the CPU set (the builder's own default, or the set the
 * deployment was validated against, see {@link Deployment#engineBuilder(dev.steer.engine.map.CpuSet)}).
 *
 * <p>Local entries go in under their CPU, which is what the engine keys its map by; on a single node key
 * and CPU are equal. In a cluster the global key of a local entry may differ from its CPU, and the program's
 * targets are the local CPUs: translating global keys (and sending remote ones to their node) is the
 * distributed runtime's job, which reads {@link Deployment#map()} itself.
 *
 * <p>Thread contract: the thread that owns the builder; allocates, start-up only.
 */
public final class DeploymentApplier {
    private DeploymentApplier() {
    }

    /**
     * Sets the local settings of {@code deployment} on {@code builder}.
     *
     * @return the builder, for chaining
     */
    public static SteerEngine.Builder applyTo(Deployment deployment, SteerEngine.Builder builder) {
        final Deployment.EngineSettings engine = deployment.engine();
        builder.program(engine.program())
            .consumerBatch(engine.consumerBatch())
            .passBatch(engine.passBatch())
            .budget(engine.budget())
            .idleMode(engine.idle())
            .pinning(engine.pinning())
            .poolFrames(engine.poolFrames())
            .frameSize(engine.frameSize())
            .headroom(engine.headroom())
            .defaultQsize(deployment.map().defaultQsize())
            .lossless(deployment.feed() != null && deployment.feed().lossless());
        if (!engine.ingressCpus().isEmpty()) {
            builder.ingressCpus(engine.ingressCpus().stream().mapToInt(Integer::intValue).toArray());
        }
        if (!deployment.cluster().enabled()) {
            // A cluster map is larger than one machine's CPU limit; the local engine keeps its own default.
            builder.maxEntries(deployment.map().maxEntries());
        }
        for (Deployment.MapSettings.Entry entry : deployment.localEntries()) {
            // Without a cluster a key is its CPU, so the targets (keys) are the CPUs of the other local entries.
            builder.entry(entry.cpu(), new EntryValue(entry.qsize(), entry.remoteProgram()
                .map(name -> RemotePrograms.create(name, deployment.remoteProgramTargets(entry))).orElse(null)));
        }
        return builder;
    }
}
