package dev.ferry.quota;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.runtime.ManualClock;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Quota resolution (Kafka's precedence of entities) and the throttle times a client is told. */
class ClientQuotaManagerTest {

  private final ClientQuotaConfigs configs = new ClientQuotaConfigs();
  private final ManualClock clock = new ManualClock(1_000_000);

  private void quotas(Map<String, Map<String, String>> byEntity) {
    configs.update(byEntity);
  }

  private static Map<String, String> rate(String value) {
    return Map.of(ClientQuotas.PRODUCER_BYTE_RATE, value);
  }

  @Test
  void theMostSpecificEntityWinsAndDecidesWhoShares() {
    quotas(
        Map.of(
            "client-id=<default>", rate("10"),
            "client-id=app", rate("20"),
            "user=<default>", rate("30"),
            "client-id=<default>,user=alice", rate("40"),
            "client-id=app,user=alice", rate("50")));
    String key = ClientQuotas.PRODUCER_BYTE_RATE;
    assertThat(configs.resolve("alice", "app", key))
        .isEqualTo(new ClientQuotaConfigs.Resolved(50, "client-id=app,user=alice"));
    // alice's other clients: each on its own rate (a client-id default is per client id).
    assertThat(configs.resolve("alice", "other", key))
        .isEqualTo(new ClientQuotaConfigs.Resolved(40, "client-id=other,user=alice"));
    // Any other user: the default user quota, shared by all of that user's clients.
    assertThat(configs.resolve("bob", "app", key))
        .isEqualTo(new ClientQuotaConfigs.Resolved(30, "user=bob"));
    quotas(Map.of("client-id=<default>", rate("10"), "client-id=app", rate("20")));
    assertThat(configs.resolve("bob", "app", key))
        .isEqualTo(new ClientQuotaConfigs.Resolved(20, "client-id=app"));
    assertThat(configs.resolve("bob", "x", key))
        .isEqualTo(new ClientQuotaConfigs.Resolved(10, "client-id=x"));
    assertThat(configs.resolve("bob", "x", ClientQuotas.CONSUMER_BYTE_RATE)).isNull();
    // A literal name that looks like the default is not the default.
    assertThat(configs.resolve("bob", "<default>", key))
        .isEqualTo(new ClientQuotaConfigs.Resolved(10, "client-id=%3Cdefault%3E"));
  }

  @Test
  void aClientOverItsQuotaIsToldToWaitUntilItIsPaidBack() {
    quotas(Map.of("client-id=app", rate("1000")));
    ClientQuotaManager produce =
        new ClientQuotaManager(ClientQuotas.PRODUCER_BYTE_RATE, configs, clock);
    // One second of quota may be used at once.
    assertThat(produce.recordAndGetThrottleTimeMs("u", "app", 1000)).isZero();
    // 500 bytes over: half a second of quota.
    assertThat(produce.recordAndGetThrottleTimeMs("u", "app", 500)).isEqualTo(500);
    clock.advance(500);
    // Paid back; the next 250 bytes take a quarter second.
    assertThat(produce.recordAndGetThrottleTimeMs("u", "app", 250)).isEqualTo(250);
    clock.advance(10_000);
    assertThat(produce.recordAndGetThrottleTimeMs("u", "app", 1000)).isZero();
    // Clients without a quota are neither measured nor throttled.
    assertThat(produce.recordAndGetThrottleTimeMs("u", "other", 1_000_000)).isZero();
    assertThat(produce.sensors()).containsOnlyKeys("client-id=app");
    assertThat(produce.sensors().get("client-id=app").throttleTimeMs()).isEqualTo(750);
  }

  @Test
  void entitiesRoundTripThroughTheirStoredNames() {
    Map<String, String> alice = new java.util.HashMap<>();
    alice.put("user", "alice/x,y");
    alice.put("client-id", null);
    String stored = QuotaEntities.encode(alice);
    assertThat(stored).isEqualTo("client-id=<default>,user=alice%2Fx%2Cy");
    assertThat(QuotaEntities.decode(stored)).isEqualTo(alice);
  }
}
