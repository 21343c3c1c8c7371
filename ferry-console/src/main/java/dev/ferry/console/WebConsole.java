package dev.ferry.console;

import dev.ferry.broker.BrokerConfig;
import dev.ferry.broker.BrokerExtension;
import dev.ferry.console.api.ConsoleApi;
import dev.ferry.console.api.ConsoleErrors;
import dev.ferry.console.decode.RegistrySchemaLookup;
import dev.ferry.console.decode.SchemaLookup;
import dev.ferry.console.decode.ValueDecoder;
import dev.ferry.console.kafka.ClientFactory;
import dev.ferry.console.kafka.ClusterService;
import dev.ferry.console.kafka.GroupsService;
import dev.ferry.console.kafka.MessageBrowser;
import dev.ferry.console.kafka.ThroughputService;
import dev.ferry.console.kafka.TopicsService;
import dev.ferry.http.HttpService;
import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.kafka.common.config.ConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running web console inside a broker: the HTTP server on {@code console.port} and the Kafka
 * clients it acts through. When the broker has a SASL listener every request needs HTTP Basic
 * credentials (checked as that listener checks passwords), and the clients sign in to the broker
 * with them, so the console can do exactly what the user could do with any Kafka client.
 */
public final class WebConsole implements BrokerExtension.Running {

  private static final Logger log = LoggerFactory.getLogger(WebConsole.class);
  private static final int MAX_REQUEST_BYTES = 64 * 1024;

  private final ConsoleConfig config;
  private final ClientFactory clients;
  private final HttpService http;

  WebConsole(ConsoleConfig config, BrokerExtension.Context context) throws IOException {
    this.config = config;
    BrokerConfig broker = context.config();
    BrokerConfig.Listener listener = listener(config, context);
    String protocol = listener.securityProtocol();
    String mechanism =
        config.saslMechanism() != null
            ? config.saslMechanism().toUpperCase(Locale.ROOT)
            : ClientFactory.defaultMechanism(enabledMechanisms(broker, listener));
    this.clients =
        new ClientFactory(
            new ClientFactory.Target(
                context.listenerAddresses().get(listener.name()),
                protocol,
                mechanism,
                config.clientOverrides(),
                config.timeoutMs()));
    SchemaLookup schemas =
        config.registryUrl() == null || config.registryUrl().isBlank()
            ? SchemaLookup.NONE
            : new RegistrySchemaLookup(config.registryUrl(), Duration.ofSeconds(5));
    ValueDecoder decoder = new ValueDecoder(schemas, config.maxValueChars());
    ConsoleApi.Services services =
        new ConsoleApi.Services(
            clients,
            new ClusterService(config.timeoutMs(), version()),
            new TopicsService(config.timeoutMs()),
            new MessageBrowser(clients, decoder, config.maxRecords(), config.timeoutMs()),
            new GroupsService(config.timeoutMs()),
            new ThroughputService(context.metrics(), config.timeoutMs()));
    try {
      this.http =
          HttpService.start(
              new HttpService.Config(
                  "console",
                  config.host(),
                  config.port(),
                  MAX_REQUEST_BYTES,
                  4,
                  context.passwords() == null ? null : context.passwords()::verify,
                  "Ferry console"),
              new ConsoleApi(services).router(),
              ConsoleErrors::render);
    } catch (IOException | RuntimeException e) {
      clients.close();
      throw e;
    }
    log.info("Web console at {}", url());
  }

  /**
   * The listener the console's clients use: {@code console.listener} if set; else, when users sign
   * in (the broker has a SASL listener), the first SASL listener, so the broker sees each user as
   * its principal; else the broker's first listener.
   */
  private static BrokerConfig.Listener listener(
      ConsoleConfig config, BrokerExtension.Context context) {
    BrokerConfig broker = context.config();
    if (config.listener() != null) {
      return broker
          .listener(config.listener())
          .orElseThrow(
              () ->
                  new ConfigException(
                      ConsoleConfig.LISTENER, config.listener(), "no listener of that name"));
    }
    if (context.passwords() != null) {
      for (BrokerConfig.Listener l : broker.listeners) {
        if (l.securityProtocol().startsWith("SASL_")) {
          return l;
        }
      }
    }
    return broker.listener;
  }

  private static List<String> enabledMechanisms(
      BrokerConfig broker, BrokerConfig.Listener listener) {
    String listenerKey =
        "listener.name." + listener.name().toLowerCase(Locale.ROOT) + ".sasl.enabled.mechanisms";
    String value =
        broker
            .originals()
            .getOrDefault(
                listenerKey, broker.originals().getOrDefault("sasl.enabled.mechanisms", "GSSAPI"));
    return Arrays.stream(value.split(","))
        .map(m -> m.trim().toUpperCase(Locale.ROOT))
        .filter(m -> !m.isEmpty())
        .toList();
  }

  private static String version() {
    String v = BrokerConfig.class.getPackage().getImplementationVersion();
    return v == null ? "development build" : v;
  }

  /** The bound HTTP port. */
  public int port() {
    return http.port();
  }

  public String url() {
    return "http://" + config.host() + ":" + http.port() + "/";
  }

  @Override
  public void close() {
    http.close();
    clients.close();
  }
}
