package dev.ferry.registry;

import dev.ferry.broker.BrokerExtension;
import dev.ferry.http.HttpException;
import dev.ferry.http.HttpService;
import dev.ferry.registry.api.HttpForwarder;
import dev.ferry.registry.api.RegistryApi;
import dev.ferry.registry.api.RegistryErrors;
import dev.ferry.registry.store.KafkaSchemaLog;
import dev.ferry.registry.store.RegistryState;
import dev.ferry.registry.validation.SchemaIdValidator;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running schema registry inside a broker: the HTTP API on {@code schema.registry.port}, the
 * state read from the schemas topic through the broker's own listener, and the produce-time schema
 * id validator. The HTTP port is bound at once; the topic is opened and read on a background
 * thread, and requests wait (bounded) until that is done.
 */
public final class SchemaRegistry implements BrokerExtension.Running {

  private static final Logger log = LoggerFactory.getLogger(SchemaRegistry.class);

  private final RegistryConfig config;
  private final RegistryState state = new RegistryState();
  private final HttpService http;
  private final CompletableFuture<SchemaRegistryService> service = new CompletableFuture<>();
  private final Thread starter;
  private volatile KafkaSchemaLog schemaLog;
  private volatile boolean closed;

  SchemaRegistry(RegistryConfig config, BrokerExtension.Context context) throws IOException {
    this.config = config;
    int brokerId = context.config().brokerId;
    this.http =
        HttpService.start(
            new HttpService.Config(
                "schema-registry",
                config.host(),
                config.port(),
                config.maxRequestBytes(),
                4,
                context.passwords() == null ? null : context.passwords()::verify,
                "schema-registry"),
            new RegistryApi(this::service, new HttpForwarder(Duration.ofMillis(config.timeoutMs())))
                .router(),
            RegistryApi::renderError);
    context.produceValidation().install(new SchemaIdValidator(state));
    Map<String, Object> clients = new HashMap<>();
    clients.put("bootstrap.servers", context.bootstrapServers());
    clients.putAll(config.clientOverrides());
    String url = "http://" + advertisedHost(context) + ":" + http.port();
    this.starter =
        new Thread(() -> open(clients, brokerId, url), "schema-registry-start-" + brokerId);
    starter.setDaemon(true);
    starter.start();
  }

  private void open(Map<String, Object> clients, int brokerId, String url) {
    long backoff = 500;
    while (!closed) {
      try {
        KafkaSchemaLog opened =
            new KafkaSchemaLog(
                clients,
                config.topic(),
                config.replicationFactor(),
                state,
                "ferry-schema-registry-" + brokerId);
        schemaLog = opened;
        if (closed) {
          opened.close();
          return;
        }
        SchemaRegistryService s =
            new SchemaRegistryService(brokerId, state, opened, config.timeoutMs());
        s.announce(url);
        service.complete(s);
        log.info("Schema registry ready at {} (topic {})", url, config.topic());
        return;
      } catch (InterruptedException e) {
        return;
      } catch (Exception e) {
        KafkaSchemaLog failed = schemaLog;
        schemaLog = null;
        if (failed != null) {
          failed.close();
        }
        if (closed) {
          return;
        }
        log.warn("Schema registry cannot open {} yet, retrying: {}", config.topic(), e.toString());
        try {
          TimeUnit.MILLISECONDS.sleep(backoff);
        } catch (InterruptedException ie) {
          return;
        }
        backoff = Math.min(backoff * 2, 5_000);
      }
    }
  }

  private String advertisedHost(BrokerExtension.Context context) {
    String h = config.host();
    if (h.equals("0.0.0.0") || h.equals("::") || h.isEmpty()) {
      h = context.config().advertisedListener.host();
    }
    return h;
  }

  /** The bound HTTP port. */
  public int port() {
    return http.port();
  }

  public String url() {
    return "http://" + config.host() + ":" + http.port();
  }

  /** Waits until the registry has read its topic and serves requests. */
  public SchemaRegistry awaitReady(Duration timeout) {
    try {
      service.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return this;
    } catch (Exception e) {
      throw new IllegalStateException("Schema registry not ready after " + timeout, e);
    }
  }

  @Override
  public void close() {
    closed = true;
    http.close();
    starter.interrupt();
    try {
      starter.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    KafkaSchemaLog l = schemaLog;
    if (l != null) {
      l.close();
    }
  }

  /** The service, waiting (bounded) while the topic is still being read. */
  private SchemaRegistryService service() {
    try {
      return service.get(config.timeoutMs(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw RegistryErrors.timeout("interrupted");
    } catch (ExecutionException | TimeoutException e) {
      throw new HttpException(
          500,
          50005,
          "The schema registry is still initializing: it cannot read " + config.topic());
    }
  }
}
