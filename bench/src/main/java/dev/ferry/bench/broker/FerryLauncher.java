package dev.ferry.bench.broker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Ferry as built at the repository root: {@code dev.ferry.tools.FerryCli start --config FILE
 * --override key=value...} with the classpath ferry-tools/target/ferry-tools-*.jar plus
 * ferry-tools/target/lib/*. Configuration uses Kafka's names, so both brokers get the same keys.
 */
public final class FerryLauncher implements BrokerLauncher {

  static final String MAIN_CLASS = "dev.ferry.tools.FerryCli";

  private final Path repoRoot;
  private final String name;
  private final List<String> variantJvmOptions;

  public FerryLauncher(Path repoRoot) {
    this(repoRoot, "ferry", List.of());
  }

  /**
   * A variant of Ferry for an A/B run: another build ({@code repoRoot}, e.g. an older commit
   * checked out elsewhere) and/or JVM options after the shipped ones (the last of a repeated option
   * wins), reported under {@code name}.
   */
  public FerryLauncher(Path repoRoot, String name, List<String> variantJvmOptions) {
    this.repoRoot = repoRoot;
    this.name = name;
    this.variantJvmOptions = List.copyOf(variantJvmOptions);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String displayName() {
    return name.equals("ferry") ? "Ferry (this repository)" : "Ferry (" + name + ")";
  }

  /** {@code config/jvm.options}, as {@code bin/ferry start} applies it (and a variant's own). */
  @Override
  public List<String> ownJvmOptions() {
    try {
      List<String> options = new ArrayList<>(shippedJvmOptions(repoRoot));
      options.addAll(variantJvmOptions);
      return options;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public BrokerProcess launch(Path runDir, BrokerSettings settings) throws IOException {
    Path dataDir = Files.createDirectories(runDir.resolve("data")).toAbsolutePath();
    int port = FreePorts.loopbackPort();

    Map<String, String> config = new LinkedHashMap<>();
    config.put("node.id", "1");
    config.put("broker.id", "1");
    config.putAll(settings.commonConfig());
    Path configFile = runDir.resolve("ferry.properties");
    ConfigFiles.writeProperties(configFile, "written by the Ferry benchmark harness", config);

    // Per-run values go on the command line, as an operator overriding a shared file would.
    Map<String, String> overrides = new LinkedHashMap<>();
    overrides.put("listeners", "PLAINTEXT://127.0.0.1:" + port);
    overrides.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
    Map<String, Integer> extraPorts = ExtraListeners.ports(settings);
    ExtraListeners.append(overrides, extraPorts);
    overrides.put("log.dirs", dataDir.toString());
    overrides.putAll(settings.extraConfig());

    BrokerProcess process =
        start(
            name(),
            repoRoot,
            runDir,
            settings,
            configFile,
            overrides,
            port,
            dataDir,
            variantJvmOptions);
    extraPorts.forEach((listener, p) -> process.withListener(listener, "127.0.0.1:" + p));
    return process;
  }

  /**
   * {@code FerryCli start --config FILE --override k=v...} in {@code dir}, output to
   * dir/broker.log; uses bin/ferry's class-data archive when it exists, as bin/ferry does.
   */
  static BrokerProcess start(
      String name,
      Path repoRoot,
      Path dir,
      BrokerSettings settings,
      Path configFile,
      Map<String, String> overrides,
      int port,
      Path dataDir)
      throws IOException {
    return start(name, repoRoot, dir, settings, configFile, overrides, port, dataDir, List.of());
  }

  private static BrokerProcess start(
      String name,
      Path repoRoot,
      Path dir,
      BrokerSettings settings,
      Path configFile,
      Map<String, String> overrides,
      int port,
      Path dataDir,
      List<String> variantJvmOptions)
      throws IOException {
    Path target = repoRoot.resolve("ferry-tools/target");
    List<String> extra = new ArrayList<>(shippedJvmOptions(repoRoot));
    extra.addAll(variantJvmOptions);
    extra.addAll(sharedArchiveFlags(target));
    List<String> command =
        new ArrayList<>(JvmCommand.java(settings, extra, classpath(target), MAIN_CLASS));
    command.add("start");
    command.add("--config");
    command.add(configFile.toAbsolutePath().toString());
    overrides.forEach(
        (key, value) -> {
          command.add("--override");
          command.add(key + "=" + value);
        });
    Path logFile = dir.resolve("broker.log");
    // The launch time (local, as the broker's log lines) dates the broker's own log lines.
    Files.writeString(
        logFile,
        "# launched at "
            + java.time.LocalTime.now()
            + ": "
            + BrokerProcess.describe(command)
            + "\n");
    return BrokerProcess.launch(name, command, dir, "127.0.0.1:" + port, logFile, dataDir);
  }

  /** The ferry-tools jar and its lib/ directory: Ferry and everything it runs on, ZooKeeper too. */
  static String classpath(Path target) throws IOException {
    return findToolsJar(target).toAbsolutePath()
        + ":"
        + target.resolve("lib").toAbsolutePath()
        + "/*";
  }

  /**
   * The JVM options Ferry ships for a broker ({@code config/jvm.options}, which {@code bin/ferry
   * start} applies), on top of the flags both brokers share — as Kafka's own start script adds its
   * options to Kafka's JVM. Reported with the settings.
   */
  public static List<String> shippedJvmOptions(Path repoRoot) throws IOException {
    Path file = repoRoot.resolve("config/jvm.options");
    if (!Files.isRegularFile(file)) {
      return List.of();
    }
    List<String> options = new ArrayList<>();
    for (String line : Files.readAllLines(file)) {
      String option = line.strip();
      if (!option.isEmpty() && !option.startsWith("#")) {
        options.add(option);
      }
    }
    return options;
  }

  /**
   * bin/ferry's class-data archive (made on its first run after a build) is part of how Ferry
   * starts; use it when present, as bin/ferry does.
   */
  private static List<String> sharedArchiveFlags(Path target) {
    Path archive = target.resolve("ferry.jsa");
    return Files.isRegularFile(archive)
        ? List.of(
            "-XX:SharedArchiveFile=" + archive.toAbsolutePath(),
            "-Xlog:cds=off",
            "-Xlog:cds+dynamic=off")
        : List.of();
  }

  private static Path findToolsJar(Path target) throws IOException {
    if (Files.isDirectory(target)) {
      try (DirectoryStream<Path> jars = Files.newDirectoryStream(target, "ferry-tools-*.jar")) {
        for (Path jar : jars) {
          String file = jar.getFileName().toString();
          if (!file.endsWith("-sources.jar") && !file.endsWith("-tests.jar")) {
            return jar;
          }
        }
      }
    }
    throw new IOException(
        "no ferry-tools jar in " + target + ": build Ferry (mvn -DskipTests package) or skip it");
  }
}
