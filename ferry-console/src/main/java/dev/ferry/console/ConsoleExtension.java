package dev.ferry.console;

import dev.ferry.broker.BrokerConfig;
import dev.ferry.broker.BrokerExtension;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Starts the web console in the broker when {@code console.port} is set; found by the broker
 * through {@link java.util.ServiceLoader} ({@code META-INF/services}).
 */
public final class ConsoleExtension implements BrokerExtension {

  @Override
  public boolean wantsMetrics(BrokerConfig config) {
    // The charts read the broker's own metric values, also when /metrics is not served.
    return ConsoleConfig.from(config.originals()) != null;
  }

  @Override
  public Running start(Context context) {
    ConsoleConfig config = ConsoleConfig.from(context.config().originals());
    if (config == null) {
      return null;
    }
    try {
      return new WebConsole(config, context);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot serve the web console on " + config.host() + ":" + config.port(), e);
    }
  }
}
