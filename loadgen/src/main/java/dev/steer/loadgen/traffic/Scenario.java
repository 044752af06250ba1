package dev.steer.loadgen.traffic;

import com.typesafe.config.Config;

/**
 * A loaded scenario file: its validated traffic profile and its {@code run { }} block, which the
 * {@code steer} command interprets (duration, program, churn-interval, qsize). Immutable.
 *
 * @param name    the shipped name (e.g. {@code flood-64}) or the file path given
 * @param source  where it was read from: a class-path resource or an absolute file path
 * @param traffic the {@code traffic { }} block
 * @param run     the {@code run { }} block, empty when the file has none
 * @param config  the whole file as read and resolved, for the {@code steer} command to layer under its options
 */
public record Scenario(String name, String source, TrafficProfile traffic, Config run, Config config) {
}
