package dev.ferry.console.kafka;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Makes the console's Kafka clients for a signed-in user. Admin clients are kept per user (and
 * password) for a while, so a page does not pay for a new connection; consumers are made per
 * message-browser request and closed after it. On a SASL listener the clients authenticate with the
 * user's own name and password, so the broker applies that principal's ACLs.
 */
public final class ClientFactory implements AutoCloseable {

  private static final int MAX_CACHED = 16;
  private static final long IDLE_MS = 10 * 60_000;

  /** How the console reaches the broker. */
  public record Target(
      String bootstrapServers,
      String securityProtocol,
      String saslMechanism,
      Map<String, String> overrides,
      long timeoutMs) {}

  private record Cached(Admin admin, long lastUsedMs) {}

  private final Target target;
  private final LinkedHashMap<String, Cached> admins = new LinkedHashMap<>(16, 0.75f, true);
  private boolean closed;

  public ClientFactory(Target target) {
    this.target = target;
  }

  /** The admin client acting for {@code who} (null: anonymous, on a broker without SASL). */
  public synchronized Admin admin(Credentials who) {
    if (closed) {
      throw new IllegalStateException("The console is closed");
    }
    long now = System.currentTimeMillis();
    expireIdle(now);
    String key = key(who);
    Cached c = admins.get(key);
    if (c == null) {
      Map<String, Object> props = properties(who);
      props.put("client.id", "ferry-console-admin");
      c = new Cached(Admin.create(props), now);
      if (admins.size() >= MAX_CACHED) {
        Iterator<Map.Entry<String, Cached>> eldest = admins.entrySet().iterator();
        eldest.next().getValue().admin().close(java.time.Duration.ZERO);
        eldest.remove();
      }
    }
    admins.put(key, new Cached(c.admin(), now));
    return c.admin();
  }

  /** A new consumer without a group acting for {@code who}; the caller closes it. */
  public KafkaConsumer<byte[], byte[]> consumer(Credentials who, int maxPollRecords) {
    Map<String, Object> props = properties(who);
    props.put("client.id", "ferry-console-browser");
    props.put("enable.auto.commit", "false");
    props.put("max.poll.records", Integer.toString(maxPollRecords));
    props.put("max.partition.fetch.bytes", Integer.toString(2 * 1024 * 1024));
    props.put("fetch.max.bytes", Integer.toString(8 * 1024 * 1024));
    return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  /**
   * The client settings for {@code who}: the listener's security, then the operator's overrides.
   */
  Map<String, Object> properties(Credentials who) {
    Map<String, Object> props = new HashMap<>();
    props.put("bootstrap.servers", target.bootstrapServers());
    props.put("request.timeout.ms", Long.toString(target.timeoutMs()));
    props.put("default.api.timeout.ms", Long.toString(target.timeoutMs()));
    String protocol = target.securityProtocol().toUpperCase(Locale.ROOT);
    props.put("security.protocol", protocol);
    if (protocol.startsWith("SASL_") && who != null) {
      String mechanism = target.saslMechanism();
      props.put("sasl.mechanism", mechanism);
      String module =
          mechanism.equals("PLAIN")
              ? "org.apache.kafka.common.security.plain.PlainLoginModule"
              : "org.apache.kafka.common.security.scram.ScramLoginModule";
      props.put(
          "sasl.jaas.config",
          module
              + " required username=\""
              + jaasQuote(who.user())
              + "\" password=\""
              + jaasQuote(who.password())
              + "\";");
    }
    props.putAll(target.overrides());
    return props;
  }

  /** Escapes a value for a double-quoted JAAS option (Kafka's parser honours backslashes). */
  static String jaasQuote(String value) {
    return value.replace("\\", "\\\\").replace("\"", "\\\"");
  }

  /** The mechanism to use when none is configured: the first the listener enables that we speak. */
  public static String defaultMechanism(List<String> enabled) {
    for (String preferred : List.of("PLAIN", "SCRAM-SHA-512", "SCRAM-SHA-256")) {
      if (enabled.contains(preferred)) {
        return preferred;
      }
    }
    return "PLAIN";
  }

  private void expireIdle(long now) {
    Iterator<Map.Entry<String, Cached>> it = admins.entrySet().iterator();
    while (it.hasNext()) {
      Cached c = it.next().getValue();
      if (now - c.lastUsedMs() > IDLE_MS) {
        c.admin().close(java.time.Duration.ZERO);
        it.remove();
      }
    }
  }

  /** Cache key: the user and a digest of the password (a changed password gets a new client). */
  private static String key(Credentials who) {
    if (who == null) {
      return "";
    }
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest((who.user() + "\0" + who.password()).getBytes(StandardCharsets.UTF_8));
      return who.user() + "\0" + HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public synchronized void close() {
    closed = true;
    for (Cached c : admins.values()) {
      c.admin().close(java.time.Duration.ofSeconds(5));
    }
    admins.clear();
  }
}
