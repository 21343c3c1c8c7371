package dev.ferry.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.embedded.junit.FerryExtension;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * With {@code perMethod()} each test gets its own broker: the same topic is created afresh every
 * time and the first record lands at offset 0 again.
 */
class PerMethodExtensionTest {

  @RegisterExtension static FerryExtension ferry = FerryExtension.create().perMethod();

  private static final Set<EmbeddedFerry> seen = new HashSet<>();

  @RepeatedTest(3)
  void eachTestStartsFromAnEmptyBroker(EmbeddedFerry broker) throws Exception {
    assertThat(seen.add(broker)).as("a new instance for each test").isTrue();

    broker.createTopic("fresh", 1, 1);
    try (KafkaProducer<String, String> producer =
        Clients.producer(broker.bootstrapServers(), Map.of())) {
      long offset = producer.send(new ProducerRecord<>("fresh", "v")).get().offset();
      assertThat(offset).isZero();
    }
  }
}
