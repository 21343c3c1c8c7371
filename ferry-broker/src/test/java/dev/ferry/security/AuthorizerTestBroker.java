package dev.ferry.security;

import dev.ferry.it.TestBroker;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The broker the per-API authorization tests share: Kafka's StandardAuthorizer, the PLAIN users of
 * {@link SecureClusterConfig} on SASL_PLAINTEXT (also the inter-broker listener) and {@code admin}
 * as the one super user. Set-up runs as admin.
 */
final class AuthorizerTestBroker {

  private static final String LISTENER = "SASL_PLAINTEXT";

  private AuthorizerTestBroker() {}

  /** Starts the broker with {@code extra} settings on top of the shared ones. */
  static TestBroker start(Path dir, Map<String, String> extra) throws Exception {
    Map<String, String> settings = new HashMap<>(SecureClusterConfig.brokerSettings());
    settings.put(
        "authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
    settings.put("inter.broker.listener.name", LISTENER);
    settings.put("sasl.mechanism.inter.broker.protocol", "PLAIN");
    settings.put("super.users", "User:admin");
    settings.putAll(extra);
    return TestBroker.start(dir, settings);
  }

  /** Client settings of {@code user}, with admin timeouts short enough for a failing test. */
  static Properties client(TestBroker broker, String user) {
    Properties p =
        SecureClusterConfig.client(
            broker.broker().bootstrapServers(LISTENER), LISTENER, "PLAIN", user);
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "15000");
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
    return p;
  }

  /** Creates the topics, then the ACLs, as admin. */
  static void createTopicsAndAcls(TestBroker broker, List<NewTopic> topics, List<AclBinding> acls)
      throws Exception {
    try (Admin admin = Admin.create(client(broker, "admin"))) {
      admin.createTopics(topics).all().get(30, TimeUnit.SECONDS);
      admin.createAcls(acls).all().get(30, TimeUnit.SECONDS);
    }
  }

  /** A producer of admin's with string keys and values; the caller closes it. */
  static KafkaProducer<String, String> producer(TestBroker broker, Properties extra) {
    Properties p = client(broker, "admin");
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.putAll(extra);
    return new KafkaProducer<>(p);
  }

  /** Produces {@code values} to {@code topic} as admin, each acknowledged before the next. */
  static void produce(TestBroker broker, String topic, List<String> values) throws Exception {
    try (KafkaProducer<String, String> producer = producer(broker, new Properties())) {
      for (String value : values) {
        producer.send(new ProducerRecord<>(topic, value)).get(30, TimeUnit.SECONDS);
      }
    }
  }
}
