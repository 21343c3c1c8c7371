package com.example.orders;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/** The application code under test: a Spring Kafka listener that records the orders it gets. */
@Component
public class OrderListener {

  private final BlockingQueue<String> received = new LinkedBlockingQueue<>();

  @KafkaListener(topics = "orders", groupId = "order-service")
  public void onOrder(String order) {
    received.add(order);
  }

  public BlockingQueue<String> received() {
    return received;
  }
}
