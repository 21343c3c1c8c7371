package dev.ferry.telemetry;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.zip.CRC32C;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.TelemetryTooLargeException;
import org.apache.kafka.common.errors.ThrottlingQuotaExceededException;
import org.apache.kafka.common.errors.UnknownSubscriptionIdException;
import org.apache.kafka.common.errors.UnsupportedCompressionTypeException;
import org.apache.kafka.common.message.GetTelemetrySubscriptionsResponseData;
import org.apache.kafka.common.message.PushTelemetryRequestData;
import org.apache.kafka.common.message.PushTelemetryResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker side of KIP-714 client metrics: hands each client instance the metrics and push
 * interval of the subscriptions it matches (GetTelemetrySubscriptions), checks its pushes (on time,
 * current subscription, known compression, within {@code telemetry.max.bytes}, nothing after a
 * terminating push) and passes accepted ones to a {@link TelemetryReceiver}.
 *
 * <p>Semantics follow Kafka 4.4: an instance's subscription set is computed when it is first seen
 * and again after any subscription changes; its subscription id is derived from the set and the
 * instance id only, so every broker hands the same id to the same instance for the same
 * subscriptions and a client may push to any broker. Instances live in a bounded cache and expire
 * after three push intervals (at least a minute) without a request.
 */
public final class ClientMetricsManager {

  private static final Logger log = LoggerFactory.getLogger(ClientMetricsManager.class);

  /** The compression types a client may use, in Kafka's order of preference. */
  static final List<Byte> ACCEPTED_COMPRESSION_TYPES =
      List.of(
          CompressionType.ZSTD.id,
          CompressionType.LZ4.id,
          CompressionType.GZIP.id,
          CompressionType.SNAPPY.id);

  private static final int MAX_INSTANCES = 16_384;
  private static final long MIN_EXPIRY_MS = 60_000;

  private final TelemetryReceiver receiver;
  private final int telemetryMaxBytes;
  private final Time time;

  /** Subscriptions by name, replaced whole on every change. */
  private volatile Map<String, Subscription> subscriptions = Map.of();

  /** The configs they were built from (patterns have no equality: changes are seen here). */
  private Map<String, Map<String, String>> subscriptionConfigs = Map.of();

  /** Bumped on every subscription change: instances of an older version are re-evaluated. */
  private final AtomicInteger subscriptionsVersion = new AtomicInteger();

