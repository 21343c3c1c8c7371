package dev.ferry.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.embedded.junit.FerryExtension;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** One broker for the class, through the extension; the Java client produces and consumes. */
class FerryExtensionTest {

  @RegisterExtension static FerryExtension ferry = FerryExtension.create();

  @Test
  void producedRecordsAreConsumedInOrderWithTheirOffsets(EmbeddedFerry broker) throws Exception {
    broker.createTopic("greetings", 1, 1);
    try (KafkaProducer<String, String> producer =
        Clients.producer(broker.bootstrapServers(), Map.of())) {
      for (int i = 0; i < 5; i++) {
        RecordMetadata acked =
            producer.send(new ProducerRecord<>("greetings", "k" + i, "hello " + i)).get();
        assertThat(acked.offset()).isEqualTo(i);
      }
    }

    try (KafkaConsumer<String, String> consumer =
        Clients.consumer(ferry.bootstrapServers(), "readers")) {
      consumer.subscribe(List.of("greetings"));
      List<ConsumerRecord<String, String>> got = Clients.poll(consumer, 5, Duration.ofSeconds(20));

      assertThat(got)
          .extracting(ConsumerRecord::offset, ConsumerRecord::key, ConsumerRecord::value)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple(0L, "k0", "hello 0"),
              org.assertj.core.groups.Tuple.tuple(1L, "k1", "hello 1"),
              org.assertj.core.groups.Tuple.tuple(2L, "k2", "hello 2"),
              org.assertj.core.groups.Tuple.tuple(3L, "k3", "hello 3"),
              org.assertj.core.groups.Tuple.tuple(4L, "k4", "hello 4"));
    }
  }

  @Test
  void theInjectedBrokerIsTheExtensionsBroker(EmbeddedFerry broker) {
    assertThat(broker).isSameAs(ferry.ferry());
    assertThat(broker.bootstrapServers()).startsWith("127.0.0.1:");
    assertThat(broker.brokerIds()).containsExactly(0);
  }
}
