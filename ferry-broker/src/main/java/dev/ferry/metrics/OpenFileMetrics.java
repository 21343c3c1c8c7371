package dev.ferry.metrics;

import dev.ferry.storage.LogManager;
import dev.ferry.storage.OpenFiles;
import dev.ferry.storage.PartitionLog;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * File descriptors against the open-files limit, and the log segments that hold most of them (one
 * each), read at scrape time. Alert well before {@code ferry_open_file_descriptors} reaches {@code
 * ferry_open_file_descriptors_limit}: past it, new partitions and segment rolls fail (the broker
 * also logs a warning at 80 %).
 */
public final class OpenFileMetrics {

  public OpenFileMetrics(PrometheusRegistry registry, OpenFiles openFiles, LogManager logs) {
    GaugeWithCallback.builder()
        .name("ferry_open_file_descriptors")
        .help("File descriptors the broker process has open (log segments, sockets, other files)")
        .callback(cb -> cb.call(openFiles.open()))
        .register(registry);
    GaugeWithCallback.builder()
        .name("ferry_open_file_descriptors_limit")
        .help("The broker process's open-files limit (ulimit -n, systemd LimitNOFILE)")
        .callback(cb -> cb.call(openFiles.limit()))
        .register(registry);
    GaugeWithCallback.builder()
        .name("ferry_log_segments")
        .help("Log segments of all partitions, each holding one file descriptor")
        .callback(cb -> cb.call(segments(logs)))
        .register(registry);
  }

  private static long segments(LogManager logs) {
    long n = 0;
    for (PartitionLog l : logs.all()) {
      n += l.segmentCount();
    }
    return n;
  }
}
