package dev.steer.actors;

import dev.steer.engine.map.CpuMap;
import dev.steer.engine.stats.EngineStats;

/**
 * What every {@link SteerEngine} handle of one engine shares with its supervisor and its shutdown: the supervisor's
 * map, and the final stats once drained. Volatile fields, each written once; read from any thread.
 */
final class SharedState {
    /** Set by the supervisor as it starts. */
    volatile CpuMap map;
    /** Set once the engine has drained. */
    volatile EngineStats finalStats;
}
