package com.example.orders;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ferry.embedded.junit.FerryExtension;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.core.env.MapPropertySource;
import org.springframework.kafka.core.KafkaTemplate;

/** A Spring Kafka @KafkaListener receives, through a real broker, what a KafkaTemplate sends. */
class OrderListenerSpringTest {

  @RegisterExtension static FerryExtension ferry = FerryExtension.create();

  @Test
  void theListenerReceivesEveryOrderInOrder() throws Exception {
    ferry.ferry().createTopic("orders", 1, 1);
    try (AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext()) {
      context
          .getEnvironment()
          .getPropertySources()
          .addFirst(
              new MapPropertySource(
                  "ferry", Map.of("kafka.bootstrap", ferry.bootstrapServers())));
      context.register(KafkaConfig.class);
      context.refresh();

      @SuppressWarnings("unchecked")
      KafkaTemplate<String, String> template = context.getBean(KafkaTemplate.class);
      for (int i = 1; i <= 3; i++) {
        template.send("orders", "order-" + i).get(30, TimeUnit.SECONDS);
      }

      OrderListener listener = context.getBean(OrderListener.class);
      for (int i = 1; i <= 3; i++) {
        assertEquals("order-" + i, listener.received().poll(30, TimeUnit.SECONDS));
      }
    }
  }
}