  private final Map<Uuid, ClientInstance> instances =
      new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Uuid, ClientInstance> eldest) {
          return size() > MAX_INSTANCES;
        }
      };

  public ClientMetricsManager(TelemetryReceiver receiver, int telemetryMaxBytes, Time time) {
    this.receiver = receiver;
    this.telemetryMaxBytes = telemetryMaxBytes;
    this.time = time;
  }

  /**
   * Replaces every subscription by those in {@code configs} (the CLIENT_METRICS entities of the
   * metadata store, by name). An entity that fails validation is skipped, not fatal: it was
   * validated when written, so only a hand-edited znode can be bad.
   */
  public synchronized void updateSubscriptions(Map<String, Map<String, String>> configs) {
    if (configs.equals(subscriptionConfigs)) {
      return; // a watch event without a change: instances keep their subscription
    }
    subscriptionConfigs = Map.copyOf(configs);
    Map<String, Subscription> next = new TreeMap<>();
    for (Map.Entry<String, Map<String, String>> e : configs.entrySet()) {
      try {
        ClientMetricsConfigs.validate(e.getKey(), e.getValue());
        next.put(e.getKey(), ClientMetricsConfigs.subscription(e.getKey(), e.getValue()));
      } catch (ApiException ex) {
        log.warn("Ignoring client metrics subscription {}: {}", e.getKey(), ex.getMessage());
      }
    }
    subscriptions = Map.copyOf(next);
    subscriptionsVersion.incrementAndGet();
  }

  /** The subscriptions in force, by name. */
  public Map<String, Subscription> subscriptions() {
    return subscriptions;
  }

  /**
   * Answers a GetTelemetrySubscriptions from {@code attributes}' client ({@code requestedId} zero
   * for a new instance, which gets a fresh id).
   */
  public GetTelemetrySubscriptionsResponseData getSubscriptions(
      Uuid requestedId, Function<Uuid, ClientAttributes> attributes) {
    long now = time.milliseconds();
    Uuid id =
        requestedId == null || requestedId.equals(Uuid.ZERO_UUID) ? newInstanceId() : requestedId;
    ClientInstance instance = instance(id, attributes, now);
    if (!instance.acceptGet(now)) {
      return new GetTelemetrySubscriptionsResponseData()
          .setErrorCode(Errors.THROTTLING_QUOTA_EXCEEDED.code());
    }
    instance.lastError(Errors.NONE);
    return new GetTelemetrySubscriptionsResponseData()
        .setErrorCode(Errors.NONE.code())
        .setClientInstanceId(id)
        .setSubscriptionId(instance.subscriptionId())
        .setRequestedMetrics(new ArrayList<>(instance.metrics()))
        .setAcceptedCompressionTypes(new ArrayList<>(ACCEPTED_COMPRESSION_TYPES))
        .setPushIntervalMs(instance.pushIntervalMs())
        .setTelemetryMaxBytes(telemetryMaxBytes)
        .setDeltaTemporality(true);
  }

  /** Answers a PushTelemetry; an accepted push with metrics goes to the receiver. */
  public PushTelemetryResponseData push(
      PushTelemetryRequestData push, Function<Uuid, ClientAttributes> attributes) {
    Uuid id = push.clientInstanceId();
    if (id == null || Uuid.RESERVED.contains(id)) {
      return error(Errors.INVALID_REQUEST);
    }
    long now = time.milliseconds();
    ClientInstance instance = instance(id, attributes, now);
    try {
      validate(push, instance, now);
    } catch (ApiException e) {
      log.debug("Refused a telemetry push from client instance {}: {}", id, e.getMessage());
      Errors error = Errors.forException(e);
      instance.lastError(error);
      return error(error);
    } finally {
      instance.terminating(push.terminating());
    }
    ByteBuffer metrics = push.metrics();
    if (metrics != null && metrics.remaining() > 0) {
      byte[] payload = new byte[metrics.remaining()];
      metrics.duplicate().get(payload);
      try {
        receiver.receive(
            new TelemetryReceiver.Push(
                instance.attributes(),
                now,
                instance.subscriptionId(),
                instance.pushIntervalMs(),
                push.terminating(),
                push.compressionType(),
                payload));
      } catch (RuntimeException e) {
        log.warn("Telemetry receiver failed on a push from client instance {}", id, e);
        instance.lastError(Errors.INVALID_RECORD);
        return error(Errors.INVALID_RECORD);
      }
    }
    instance.lastError(Errors.NONE);
    return new PushTelemetryResponseData().setErrorCode(Errors.NONE.code());
  }

  /** Forgets instances not heard from in three push intervals (at least a minute). */
  public void expireInstances() {
    long now = time.milliseconds();
    List<ClientAttributes> expired = new ArrayList<>();
    synchronized (instances) {
      Iterator<ClientInstance> it = instances.values().iterator();
      while (it.hasNext()) {
        ClientInstance i = it.next();
        if (now - i.lastSeenMs() >= Math.max(MIN_EXPIRY_MS, 3L * i.pushIntervalMs())) {
          it.remove();
          expired.add(i.attributes());
        }
      }
    }
    expired.forEach(receiver::expired);
  }

  /** Client instances known to this broker (tests, metrics). */
  public int instanceCount() {
    synchronized (instances) {
      return instances.size();
    }
  }

  private void validate(PushTelemetryRequestData push, ClientInstance instance, long now) {
    if (instance.terminating()) {
      throw new InvalidRequestException(
          "Client instance " + push.clientInstanceId() + " already sent its terminating push");
    }
    if (!instance.acceptPush(now) && !push.terminating()) {
      throw new ThrottlingQuotaExceededException(
          "Push from client instance "
              + push.clientInstanceId()
              + " came before its push interval elapsed");
    }
    if (push.subscriptionId() != instance.subscriptionId()) {
      throw new UnknownSubscriptionIdException(
          "Subscription id " + push.subscriptionId() + " is not the client's current one");
    }
    try {
      CompressionType.forId(push.compressionType());
    } catch (IllegalArgumentException e) {
      throw new UnsupportedCompressionTypeException(
          "Unknown compression type " + push.compressionType() + " in a telemetry push");
    }
    ByteBuffer metrics = push.metrics();
    if (metrics != null && metrics.remaining() > telemetryMaxBytes) {
      throw new TelemetryTooLargeException(
          "Telemetry push of "
              + metrics.remaining()
              + " bytes exceeds telemetry.max.bytes="
              + telemetryMaxBytes);
    }
  }

  private ClientInstance instance(Uuid id, Function<Uuid, ClientAttributes> attributes, long now) {
    int version = subscriptionsVersion.get();
    synchronized (instances) {
      ClientInstance instance = instances.get(id);
      if (instance == null) {
        instance = evaluate(attributes.apply(id), version, now);
        instances.put(id, instance);
      } else if (instance.subscriptionsVersion() < version) {
        instance = evaluate(instance.attributes(), version, now);
        instances.put(id, instance);
      }
      instance.touch(now);
      return instance;
    }
  }

  /** The instance's subscription set: the union of what it matches, the shortest interval. */
  private ClientInstance evaluate(ClientAttributes client, int version, long now) {
    int interval = ClientMetricsConfigs.INTERVAL_MS_DEFAULT;
    // A hash set, as Kafka collects them: the order clients see is the same as from Kafka.
    Set<String> metrics = new HashSet<>();
    boolean all = false;
    for (Subscription s : subscriptions.values()) {
      if (s.matches(client)) {
        all |= s.metrics().contains(ClientMetricsConfigs.ALL_METRICS);
        metrics.addAll(s.metrics());
        interval = Math.min(interval, s.intervalMs());
      }
    }
    if (all) {
      metrics = Set.of(ClientMetricsConfigs.ALL_METRICS);
    }
    List<String> requested = new ArrayList<>(metrics);
    return new ClientInstance(
        client,
        subscriptionId(requested, interval, client.clientInstanceId()),
        version,
        requested,
        interval,
        now);
  }

  /**
   * A subscription id that changes with the set and interval and differs between instances, but is
   * the same on every broker: a CRC32C of the sorted metrics and the interval, xor the id.
   */
  static int subscriptionId(List<String> metrics, int intervalMs, Uuid clientInstanceId) {
    CRC32C crc = new CRC32C();
    crc.update(
        (String.join(",", new TreeSet<>(metrics)) + "|" + intervalMs)
            .getBytes(StandardCharsets.UTF_8));
    return (int) crc.getValue() ^ clientInstanceId.hashCode();
  }

  private Uuid newInstanceId() {
    synchronized (instances) {
      Uuid id = Uuid.randomUuid();
      while (instances.containsKey(id) || Uuid.RESERVED.contains(id)) {
        id = Uuid.randomUuid();
      }
      return id;
    }
  }

  private static PushTelemetryResponseData error(Errors error) {
    return new PushTelemetryResponseData().setErrorCode(error.code());
  }
}
