package dev.ferry.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.runtime.ManualClock;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.message.GetTelemetrySubscriptionsResponseData;
import org.apache.kafka.common.message.PushTelemetryRequestData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

/**
 * The telemetry state machine of KIP-714 with a clock moved by hand: subscription sets by match,
 * the push interval, the errors a client recovers from by asking again, terminating pushes,
 * subscription changes and instance expiry; and the config checks of a subscription.
 */
class ClientMetricsManagerTest {

  private final ManualClock clock = new ManualClock(1_000_000);
  private final List<TelemetryReceiver.Push> received = new ArrayList<>();
  private final List<ClientAttributes> expired = new ArrayList<>();
  private final ClientMetricsManager manager =
      new ClientMetricsManager(
          new TelemetryReceiver() {
            @Override
            public void receive(Push push) {
              received.add(push);
            }

            @Override
            public void expired(ClientAttributes client) {
              expired.add(client);
            }
          },
          1024,
          clock);

  private static Function<Uuid, ClientAttributes> client(String clientId) {
    return id -> new ClientAttributes(id, clientId, "apache-kafka-java", "4.4.0", "10.0.0.7", "5");
  }

  @Test
  void subscriptionSetIsTheUnionOfWhatTheClientMatchesAtTheShortestInterval() {
    manager.updateSubscriptions(
        Map.of(
            "producers",
            Map.of("metrics", "org.apache.kafka.producer.", "interval.ms", "2000"),
            "apps",
            Map.of(
                "metrics",
                "org.apache.kafka.consumer.",
                "interval.ms",
                "5000",
                "match",
                "client_id=app-.*,client_source_address=10\\..*"),
            "others",
            Map.of("metrics", "x.", "match", "client_software_name=librdkafka")));

    GetTelemetrySubscriptionsResponseData app = manager.getSubscriptions(null, client("app-1"));
    assertThat(app.errorCode()).isEqualTo(Errors.NONE.code());
    assertThat(app.clientInstanceId()).isNotEqualTo(Uuid.ZERO_UUID);
    assertThat(app.requestedMetrics())
        .containsExactlyInAnyOrder("org.apache.kafka.producer.", "org.apache.kafka.consumer.");
    assertThat(app.pushIntervalMs()).isEqualTo(2000);
    assertThat(app.telemetryMaxBytes()).isEqualTo(1024);
    assertThat(app.acceptedCompressionTypes())
        .containsExactly((byte) 4, (byte) 3, (byte) 1, (byte) 2);
    assertThat(app.deltaTemporality()).isTrue();

    GetTelemetrySubscriptionsResponseData other =
        manager.getSubscriptions(Uuid.ZERO_UUID, client("batch"));
    assertThat(other.requestedMetrics()).containsExactly("org.apache.kafka.producer.");
    // The id depends on the set and the instance: two instances never share it by accident.
    assertThat(other.subscriptionId()).isNotEqualTo(app.subscriptionId());
  }

  @Test
  void allMetricsIsAskedForAsAStarAndNoMatchMeansNothingAtTheDefaultInterval() {
    GetTelemetrySubscriptionsResponseData none = manager.getSubscriptions(null, client("a"));
    assertThat(none.requestedMetrics()).isEmpty();
    assertThat(none.pushIntervalMs()).isEqualTo(300_000);

    manager.updateSubscriptions(
        Map.of("all", Map.of("metrics", "*,org.apache.kafka.producer.", "interval.ms", "1000")));
    assertThat(manager.getSubscriptions(null, client("a")).requestedMetrics()).containsExactly("*");
  }

  @Test
  void pushesFollowTheIntervalAndTerminatingEndsTheInstance() {
    manager.updateSubscriptions(
        Map.of("s", Map.of("metrics", "org.apache.kafka.", "interval.ms", "1000")));
    GetTelemetrySubscriptionsResponseData sub = manager.getSubscriptions(null, client("a"));
    Uuid id = sub.clientInstanceId();

    // Asking again before an interval has passed is throttled.
    clock.advance(10);
    assertThat(manager.getSubscriptions(id, client("a")).errorCode())
        .isEqualTo(Errors.THROTTLING_QUOTA_EXCEEDED.code());

    // The first push right after the subscription is on time; the next only after an interval.
    assertThat(push(id, sub.subscriptionId(), false, 0, 3)).isEqualTo(Errors.NONE);
    clock.advance(999);
    assertThat(push(id, sub.subscriptionId(), false, 0, 3))
        .isEqualTo(Errors.THROTTLING_QUOTA_EXCEEDED);
    clock.advance(1);
    assertThat(push(id, sub.subscriptionId(), false, 0, 3)).isEqualTo(Errors.NONE);
    assertThat(received).hasSize(2);
    assertThat(received.get(0).client().clientId()).isEqualTo("a");
    assertThat(received.get(0).payload()).containsExactly(0, 1, 2);
    assertThat(received.get(1).receivedMs()).isEqualTo(received.get(0).receivedMs() + 1000);

    // A terminating push is accepted at once; nothing after it.
    clock.advance(1);
    assertThat(push(id, sub.subscriptionId(), true, 0, 3)).isEqualTo(Errors.NONE);
    assertThat(push(id, sub.subscriptionId(), false, 0, 3)).isEqualTo(Errors.INVALID_REQUEST);
    assertThat(received).hasSize(3);
    assertThat(received.get(2).terminating()).isTrue();
  }

