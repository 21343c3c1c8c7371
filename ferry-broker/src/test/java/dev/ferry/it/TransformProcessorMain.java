package dev.ferry.it;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * A consume-transform-produce processor in a JVM of its own (so a test can SIGKILL it): reads
 * {@code in} in group {@code group} at read_committed, writes each value upper-cased to the same
 * partition of {@code out}, and commits the output together with the consumed offsets in one
 * transaction per poll. Before each commit it prints {@code in-transaction <n>} (the batch's
 * records already sent and flushed to the broker) and holds the transaction open for {@code
 * holdMs}; after it prints {@code committed <n>}. It exits after {@code idleMs} without input.
 *
 * <p>Arguments: bootstrap in out group transactionalId holdMs idleMs
 */
public final class TransformProcessorMain {

  private TransformProcessorMain() {}

  public static void main(String[] args) throws Exception {
    String bootstrap = args[0];
    String in = args[1];
    String out = args[2];
    String group = args[3];
    String transactionalId = args[4];
    long holdMs = Long.parseLong(args[5]);
    long idleMs = Long.parseLong(args[6]);

    Map<String, Object> c = new HashMap<>();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    c.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 25);
    // A killed predecessor leaves the group after this, not after the 45 s default.
    c.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 6_000);
    c.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 1_000);
    Map<String, Object> p = new HashMap<>();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c);
        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
      producer.initTransactions();
      consumer.subscribe(List.of(in));
      int transactions = 0;
      long idleUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(idleMs);
      while (System.nanoTime() < idleUntil) {
        ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(100));
        if (records.isEmpty()) {
          continue;
        }
        producer.beginTransaction();
        Map<TopicPartition, OffsetAndMetadata> next = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
          String upper = new String(r.value(), StandardCharsets.UTF_8).toUpperCase();
          producer.send(
              new ProducerRecord<>(
                  out, r.partition(), r.key(), upper.getBytes(StandardCharsets.UTF_8)));
          next.put(
              new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
        }
        producer.sendOffsetsToTransaction(next, consumer.groupMetadata());
        producer.flush();
        System.out.println("in-transaction " + (transactions + 1));
        System.out.flush();
        Thread.sleep(holdMs); // the "work" of this batch: a kill now lands mid-transaction
        producer.commitTransaction();
        transactions++;
        System.out.println("committed " + transactions);
        System.out.flush();
        idleUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(idleMs);
      }
    }
    System.out.println("idle, exiting");
  }
}
