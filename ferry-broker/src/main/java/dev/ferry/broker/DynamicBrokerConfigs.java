package dev.ferry.broker;

import dev.ferry.metadata.EntityConfigStore;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This broker's dynamic configs: watches its own broker entity and the cluster default in the
 * metadata store and hands each registered config its effective value whenever that changes, with
 * Kafka's precedence (this broker's override, then the cluster default, then the properties file,
 * then the built-in default, passed as null).
 */
public final class DynamicBrokerConfigs {

  private static final Logger log = LoggerFactory.getLogger(DynamicBrokerConfigs.class);

  private final String brokerEntity;
  private final Map<String, String> staticConfigs;
  private final Map<String, Consumer<String>> appliers = new LinkedHashMap<>();
  private final Map<String, String> applied = new HashMap<>();
  private volatile Map<String, String> brokerOverrides = Map.of();
  private volatile Map<String, String> defaultOverrides = Map.of();

  public DynamicBrokerConfigs(int brokerId, Map<String, String> staticConfigs) {
    this.brokerEntity = String.valueOf(brokerId);
    this.staticConfigs = Map.copyOf(staticConfigs);
  }

  /** Registers what to do with {@code name}'s effective value; call before {@link #start}. */
  public synchronized DynamicBrokerConfigs onChange(String name, Consumer<String> applier) {
    appliers.put(name, applier);
    applier.accept(staticConfigs.get(name));
    applied.put(name, staticConfigs.get(name));
    return this;
  }

  /** Starts following the store; the current overrides are applied before this returns or soon. */
  public void start(EntityConfigStore store) {
    store.watchEntityConfigs(EntityConfigStore.BROKERS, this::update);
  }

  /** This broker's own dynamic overrides. */
  public Map<String, String> brokerOverrides() {
    return brokerOverrides;
  }

  /** The cluster-wide dynamic defaults. */
  public Map<String, String> defaultOverrides() {
    return defaultOverrides;
  }

  private synchronized void update(Map<String, Map<String, String>> entities) {
    brokerOverrides = Map.copyOf(entities.getOrDefault(brokerEntity, Map.of()));
    defaultOverrides = Map.copyOf(entities.getOrDefault(EntityConfigStore.DEFAULT, Map.of()));
    for (Map.Entry<String, Consumer<String>> e : appliers.entrySet()) {
      String name = e.getKey();
      String value = effective(name);
      if (!Objects.equals(value, applied.get(name))) {
        log.info("Dynamic broker config {} is now {}", name, value == null ? "(default)" : value);
        try {
          e.getValue().accept(value);
          applied.put(name, value);
        } catch (RuntimeException ex) {
          log.error("Could not apply {}={}", name, value, ex);
        }
      }
    }
  }

  /** The value in force for {@code name}, or null for the built-in default. */
  public String effective(String name) {
    String v = brokerOverrides.get(name);
    if (v == null) {
      v = defaultOverrides.get(name);
    }
    return v != null ? v : staticConfigs.get(name);
  }
}
