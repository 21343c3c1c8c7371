package dev.ferry.tools.common;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Builds the Kafka Java clients the commands use, all bounded by {@code --request-timeout-ms} so a
 * dead or unreachable cluster fails the command instead of hanging it.
 */
public final class Clients {

  private static final String CLIENT_ID = "ferry-cli";

  private Clients() {}

  public static Admin admin(ClientOptions options) {
    Map<String, Object> p = common(options);
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, options.requestTimeoutMs);
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, options.requestTimeoutMs);
    p.putAll(options.extraProperties());
    return Admin.create(p);
  }

  /** A byte-array producer; {@code settings} (acks, compression...) go under the user's extras. */
  public static KafkaProducer<byte[], byte[]> producer(
      ClientOptions options, Map<String, Object> settings) {
    Map<String, Object> p = common(options);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, options.requestTimeoutMs);
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, options.requestTimeoutMs);
    // Must cover linger plus one request timeout; a little slack for the default linger.
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, options.requestTimeoutMs + 1_000);
    p.putAll(settings);
    p.putAll(options.extraProperties());
    return new KafkaProducer<>(p);
  }

  /**
   * A byte-array consumer that never creates topics and never commits on its own; {@code groupId}
   * may be null (partitions are then assigned, not subscribed).
   */
  public static KafkaConsumer<byte[], byte[]> consumer(
      ClientOptions options, String groupId, Map<String, Object> settings) {
    Map<String, Object> p = common(options);
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, options.requestTimeoutMs);
    p.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, options.requestTimeoutMs);
    p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    if (groupId != null) {
      p.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
    }
    p.putAll(settings);
    p.putAll(options.extraProperties());
    return new KafkaConsumer<>(p);
  }

  private static Map<String, Object> common(ClientOptions options) {
    Map<String, Object> p = new HashMap<>();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, options.bootstrapServer);
    p.put(AdminClientConfig.CLIENT_ID_CONFIG, CLIENT_ID);
    p.put(
        AdminClientConfig.SOCKET_CONNECTION_SETUP_TIMEOUT_MS_CONFIG,
        Math.min(options.requestTimeoutMs, 10_000));
    return p;
  }
}
