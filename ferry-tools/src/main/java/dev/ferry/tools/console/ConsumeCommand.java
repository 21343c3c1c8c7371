package dev.ferry.tools.console;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.tools.common.CliException;
import dev.ferry.tools.common.ClientCommand;
import dev.ferry.tools.common.Clients;
import dev.ferry.tools.common.Json;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.errors.WakeupException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ferry consume}: prints records of a topic. */
@Command(
    name = "consume",
    mixinStandardHelpOptions = true,
    description = {
      "Print records of a topic, one per line, on standard output; a count goes to stderr.",
      "--output json prints each record as one JSON object (topic, partition, offset, timestamp, "
          + "key, value, headers), as --format json does, and the count as JSON.",
      "Without --group every partition (or --partition) is read from the end, the beginning, "
          + "--offset or --from-timestamp, and nothing is committed. With --group the group's "
          + "committed offsets are used (--from-beginning: for partitions without one) and the "
          + "offsets of printed records are committed on exit."
    })
public final class ConsumeCommand extends ClientCommand {

  private static final Duration MAX_POLL = Duration.ofMillis(500);

  @Option(
      names = {"-t", "--topic"},
      required = true,
      paramLabel = "TOPIC",
      description = "Topic to read.")
  String topic;

  @Option(
      names = {"-g", "--group"},
      paramLabel = "GROUP",
      description = "Consume as a member of this consumer group.")
  String group;

  @Option(names = "--from-beginning", description = "Start at the oldest record.")
  boolean fromBeginning;

  @Option(
      names = {"-p", "--partition"},
      paramLabel = "P",
      description = "Read only this partition.")
  Integer partition;

  @Option(
      names = "--offset",
      paramLabel = "N",
      description = "Start at this offset (needs --partition).")
  Long offset;

  @Option(
      names = "--from-timestamp",
      paramLabel = "TIME",
      description =
          "Start at the first record at or after TIME (epoch ms or ISO-8601, e.g. "
              + "2024-01-31T12:00:00Z).")
  String fromTimestamp;

  @Option(
      names = "--format",
      paramLabel = "FORMAT",
      defaultValue = "value",
      description = "${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
  RecordFormat format;

  @Option(
      names = {"-K", "--key-separator"},
      paramLabel = "SEP",
      defaultValue = "\t",
      description = "Between key and value with --format kv (default: tab).")
  String keySeparator;

  @Option(
      names = {"-n", "--max-messages"},
      paramLabel = "N",
      description = "Exit after printing N records.")
  Long maxMessages;

  @Option(
      names = "--timeout-ms",
      paramLabel = "MS",
      description = "Exit when no record arrived for this long (default: wait forever).")
  Long timeoutMs;

  @Override
  protected int run() throws Exception {
    validate();
    Map<String, Object> settings = new HashMap<>();
    settings.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, fromBeginning ? "earliest" : "latest");
    KafkaConsumer<byte[], byte[]> consumer = Clients.consumer(client, group, settings);
    // Ctrl-C waits for the loop, the commit, leaving the group and the count line.
    StopOnShutdown stop = new StopOnShutdown(consumer);
    try {
      long count;
      try {
        List<TopicPartition> partitions = partitions(consumer);
        if (group == null) {
          position(consumer, partitions);
        } else {
          consumer.subscribe(List.of(topic));
        }
        Map<TopicPartition, OffsetAndMetadata> printed = new HashMap<>();
        count = poll(consumer, printed);
        if (group != null && !printed.isEmpty()) {
          consumer.commitSync(printed);
        }
      } finally {
        consumer.close();
      }
      if (output.json()) {
        ObjectNode summary = Json.object();
        summary.put("consumed", count);
        Json.printLine(err(), summary);
      } else {
        err().printf("Consumed %d record(s).%n", count);
      }
      err().flush();
    } finally {
      stop.close();
    }
    return 0;
  }