  @Test
  void refusedPushesAndTheErrorsAClientRecoversFromByAskingAgain() {
    manager.updateSubscriptions(Map.of("s", Map.of("metrics", "a.", "interval.ms", "1000")));
    GetTelemetrySubscriptionsResponseData sub = manager.getSubscriptions(null, client("a"));
    Uuid id = sub.clientInstanceId();

    assertThat(push(id, sub.subscriptionId() + 1, false, 0, 3))
        .isEqualTo(Errors.UNKNOWN_SUBSCRIPTION_ID);
    // After UNKNOWN_SUBSCRIPTION_ID the client may ask at once...
    assertThat(manager.getSubscriptions(id, client("a")).errorCode()).isEqualTo(Errors.NONE.code());
    // ...but that ask does not reopen the push window (as in Kafka): the refused push counted.
    assertThat(push(id, sub.subscriptionId(), false, 0, 3))
        .isEqualTo(Errors.THROTTLING_QUOTA_EXCEEDED);
    clock.advance(1000);
    assertThat(push(id, sub.subscriptionId(), false, 7, 3))
        .isEqualTo(Errors.UNSUPPORTED_COMPRESSION_TYPE);
    assertThat(manager.getSubscriptions(id, client("a")).errorCode()).isEqualTo(Errors.NONE.code());
    clock.advance(1000);
    assertThat(push(id, sub.subscriptionId(), false, 0, 1025))
        .isEqualTo(Errors.TELEMETRY_TOO_LARGE);
    assertThat(push(Uuid.ZERO_UUID, sub.subscriptionId(), false, 0, 3))
        .isEqualTo(Errors.INVALID_REQUEST);
    assertThat(received).isEmpty();
  }

  @Test
  void aSubscriptionChangeGivesANewSubscriptionIdAndAllowsAskingAtOnce() {
    manager.updateSubscriptions(Map.of("s", Map.of("metrics", "a.", "interval.ms", "1000")));
    GetTelemetrySubscriptionsResponseData first = manager.getSubscriptions(null, client("a"));
    Uuid id = first.clientInstanceId();

    // A watch event without a change keeps the instance's subscription.
    manager.updateSubscriptions(Map.of("s", Map.of("metrics", "a.", "interval.ms", "1000")));
    assertThat(push(id, first.subscriptionId(), false, 0, 3)).isEqualTo(Errors.NONE);

    clock.advance(1000);
    manager.updateSubscriptions(Map.of("s", Map.of("metrics", "b.", "interval.ms", "1000")));
    assertThat(push(id, first.subscriptionId(), false, 0, 3))
        .isEqualTo(Errors.UNKNOWN_SUBSCRIPTION_ID);
    GetTelemetrySubscriptionsResponseData second = manager.getSubscriptions(id, client("a"));
    assertThat(second.errorCode()).isEqualTo(Errors.NONE.code());
    assertThat(second.requestedMetrics()).containsExactly("b.");
    assertThat(second.subscriptionId()).isNotEqualTo(first.subscriptionId());
    // Another broker computes the same id for the same instance and set.
    ClientMetricsManager other = new ClientMetricsManager(p -> {}, 1024, clock);
    other.updateSubscriptions(Map.of("s", Map.of("metrics", "b.", "interval.ms", "1000")));
    assertThat(other.getSubscriptions(id, client("a")).subscriptionId())
        .isEqualTo(second.subscriptionId());
  }

  @Test
  void instancesExpireAfterThreeIntervalsAndAtLeastAMinute() {
    manager.updateSubscriptions(Map.of("s", Map.of("metrics", "a.", "interval.ms", "30000")));
    manager.getSubscriptions(null, client("a"));
    clock.advance(89_999);
    manager.expireInstances();
    assertThat(manager.instanceCount()).isEqualTo(1);
    clock.advance(1);
    manager.expireInstances();
    assertThat(manager.instanceCount()).isZero();
    assertThat(expired).extracting(ClientAttributes::clientId).containsExactly("a");
  }

  @Test
  void configChecksAreKafkas() {
    ClientMetricsConfigs.validate("s", Map.of("metrics", "a.,b.", "interval.ms", "100"));
    assertThatThrownBy(() -> ClientMetricsConfigs.validate("", Map.of()))
        .isInstanceOf(InvalidRequestException.class);
    assertThatThrownBy(() -> ClientMetricsConfigs.validate("s", Map.of("nope", "1")))
        .isInstanceOf(InvalidRequestException.class);
    assertThatThrownBy(() -> ClientMetricsConfigs.validate("s", Map.of("interval.ms", "99")))
        .isInstanceOf(InvalidRequestException.class);
    assertThatThrownBy(() -> ClientMetricsConfigs.validate("s", Map.of("interval.ms", "x")))
        .isInstanceOf(InvalidConfigurationException.class);
    assertThatThrownBy(() -> ClientMetricsConfigs.validate("s", Map.of("match", "client_rack=a")))
        .isInstanceOf(InvalidConfigurationException.class);
    assertThatThrownBy(() -> ClientMetricsConfigs.validate("s", Map.of("match", "client_id=[")))
        .isInstanceOf(InvalidConfigurationException.class);
  }

  private Errors push(Uuid id, int subscriptionId, boolean terminating, int compression, int size) {
    byte[] payload = new byte[size];
    for (int i = 0; i < size; i++) {
      payload[i] = (byte) i;
    }
    return Errors.forCode(
        manager
            .push(
                new PushTelemetryRequestData()
                    .setClientInstanceId(id)
                    .setSubscriptionId(subscriptionId)
                    .setTerminating(terminating)
                    .setCompressionType((byte) compression)
                    .setMetrics(ByteBuffer.wrap(payload)),
                client("a"))
            .errorCode());
  }
}
