package dev.ferry.registry.store;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The schemas log as a compacted, single-partition Kafka topic, used through the ordinary Kafka
 * clients exactly as Confluent's registry does (so it is replicated, compacted and authorized like
 * any topic). One reader thread applies every record to the state and publishes how far it has
 * read; writers wait on that position to see their own write.
 */
public final class KafkaSchemaLog implements SchemaLog {

  private static final Logger log = LoggerFactory.getLogger(KafkaSchemaLog.class);

  private final String topic;
  private final TopicPartition partition;
  private final RegistryState state;
  private final Admin admin;
  private final KafkaProducer<byte[], byte[]> producer;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Thread reader;
  private final Object progress = new Object();
  private long position; // next offset to read; guarded by progress
  private volatile boolean closed;

  /**
   * Creates the topic if it is missing ({@code cleanup.policy=compact}, one partition, the
   * replication factor capped at the live brokers) and starts reading it from the beginning.
   *
   * @param clients Kafka client settings (bootstrap servers, security) shared by admin, producer
   *     and consumer
   */
  public KafkaSchemaLog(
      Map<String, Object> clients,
      String topic,
      short replicationFactor,
      RegistryState state,
      String clientId)
      throws InterruptedException, ExecutionException, TimeoutException {
    this.topic = topic;
    this.partition = new TopicPartition(topic, 0);
    this.state = state;
    Properties common = new Properties();
    common.putAll(clients);
    Properties a = (Properties) common.clone();
    a.put("client.id", clientId + "-admin");
    this.admin = Admin.create(a);
    try {
      createTopic(replicationFactor);
    } catch (InterruptedException | ExecutionException | TimeoutException | RuntimeException e) {
      admin.close(Duration.ZERO);
      throw e;
    }
    Properties p = (Properties) common.clone();
    p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId + "-writer");
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "10000");
    p.put(ProducerConfig.METADATA_MAX_AGE_CONFIG, "5000");
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    this.producer = new KafkaProducer<>(p);
    Properties c = (Properties) common.clone();
    c.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId + "-reader");
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    this.consumer = new KafkaConsumer<>(c);
    consumer.assign(List.of(partition));
    consumer.seekToBeginning(List.of(partition));
    this.reader = new Thread(this::readLoop, clientId + "-reader");
    reader.setDaemon(true);
    reader.start();
  }

  private void createTopic(short replicationFactor)
      throws InterruptedException, ExecutionException, TimeoutException {
    if (admin.listTopics().names().get(30, TimeUnit.SECONDS).contains(topic)) {
      return;
    }
    int brokers = admin.describeCluster().nodes().get(30, TimeUnit.SECONDS).size();
    short rf = (short) Math.max(1, Math.min(replicationFactor, brokers));
    try {
      admin
          .createTopics(
              List.of(new NewTopic(topic, 1, rf).configs(Map.of("cleanup.policy", "compact"))))
          .all()
          .get(30, TimeUnit.SECONDS);
      log.info("Created the schemas topic {} (replication factor {})", topic, rf);
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw e;
      }
    }
  }

  private void readLoop() {
    while (!closed) {
      try {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          if (r.key() != null) {
            state.apply(r.key(), r.value());
          }
        }
        long next = consumer.position(partition);
        synchronized (progress) {
          if (next != position) {
            position = next;
            progress.notifyAll();
          }
        }
      } catch (WakeupException e) {
        return;
      } catch (RuntimeException e) {
        if (closed) {
          return;
        }
        log.warn("Reading the schemas topic failed, retrying: {}", e.toString());
        try {
          Thread.sleep(500);
        } catch (InterruptedException ie) {
          return;
        }
      }
    }
  }

  @Override
  public void catchUp(long timeoutMs) throws TimeoutException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    long end;
    try {
      ListOffsetsResult.ListOffsetsResultInfo info =
          admin
              .listOffsets(Map.of(partition, OffsetSpec.latest()))
              .partitionResult(partition)
              .get(timeoutMs, TimeUnit.MILLISECONDS);
      end = info.offset();
    } catch (ExecutionException e) {
      throw new TimeoutException("Cannot read the end of " + topic + ": " + e.getCause());
    }
    awaitPosition(end, deadline);
  }

  @Override
  public void append(byte[] key, byte[] value, long timeoutMs)
      throws TimeoutException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    RecordMetadata written;
    try {
      written =
          producer
              .send(new ProducerRecord<>(topic, 0, key, value))
              .get(timeoutMs, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new TimeoutException("Writing to " + topic + " failed: " + e.getCause());
    }
    awaitPosition(written.offset() + 1, deadline);
  }

  private void awaitPosition(long offset, long deadline)
      throws TimeoutException, InterruptedException {
    synchronized (progress) {
      while (position < offset) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new TimeoutException(
              "The schemas topic was read to " + position + ", not yet to " + offset);
        }
        TimeUnit.NANOSECONDS.timedWait(progress, left);
      }
    }
  }

  @Override
  public OptionalInt writerBrokerId() {
    try {
      List<PartitionInfo> parts = producer.partitionsFor(topic);
      for (PartitionInfo p : parts) {
        if (p.partition() == 0 && p.leader() != null && !p.leader().isEmpty()) {
          return OptionalInt.of(p.leader().id());
        }
      }
    } catch (RuntimeException e) {
      log.debug("No leader for {}: {}", topic, e.toString());
    }
    return OptionalInt.empty();
  }

  @Override
  public void close() {
    closed = true;
    consumer.wakeup();
    try {
      reader.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    consumer.close(Duration.ofSeconds(1));
    producer.close(Duration.ofSeconds(1));
    admin.close(Duration.ofSeconds(1));
  }
}
