package dev.ferry.tools.perf;

import dev.ferry.tools.common.CliException;
import dev.ferry.tools.common.ClientCommand;
import dev.ferry.tools.common.Clients;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ferry perf consume}: reads records as fast as possible and measures throughput. */
@Command(
    name = "consume",
    mixinStandardHelpOptions = true,
    description = {
      "Read --num-records records from the beginning of every partition (or as --group) and "
          + "report throughput and end-to-end latency (time read minus the record's timestamp: "
          + "meaningful while a producer is running).",
      "A progress line per second goes to stderr; the summary to stdout. Exits 1 if fewer "
          + "records arrived before --timeout-ms passed without any."
    })
public final class PerfConsumeCommand extends ClientCommand {

  @Option(
      names = {"-t", "--topic"},
      required = true,
      paramLabel = "TOPIC",
      description = "Topic to read.")
  String topic;

  @Option(
      names = "--num-records",
      paramLabel = "N",
      defaultValue = "100000",
      description = "Records to read (default: ${DEFAULT-VALUE}).")
  long numRecords;

  @Option(
      names = {"-g", "--group"},
      paramLabel = "GROUP",
      description = "Consume as this group (default: no group, every partition from the start).")
  String group;

  @Option(
      names = "--timeout-ms",
      paramLabel = "MS",
      defaultValue = "10000",
      description = "Give up after this long without a record (default: ${DEFAULT-VALUE}).")
  long timeoutMs;

  @Option(
      names = "--report-interval-ms",
      paramLabel = "MS",
      defaultValue = "1000",
      description = "How often a progress line is printed (default: ${DEFAULT-VALUE}).")
  long reportIntervalMs;

  @Override
  protected int run() throws Exception {
    if (numRecords < 1 || timeoutMs < 1 || reportIntervalMs < 1) {
      throw usage("--num-records, --timeout-ms and --report-interval-ms must be positive");
    }
    Meter meter;
    try (KafkaConsumer<byte[], byte[]> consumer =
        Clients.consumer(
            client, group, Map.of(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"))) {
      List<PartitionInfo> infos = consumer.partitionsFor(topic);
      if (infos == null || infos.isEmpty()) {
        throw new CliException("topic '" + topic + "' does not exist");
      }
      if (group == null) {
        List<TopicPartition> tps =
            infos.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
        consumer.assign(tps);
        consumer.seekToBeginning(tps);
      } else {
        consumer.subscribe(List.of(topic));
      }
      meter = new Meter(err(), "consumed", reportIntervalMs);
      long lastRecordNanos = System.nanoTime();
      while (meter.records() < numRecords
          && System.nanoTime() - lastRecordNanos < Duration.ofMillis(timeoutMs).toNanos()) {
        ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(100));
        if (records.isEmpty()) {
          continue;
        }
        lastRecordNanos = System.nanoTime();
        long nowMs = System.currentTimeMillis();
        for (ConsumerRecord<byte[], byte[]> r : records) {
          int size = Math.max(0, r.serializedKeySize()) + Math.max(0, r.serializedValueSize());
          meter.record((nowMs - r.timestamp()) * 1000, size);
        }
      }
      meter.close();
      if (group != null) {
        consumer.commitSync();
      }
    }
    meter.summary().print(out(), output.json());
    if (meter.records() < numRecords) {
      throw new CliException(
          "consumed only "
              + meter.records()
              + " of "
              + numRecords
              + " records: none arrived for "
              + timeoutMs
              + " ms");
    }
    return 0;
  }
}
