package dev.ferry.tools;

import dev.ferry.broker.BrokerMain;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ferry start}: runs a broker in the foreground until Ctrl-C or SIGTERM. */
@Command(
    name = "start",
    mixinStandardHelpOptions = true,
    description =
        "Start a broker. Without zookeeper.connect it runs an embedded ZooKeeper, "
            + "so this alone gives a working single-node system.")
final class StartCommand implements Callable<Integer> {

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description = "Broker properties file (Kafka config names).")
  Path config;

  @Option(
      names = "--override",
      paramLabel = "KEY=VALUE",
      description = "Set one config, over the file; repeatable.")
  Map<String, String> overrides = new LinkedHashMap<>();

  @Override
  public Integer call() throws Exception {
    BrokerMain.run(BrokerMain.loadConfig(config, overrides));
    return 0;
  }
}
