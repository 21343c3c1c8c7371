package dev.ferry.tools.console;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.tools.common.CliException;
import dev.ferry.tools.common.ClientCommand;
import dev.ferry.tools.common.Clients;
import dev.ferry.tools.common.Errors;
import dev.ferry.tools.common.Json;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ferry produce}: one record per input line. */
@Command(
    name = "produce",
    mixinStandardHelpOptions = true,
    description =
        "Send one record per line of standard input (or --file). Waits until every record is "
            + "acknowledged; exits 1 if any was not.")
public final class ProduceCommand extends ClientCommand {

  /** Compression codecs the Java producer offers, as its compression.type names them. */
  public enum Compression {
    none,
    gzip,
    snappy,
    lz4,
    zstd
  }

  @Option(
      names = {"-t", "--topic"},
      required = true,
      paramLabel = "TOPIC",
      description = "Topic to write to.")
  String topic;

  @Option(
      names = {"-f", "--file"},
      paramLabel = "FILE",
      description = "Read lines from this file instead of standard input.")
  Path file;

  @Option(
      names = {"-K", "--key-separator"},
      paramLabel = "SEP",
      description =
          "Split each line at the first SEP into key and value (lines without SEP are an error). "
              + "Without it records have no key.")
  String keySeparator;

  @Option(
      names = {"-H", "--header"},
      paramLabel = "KEY=VALUE",
      description = "A header added to every record; repeatable.")
  List<String> headers = new ArrayList<>();

  @Option(
      names = {"-p", "--partition"},
      paramLabel = "P",
      description = "Send every record to this partition (default: by key, else spread).")
  Integer partition;

  @Option(
      names = {"-z", "--compression"},
      paramLabel = "CODEC",
      defaultValue = "none",
      description = "Batch compression: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
  Compression compression;

  @Option(
      names = "--acks",
      paramLabel = "ACKS",
      defaultValue = "all",
      description = "all, 1 or 0 (default: ${DEFAULT-VALUE}).")
  String acks;

  @Option(names = "--linger-ms", paramLabel = "MS", defaultValue = "5", hidden = true)
  int lingerMs;

  @Override
  protected int run() throws Exception {
    if (!List.of("all", "-1", "1", "0").contains(acks)) {
      throw usage("--acks must be all, 1 or 0, not '" + acks + "'");
    }
    if (keySeparator != null && keySeparator.isEmpty()) {
      throw usage("--key-separator must not be empty");
    }
    List<Header> recordHeaders = parseHeaders();
    Map<String, Object> settings = new HashMap<>();
    settings.put(ProducerConfig.ACKS_CONFIG, acks);
    settings.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, compression.name());
    settings.put(ProducerConfig.LINGER_MS_CONFIG, lingerMs);
    // acks=0 and acks=1 cannot be idempotent; all keeps the client's default (idempotent).
    if (!acks.equals("all") && !acks.equals("-1")) {
      settings.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
    }

    AtomicLong acked = new AtomicLong();
    AtomicReference<Exception> failure = new AtomicReference<>();
    long sent = 0;
    try (KafkaProducer<byte[], byte[]> producer = Clients.producer(client, settings);
        BufferedReader in = reader()) {
      String line;
      long lineNumber = 0;
      while ((line = in.readLine()) != null && failure.get() == null) {
        lineNumber++;
        byte[] key = null;
        String value = line;
        if (keySeparator != null) {
          int at = line.indexOf(keySeparator);
          if (at < 0) {
            throw new CliException(
                "line " + lineNumber + " has no key separator '" + keySeparator + "'");
          }
          key = line.substring(0, at).getBytes(StandardCharsets.UTF_8);
          value = line.substring(at + keySeparator.length());
        }
        ProducerRecord<byte[], byte[]> record =
            new ProducerRecord<>(
                topic, partition, null, key, value.getBytes(StandardCharsets.UTF_8), recordHeaders);
        producer.send(
            record,
            (metadata, e) -> {
              if (e == null) {
                acked.incrementAndGet();
              } else {
                failure.compareAndSet(null, e);
              }
            });
        sent++;
      }
      producer.flush();
    }
    if (failure.get() != null) {
      throw new CliException(
          "sent "
              + sent
              + " record(s), "
              + acked.get()
              + " acknowledged; first failure: "
              + Errors.describe(failure.get(), client));
    }
    if (output.json()) {
      ObjectNode json = Json.object();
      json.put("topic", topic);
      json.put("records", acked.get());
      Json.print(out(), json);
    } else {
      out().printf("Produced %d record(s) to %s.%n", acked.get(), topic);
      out().flush();
    }
    return 0;
  }

  private BufferedReader reader() throws java.io.IOException {
    if (file != null) {
      return Files.newBufferedReader(file, StandardCharsets.UTF_8);
    }
    return new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
  }

  private List<Header> parseHeaders() {
    List<Header> out = new ArrayList<>();
    for (String h : headers) {
      int eq = h.indexOf('=');
      if (eq <= 0) {
        throw usage("--header expects KEY=VALUE, got '" + h + "'");
      }
      out.add(
          new RecordHeader(
              h.substring(0, eq), h.substring(eq + 1).getBytes(StandardCharsets.UTF_8)));
    }
    return out;
  }
}
