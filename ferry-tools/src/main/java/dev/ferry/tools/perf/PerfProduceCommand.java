package dev.ferry.tools.perf;

import dev.ferry.tools.common.CliException;
import dev.ferry.tools.common.ClientCommand;
import dev.ferry.tools.common.Clients;
import dev.ferry.tools.common.Errors;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ferry perf produce}: sends fixed-size records as fast as allowed and measures acks. */
@Command(
    name = "produce",
    mixinStandardHelpOptions = true,
    description = {
      "Send --num-records records of --record-size random bytes, optionally throttled, and "
          + "report throughput and send-to-acknowledgement latency.",
      "A progress line per second goes to stderr; the summary to stdout."
    })
public final class PerfProduceCommand extends ClientCommand {

  @Option(
      names = {"-t", "--topic"},
      required = true,
      paramLabel = "TOPIC",
      description = "Topic to write to.")
  String topic;

  @Option(
      names = "--num-records",
      paramLabel = "N",
      defaultValue = "100000",
      description = "Records to send (default: ${DEFAULT-VALUE}).")
  long numRecords;

  @Option(
      names = "--record-size",
      paramLabel = "BYTES",
      defaultValue = "100",
      description = "Value size of each record (default: ${DEFAULT-VALUE}).")
  int recordSize;

  @Option(
      names = "--throughput",
      paramLabel = "RECORDS/S",
      defaultValue = "-1",
      description = "Cap the send rate; -1 for no cap (default: ${DEFAULT-VALUE}).")
  double throughput;

  @Option(
      names = "--acks",
      paramLabel = "ACKS",
      defaultValue = "all",
      description = "all, 1 or 0 (default: ${DEFAULT-VALUE}).")
  String acks;

  @Option(
      names = {"-z", "--compression"},
      paramLabel = "CODEC",
      defaultValue = "none",
      description = "none, gzip, snappy, lz4 or zstd (default: ${DEFAULT-VALUE}).")
  String compression;

  @Option(
      names = "--report-interval-ms",
      paramLabel = "MS",
      defaultValue = "1000",
      description = "How often a progress line is printed (default: ${DEFAULT-VALUE}).")
  long reportIntervalMs;

  @Override
  protected int run() throws Exception {
    if (numRecords < 1 || recordSize < 0 || reportIntervalMs < 1) {
      throw usage("--num-records must be positive, --record-size not negative");
    }
    if (!List.of("all", "-1", "1", "0").contains(acks)) {
      throw usage("--acks must be all, 1 or 0, not '" + acks + "'");
    }
    byte[] payload = new byte[recordSize];
    ThreadLocalRandom.current().nextBytes(payload);
    Map<String, Object> settings = new HashMap<>();
    settings.put(ProducerConfig.ACKS_CONFIG, acks);
    settings.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, compression);
    if (!acks.equals("all") && !acks.equals("-1")) {
      settings.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
    }
    AtomicReference<Exception> firstError = new AtomicReference<>();
    Meter meter;
    try (KafkaProducer<byte[], byte[]> producer = Clients.producer(client, settings)) {
      // Fetch metadata first so the first sends do not count the connection set-up.
      producer.partitionsFor(topic);
      meter = new Meter(err(), "sent", reportIntervalMs);
      long start = System.nanoTime();
      double nanosPerRecord = throughput > 0 ? TimeUnit.SECONDS.toNanos(1) / throughput : 0;
      for (long i = 0; i < numRecords; i++) {
        if (nanosPerRecord > 0) {
          long due = start + (long) (i * nanosPerRecord);
          long wait = due - System.nanoTime();
          if (wait > 0) {
            LockSupport.parkNanos(wait);
          }
        }
        long sentAt = System.nanoTime();
        producer.send(
            new ProducerRecord<>(topic, payload),
            (metadata, e) -> {
              if (e == null) {
                meter.record((System.nanoTime() - sentAt) / 1000, recordSize);
              } else {
                meter.error();
                firstError.compareAndSet(null, e);
              }
            });
      }
      producer.flush();
      meter.close();
    }
    meter.summary().print(out(), output.json());
    if (meter.errors() > 0) {
      throw new CliException(
          meter.errors()
              + " of "
              + numRecords
              + " records failed; first: "
              + Errors.describe(firstError.get(), client));
    }
    return 0;
  }
}
