package dev.ferry.security.sasl;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.NoSuchAlgorithmException;
import java.security.URIParameter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import javax.security.auth.login.AppConfigurationEntry;
import javax.security.auth.login.Configuration;
import org.apache.kafka.common.config.ConfigException;

/**
 * The server sections of a JAAS login configuration file, the file a Kafka broker is given with
 * {@code -Djava.security.auth.login.config=/path/kafka_server_jaas.conf}. A listener's section is
 * {@code <listener>.KafkaServer} (listener name in lower case) if the file has one, otherwise
 * {@code KafkaServer}, as Kafka's server JAAS context resolves it. Ferry runs no login modules: it
 * reads the options of the entries ({@code user_<name>} for PLAIN, {@code username}/{@code
 * password} for the inter-broker client).
 *
 * <p>The JDK's own parser reads the file (the format of {@code com.sun.security.auth.login
 * .ConfigFile}, with {@code ${property}} expansion), once at start-up, so a later change of the
 * file takes effect at the next start, as in Kafka.
 */
public final class JaasFile {

  /** The system property naming the file, read by the JDK and by Kafka. */
  public static final String LOGIN_CONFIG_PROPERTY = "java.security.auth.login.config";

  /** The section every listener falls back to. */
  public static final String SERVER_SECTION = "KafkaServer";

  /** No file: every lookup is empty. */
  public static final JaasFile NONE = new JaasFile(null, null);

  private final String location;
  private final Configuration configuration;

  private JaasFile(String location, Configuration configuration) {
    this.location = location;
    this.configuration = configuration;
  }

  /** The file named by {@value #LOGIN_CONFIG_PROPERTY}, or {@link #NONE} if it is not set. */
  public static JaasFile fromSystemProperty() {
    String value = System.getProperty(LOGIN_CONFIG_PROPERTY);
    if (value == null || value.isBlank()) {
      return NONE;
    }
    // "==path" means "this file only" to the JDK; Ferry reads one file either way.
    String location = value.startsWith("=") ? value.substring(1).trim() : value.trim();
    return load(location);
  }

  /**
   * Parses the file at {@code location} (a path or a URL).
   *
   * @throws ConfigException if it does not exist or does not parse
   */
  public static JaasFile load(String location) {
    URI uri = toUri(location);
    try {
      return new JaasFile(
          location, Configuration.getInstance("JavaLoginConfig", new URIParameter(uri)));
    } catch (NoSuchAlgorithmException | SecurityException | IllegalArgumentException e) {
      // The JDK wraps the parser's IOException (a missing file, a syntax error with its line).
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw new ConfigException(LOGIN_CONFIG_PROPERTY, location, cause.getMessage());
    }
  }

  private static URI toUri(String location) {
    Path path = Path.of(location);
    if (Files.exists(path)) {
      return path.toAbsolutePath().toUri();
    }
    try {
      URI uri = new URI(location);
      if (uri.getScheme() != null && uri.getScheme().length() > 1) {
        return uri;
      }
    } catch (URISyntaxException notAUri) {
      // Reported below as a missing file.
    }
    throw new ConfigException(LOGIN_CONFIG_PROPERTY, location, "no such file");
  }

  public boolean present() {
    return configuration != null;
  }

  /** Where the file is, for messages; "not set" without one. */
  public String location() {
    return location == null ? "not set" : location;
  }

  /**
   * The entries of listener {@code listenerName}'s section: {@code <listener>.KafkaServer}, else
   * {@code KafkaServer}; empty if the file has neither.
   */
  public Optional<List<Entry>> serverSection(String listenerName) {
    if (configuration == null) {
      return Optional.empty();
    }
    String listenerSection = listenerName.toLowerCase(Locale.ROOT) + "." + SERVER_SECTION;
    AppConfigurationEntry[] entries = configuration.getAppConfigurationEntry(listenerSection);
    if (entries == null) {
      entries = configuration.getAppConfigurationEntry(SERVER_SECTION);
    }
    if (entries == null) {
      return Optional.empty();
    }
    List<Entry> out = new ArrayList<>(entries.length);
    for (AppConfigurationEntry e : entries) {
      Map<String, String> options = new LinkedHashMap<>();
      e.getOptions().forEach((k, v) -> options.put(k, String.valueOf(v)));
      out.add(new Entry(e.getLoginModuleName(), Map.copyOf(options)));
    }
    return Optional.of(List.copyOf(out));
  }

  /** One login module line of a section: its class name and options. */
  public record Entry(String loginModule, Map<String, String> options) {

    /** Never prints option values: they hold passwords. */
    @Override
    public String toString() {
      return loginModule + " " + options.keySet();
    }
  }

  @Override
  public String toString() {
    return "JaasFile(" + location() + ")";
  }
}