  /**
   * Prints records until --max-messages, --timeout-ms without records, or shutdown; records the
   * next offset of each partition printed in {@code printed}. Returns how many were printed.
   */
  private long poll(
      KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, OffsetAndMetadata> printed) {
    PrintWriter out = out();
    // --output json: one JSON object per record, whatever --format says.
    RecordFormat printAs = output.json() ? RecordFormat.json : format;
    long count = 0;
    long idleSince = System.nanoTime();
    try {
      while (maxMessages == null || count < maxMessages) {
        ConsumerRecords<byte[], byte[]> records = consumer.poll(pollTimeout(idleSince));
        if (records.isEmpty()) {
          if (timeoutMs != null
              && System.nanoTime() - idleSince >= Duration.ofMillis(timeoutMs).toNanos()) {
            break;
          }
          continue;
        }
        idleSince = System.nanoTime();
        for (ConsumerRecord<byte[], byte[]> r : records) {
          printAs.print(out, r, keySeparator);
          printed.put(
              new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
          count++;
          if (maxMessages != null && count >= maxMessages) {
            break;
          }
        }
        out.flush();
      }
    } catch (WakeupException shutdown) {
      // Ctrl-C or SIGTERM: stop here, like reaching the end
    }
    out.flush();
    return count;
  }

  private void validate() {
    if (offset != null && partition == null) {
      throw usage("--offset needs --partition");
    }
    int starts =
        (fromBeginning ? 1 : 0) + (offset != null ? 1 : 0) + (fromTimestamp != null ? 1 : 0);
    if (starts > 1) {
      throw usage("choose one of --from-beginning, --offset and --from-timestamp");
    }
    if (group != null && (partition != null || offset != null || fromTimestamp != null)) {
      throw usage(
          "--group takes its positions from the group: --partition, --offset and "
              + "--from-timestamp work only without it");
    }
    if (maxMessages != null && maxMessages < 1) {
      throw usage("--max-messages must be at least 1");
    }
  }

  private List<TopicPartition> partitions(KafkaConsumer<byte[], byte[]> consumer) {
    List<PartitionInfo> infos;
    try {
      infos = consumer.partitionsFor(topic);
    } catch (UnknownTopicOrPartitionException e) {
      infos = List.of();
    }
    if (infos == null || infos.isEmpty()) {
      throw new CliException("topic '" + topic + "' does not exist");
    }
    List<TopicPartition> all =
        infos.stream()
            .map(p -> new TopicPartition(topic, p.partition()))
            .sorted((a, b) -> Integer.compare(a.partition(), b.partition()))
            .toList();
    if (partition == null) {
      return all;
    }
    TopicPartition only = new TopicPartition(topic, partition);
    if (!all.contains(only)) {
      throw new CliException(
          "topic '" + topic + "' has no partition " + partition + " (it has " + all.size() + ")");
    }
    return List.of(only);
  }

  private void position(KafkaConsumer<byte[], byte[]> consumer, List<TopicPartition> partitions) {
    consumer.assign(partitions);
    if (offset != null) {
      consumer.seek(partitions.get(0), offset);
    } else if (fromTimestamp != null) {
      long ts;
      try {
        ts = StartPosition.parseTimestamp(fromTimestamp);
      } catch (IllegalArgumentException e) {
        throw usage(e.getMessage());
      }
      StartPosition.seekToTimestamp(consumer, partitions, ts);
    } else if (fromBeginning) {
      consumer.seekToBeginning(partitions);
    } else {
      consumer.seekToEnd(partitions);
    }
  }

  private Duration pollTimeout(long idleSinceNanos) {
    if (timeoutMs == null) {
      return MAX_POLL;
    }
    long left = timeoutMs - Duration.ofNanos(System.nanoTime() - idleSinceNanos).toMillis();
    return Duration.ofMillis(Math.max(1, Math.min(left, MAX_POLL.toMillis())));
  }
}
