package dev.ferry.embedded.junit;

import dev.ferry.embedded.EmbeddedFerry;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension that runs an {@link EmbeddedFerry} for a test class:
 *
 * <pre>{@code
 * @RegisterExtension static FerryExtension ferry = FerryExtension.create();
 *
 * @Test
 * void roundTrip(EmbeddedFerry broker) {
 *   ... broker.bootstrapServers() ... // or ferry.bootstrapServers()
 * }
 * }</pre>
 *
 * <p>By default one broker serves the whole class (started before the first test, closed after the
 * last). With {@link #perMethod()} every test gets a fresh broker with empty storage. Test methods,
 * constructors and lifecycle methods may declare an {@link EmbeddedFerry} parameter. Registered on
 * a non-static field, the extension cannot see the class start and end, so it runs a broker per
 * test.
 */
public final class FerryExtension
    implements BeforeAllCallback,
        AfterAllCallback,
        BeforeEachCallback,
        AfterEachCallback,
        ParameterResolver {

  private final boolean perMethod;
  private final int brokers;
  private final Map<String, String> properties;
  private EmbeddedFerry ferry;
  private boolean startedForMethod;

  private FerryExtension(boolean perMethod, int brokers, Map<String, String> properties) {
    this.perMethod = perMethod;
    this.brokers = brokers;
    this.properties = Map.copyOf(properties);
  }

  /** One broker for the test class. */
  public static FerryExtension create() {
    return new FerryExtension(false, 1, Map.of());
  }

  /** The same settings, with a fresh cluster for every test method. */
  public FerryExtension perMethod() {
    return new FerryExtension(true, brokers, properties);
  }

  /** The same settings with {@code count} brokers. */
  public FerryExtension brokers(int count) {
    return new FerryExtension(perMethod, count, properties);
  }

  /**
   * The same settings plus a broker property (see {@link EmbeddedFerry.Builder#brokerProperty}).
   */
  public FerryExtension brokerProperty(String key, String value) {
    Map<String, String> more = new LinkedHashMap<>(properties);
    more.put(key, value);
    return new FerryExtension(perMethod, brokers, more);
  }

  /** The running cluster. */
  public EmbeddedFerry ferry() {
    if (ferry == null) {
      throw new IllegalStateException("Ferry is not running (outside the test's lifecycle?)");
    }
    return ferry;
  }

  /** Shorthand for {@code ferry().bootstrapServers()}. */
  public String bootstrapServers() {
    return ferry().bootstrapServers();
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    if (!perMethod) {
      ferry = start();
    }
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    if (ferry == null) {
      ferry = start();
      startedForMethod = true;
    }
  }

  @Override
  public void afterEach(ExtensionContext context) {
    if (startedForMethod) {
      stop();
    }
  }

  @Override
  public void afterAll(ExtensionContext context) {
    stop();
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == EmbeddedFerry.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    if (ferry == null) {
      // A per-method broker is not up yet when the test instance is constructed.
      throw new ParameterResolutionException(
          "EmbeddedFerry is only available in test and lifecycle methods here");
    }
    return ferry;
  }

  private EmbeddedFerry start() {
    EmbeddedFerry.Builder builder = EmbeddedFerry.builder().brokers(brokers);
    properties.forEach(builder::brokerProperty);
    return builder.start();
  }

  private void stop() {
    EmbeddedFerry running = ferry;
    ferry = null;
    startedForMethod = false;
    if (running != null) {
      running.close();
    }
  }
}
