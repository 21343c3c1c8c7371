package dev.ferry.bench;

import java.time.Duration;

/**
 * Workload 6, the three-broker cluster: it runs in rounds of its own after the single-node rounds
 * (Kafka cluster, Ferry cluster, Kafka cluster…), each on freshly started clusters.
 *
 * @param rounds rounds per system; 0 skips the cluster phase
 * @param brokers brokers per cluster
 * @param heap -Xms and -Xmx of every broker JVM of both systems
 * @param messages message count of the measured run, an upper bound like workloads 1–3
 * @param warmup least untimed produce on each fresh cluster before the measured run
 * @param warmupMax most of it, if the JIT compiler threads are still busy after {@code warmup}
 */
public record ClusterSettings(
    int rounds, int brokers, String heap, long messages, Duration warmup, Duration warmupMax) {}
