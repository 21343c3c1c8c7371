package dev.ferry.bench.workload;

import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Client settings of each workload, in one place so the report can quote them. Both brokers get
 * exactly the same clients.
 */
public final class ClientConfigs {

  /** Bytes of a v2 record batch header. */
  static final int BATCH_HEADER_BYTES = 61;

  /**
   * Bytes of one 200-byte record with no key or headers inside a batch while its offset and
   * timestamp deltas stay below 64: length varint (2) + attributes (1) + timestamp delta (1) +
   * offset delta (1) + key length -1 (1) + value length (2) + value (200) + header count (1).
   */
  static final int PAPER_RECORD_BYTES = 209;

  private ClientConfigs() {}

  /**
   * The paper's producer with a batch of one: {@code batch.size=1} makes every record close its own
   * batch, and a Produce request carries at most one batch per partition, so with one partition
   * each request carries exactly one message. linger.ms=0; up to five requests in flight per
   * connection (the client default) keep the link busy, as the paper's asynchronous producer did.
   */
  public static Properties paperBatchOf1(String bootstrap) {
    Properties p = base(bootstrap);
    p.put(ProducerConfig.ACKS_CONFIG, "1");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false");
    p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, "1");
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none");
    return p;
  }

  /**
   * The paper's producer with a batch of 50: batch.size holds 50 records of 200 bytes and not a
   * 51st (10,511 bytes plus 50 bytes of slack for wider timestamp deltas, less than a record), and
   * a long linger makes the producer wait until a batch is full; the final partial batch leaves at
   * flush. The producer's records-per-request-avg metric is reported to show the result.
   */
  public static Properties paperBatchOf50(String bootstrap) {
    Properties p = paperBatchOf1(bootstrap);
    p.put(
        ProducerConfig.BATCH_SIZE_CONFIG,
        Integer.toString(BATCH_HEADER_BYTES + 50 * PAPER_RECORD_BYTES + 50));
    p.put(ProducerConfig.LINGER_MS_CONFIG, "1000");
    return p;
  }

  /**
   * The producer client's own defaults, nothing set but the address and serializers (4.x: acks=all,
   * idempotent, no compression, linger.ms 5, batch.size 16 KiB, buffer.memory 32 MiB).
   */
  public static Properties clientDefaults(String bootstrap) {
    return base(bootstrap);
  }

  /**
   * Today's defaults for a durable producer: acks=all, idempotent, lz4, and the client's default
   * linger.ms (5) and batch.size (16 KiB).
   */
  public static Properties modern(String bootstrap) {
    Properties p = base(bootstrap);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    return p;
  }

  /**
   * Workload 4's producer: workload 3's durable settings without the 5 ms linger. A linger adds up
   * to its own length to every message's latency on both brokers alike, which would bury the
   * brokers' difference under the client's wait (at 1,000 msg/s most batches would leave on the
   * linger timer); the reference figures (Kafka ≈ 0.5 ms p50 and 3 ms p99, one message at a
   * time) are for a producer that sends at once.
   */
  public static Properties latency(String bootstrap) {
    Properties p = modern(bootstrap);
    p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
    return p;
  }

  /** A consumer with the client's defaults that reads by explicit assignment, no group. */
  public static Properties consumer(String bootstrap) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, "bench-consumer");
    return p;
  }

  /**
   * The start-up probe: reconnect and metadata back-offs short enough (≤ 50 ms) not to blur the
   * moment the broker becomes ready.
   */
  public static Properties startupProbe(String bootstrap) {
    Properties p = paperBatchOf1(bootstrap);
    p.put(ProducerConfig.RECONNECT_BACKOFF_MS_CONFIG, "10");
    p.put(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "50");
    p.put(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, "10");
    p.put(ProducerConfig.RETRY_BACKOFF_MAX_MS_CONFIG, "50");
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "2000");
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "2000");
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "4000");
    p.put(ProducerConfig.CLIENT_ID_CONFIG, "bench-startup-probe");
    return p;
  }

  private static Properties base(String bootstrap) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.CLIENT_ID_CONFIG, "bench-producer");
    return p;
  }
}
