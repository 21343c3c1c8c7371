package dev.ferry.bench;

import java.time.Duration;

/**
 * Sizes of the workloads. {@code warmup} is split between an untimed produce and read-back on each
 * fresh broker, so both JVMs have compiled their hot paths before anything is measured. Message
 * counts are upper bounds: a workload that reaches {@code workloadTimeout} stops and reports what
 * it did in that time.
 *
 * @param e2eRate offered load of the high-load latency test in msg/s; 0 means half of workload 3's
 *     throughput on the first broker of the same round (Kafka)
 */
public record WorkloadSettings(
    long batch1Messages,
    long batch50Messages,
    long modernMessages,
    double e2eRate,
    double lowRate,
    Duration e2eWarmup,
    Duration e2eMeasure,
    Duration warmup,
    Duration workloadTimeout,
    Duration startupTimeout) {}
