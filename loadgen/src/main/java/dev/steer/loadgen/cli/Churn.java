package dev.steer.loadgen.cli;

import java.util.EnumMap;
import java.util.Map;
import java.util.SplittableRandom;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.steer.actors.SteerEngine;
import dev.steer.engine.map.CpuMap;
import dev.steer.engine.map.EntryValue;
import dev.steer.engine.map.MapResult;
import dev.steer.loadgen.stats.Units;

/**
 * Random map updates while traffic flows, as xdp-bench's {@code --stress-mode}: each step picks one of the
 * run's CPUs and replaces its entry with a new qsize (two steps in three) or deletes it; a deleted entry is
 * created again on its next turn. A replacement is the entry the run started with (its remote program, its
 * location) with another qsize. Every result code is counted.
 *
 * <p>Thread contract: one thread (the run's control loop).
 */
final class Churn {
    private final SteerEngine engine;
    private final int[] cpus;
    private final int qsize;
    private final SplittableRandom random;
    private final Map<MapResult, Long> updates = new EnumMap<>(MapResult.class);
    private final Map<MapResult, Long> deletes = new EnumMap<>(MapResult.class);
    private long steps;
    /** Each key's entry as the run started: a replacement keeps its remote program and location, only the qsize changes. */
    private final EntryValue[] initial;

    Churn(SteerEngine engine, int[] cpus, int qsize, long seed) {
        this.engine = engine;
        this.cpus = cpus.clone();
        this.qsize = qsize;
        this.random = new SplittableRandom(seed);
        this.initial = new EntryValue[this.cpus.length];
        for (int i = 0; i < this.cpus.length; i++) {
            initial[i] = engine.lookup(this.cpus[i]);
        }
    }

    /** One random map operation. */
    void step() {
        steps++;
        final int index = random.nextInt(cpus.length);
        final int cpu = cpus[index];
        if (engine.lookup(cpu) != null && random.nextInt(3) == 0) {
            deletes.merge(engine.delete(cpu), 1L, Long::sum);
        } else {
            final int size = Math.max(1, Math.min(CpuMap.MAX_QSIZE, qsize / 2 + random.nextInt(qsize + 1)));
            final EntryValue was = initial[index];
            final EntryValue value = was == null ? EntryValue.of(size) : new EntryValue(size, was.remoteProgram(), was.location());
            updates.merge(engine.update(cpu, value, 0), 1L, Long::sum);
        }
    }

    String describe() {
        return "churn: " + Units.count(steps) + " map operations: updates " + updates + ", deletes " + deletes;
    }

    ObjectNode toJson() {
        final ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("operations", steps);
        final ObjectNode u = node.putObject("updates");
        updates.forEach((result, count) -> u.put(result.name(), count));
        final ObjectNode d = node.putObject("deletes");
        deletes.forEach((result, count) -> d.put(result.name(), count));
        return node;
    }
}
