package dev.ferry.security.ssl;

import dev.ferry.security.ListenerSettings;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;
import org.apache.kafka.common.config.types.Password;

/**
 * The map an {@link org.apache.kafka.common.security.auth.SslEngineFactory} is configured with, as
 * a Kafka broker builds it for a listener: every setting with the listener's overrides applied,
 * typed as Kafka's config definitions parse them (passwords as {@link Password}, lists as {@code
 * List<String>}), and Kafka's defaults for the {@code ssl.*} settings left out. A factory written
 * for Kafka reads what it expects.
 */
final class SslEngineConfigs {

  private static final Set<String> PASSWORDS =
      Set.of(
          "ssl.keystore.password",
          "ssl.key.password",
          "ssl.truststore.password",
          "ssl.keystore.key",
          "ssl.keystore.certificate.chain",
          "ssl.truststore.certificates",
          "sasl.jaas.config");

  private static final Set<String> LISTS =
      Set.of("ssl.enabled.protocols", "ssl.cipher.suites", "sasl.enabled.mechanisms");

  private SslEngineConfigs() {}

  static Map<String, Object> of(ListenerSettings settings) {
    Map<String, Object> configs = new HashMap<>();
    configs.put("ssl.protocol", "TLSv1.3");
    configs.put("ssl.enabled.protocols", List.of("TLSv1.2", "TLSv1.3"));
    configs.put("ssl.cipher.suites", null);
    configs.put("ssl.provider", null);
    configs.put("ssl.secure.random.implementation", null);
    configs.put("ssl.keystore.type", "JKS");
    configs.put("ssl.truststore.type", "JKS");
    configs.put("ssl.keymanager.algorithm", KeyManagerFactory.getDefaultAlgorithm());
    configs.put("ssl.trustmanager.algorithm", TrustManagerFactory.getDefaultAlgorithm());
    configs.put("ssl.endpoint.identification.algorithm", "https");
    configs.put("ssl.client.auth", "none");
    settings.resolved().forEach((key, value) -> configs.put(key, typed(key, value.trim())));
    return configs;
  }

  private static Object typed(String key, String value) {
    if (PASSWORDS.contains(key) || key.endsWith(".password")) {
      return new Password(value);
    }
    if (LISTS.contains(key)) {
      List<String> list = new ArrayList<>();
      for (String s : value.split(",")) {
        if (!s.isBlank()) {
          list.add(s.trim());
        }
      }
      return List.copyOf(list);
    }
    return value;
  }
}
