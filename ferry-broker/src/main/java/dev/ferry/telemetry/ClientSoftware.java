package dev.ferry.telemetry;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The software name and version each connection declared in its ApiVersions request (KIP-511), kept
 * so that a subscription can match on them. Bounded: the oldest connections are forgotten first, so
 * closed connections need no clean-up hook (a client asks for its subscription right after
 * ApiVersions on the same connection).
 */
public final class ClientSoftware {

  /** A connection's declared software; either part may be null. */
  public record Info(String name, String version) {}

  private static final int MAX_CONNECTIONS = 16_384;

  private final Map<String, Info> byConnection =
      new LinkedHashMap<>(256, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Info> eldest) {
          return size() > MAX_CONNECTIONS;
        }
      };

  /** Records what {@code connectionId} declared. */
  public synchronized void record(String connectionId, String name, String version) {
    byConnection.put(connectionId, new Info(emptyToNull(name), emptyToNull(version)));
  }

  /** What {@code connectionId} declared, or an info of nulls. */
  public synchronized Info of(String connectionId) {
    return byConnection.getOrDefault(connectionId, new Info(null, null));
  }

  private static String emptyToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }
}
