package dev.ferry.quota;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.errors.InvalidRequestException;

/**
 * Client quota entities as stored: a canonical string of the entity's components in type order,
 * {@code client-id=app}, {@code user=alice}, {@code client-id=app,user=alice}, with {@value
 * #DEFAULT} for a default component and names URL-encoded (so a literal name can never be taken for
 * the default). A Kafka {@code ClientQuotaEntity} map holds null for a default.
 */
public final class QuotaEntities {

  public static final String USER = "user";
  public static final String CLIENT_ID = "client-id";
  static final String DEFAULT = "<default>";

  private QuotaEntities() {}

  /**
   * The stored name of an entity (type to name, null name for the default).
   *
   * @throws InvalidRequestException for an empty entity or a type Ferry does not support
   */
  public static String encode(Map<String, String> entity) {
    if (entity.isEmpty()) {
      throw new InvalidRequestException("A client quota entity needs at least one component");
    }
    StringBuilder out = new StringBuilder();
    for (Map.Entry<String, String> e : new TreeMap<>(entity).entrySet()) {
      String type = e.getKey();
      if (!USER.equals(type) && !CLIENT_ID.equals(type)) {
        throw new InvalidRequestException(
            "Unsupported client quota entity type '" + type + "' (Ferry has user and client-id)");
      }
      if (out.length() > 0) {
        out.append(',');
      }
      out.append(type)
          .append('=')
          .append(
              e.getValue() == null
                  ? DEFAULT
                  : URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8));
    }
    return out.toString();
  }

  /** The entity of a stored name (null names for defaults). */
  public static Map<String, String> decode(String stored) {
    Map<String, String> out = new HashMap<>();
    for (String part : stored.split(",")) {
      int eq = part.indexOf('=');
      if (eq <= 0) {
        continue;
      }
      String name = part.substring(eq + 1);
      out.put(
          part.substring(0, eq),
          DEFAULT.equals(name) ? null : URLDecoder.decode(name, StandardCharsets.UTF_8));
    }
    return out;
  }

  /** The stored name for a user and/or client component ({@link #DEFAULT} for defaults). */
  static String key(String user, String clientId) {
    StringBuilder out = new StringBuilder();
    if (clientId != null) {
      out.append(CLIENT_ID).append('=').append(clientId);
    }
    if (user != null) {
      if (out.length() > 0) {
        out.append(',');
      }
      out.append(USER).append('=').append(user);
    }
    return out.toString();
  }

  static String enc(String name) {
    return URLEncoder.encode(name, StandardCharsets.UTF_8);
  }
}
