package dev.ferry.quota;

import org.apache.kafka.common.utils.Time;

/**
 * The three client quotas this broker enforces, over one shared view of the configured quotas:
 * {@code producer_byte_rate} (bytes of produce requests), {@code consumer_byte_rate} (bytes of
 * consumer fetch responses) and {@code request_percentage} (broker thread time, 100 = one thread).
 */
public final class ClientQuotas {

  public static final String PRODUCER_BYTE_RATE = "producer_byte_rate";
  public static final String CONSUMER_BYTE_RATE = "consumer_byte_rate";
  public static final String REQUEST_PERCENTAGE = "request_percentage";
  public static final String CONTROLLER_MUTATION_RATE = "controller_mutation_rate";

  private final ClientQuotaConfigs configs = new ClientQuotaConfigs();
  private final ClientQuotaManager produce;
  private final ClientQuotaManager fetch;
  private final ClientQuotaManager request;

  public ClientQuotas(Time time) {
    produce = new ClientQuotaManager(PRODUCER_BYTE_RATE, configs, time);
    fetch = new ClientQuotaManager(CONSUMER_BYTE_RATE, configs, time);
    request = new ClientQuotaManager(REQUEST_PERCENTAGE, configs, time);
  }

  public ClientQuotaConfigs configs() {
    return configs;
  }

  public ClientQuotaManager produce() {
    return produce;
  }

  public ClientQuotaManager fetch() {
    return fetch;
  }

  public ClientQuotaManager request() {
    return request;
  }
}
