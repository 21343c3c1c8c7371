package dev.ferry.registry;

import dev.ferry.broker.BrokerExtension;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Starts the schema registry in the broker when {@code schema.registry.port} is set; found by the
 * broker through {@link java.util.ServiceLoader} ({@code META-INF/services}).
 */
public final class SchemaRegistryExtension implements BrokerExtension {

  @Override
  public Running start(Context context) {
    RegistryConfig config = RegistryConfig.from(context.config().originals());
    if (config == null) {
      return null;
    }
    try {
      return new SchemaRegistry(config, context);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot serve the schema registry on " + config.host() + ":" + config.port(), e);
    }
  }
}
