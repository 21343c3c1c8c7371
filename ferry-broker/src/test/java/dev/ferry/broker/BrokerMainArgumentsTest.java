package dev.ferry.broker;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BrokerMainArgumentsTest {

  @TempDir Path dir;

  @Test
  void configFileWithOverridesOnTop() throws Exception {
    Path file = dir.resolve("broker.properties");
    Files.writeString(file, "num.partitions = 3\nlog.dirs=/a\n");
    assertThat(
            BrokerMain.configFromArguments(
                new String[] {
                  "--config", file.toString(), "--override", "log.dirs=/b", "--override", "x= y=z"
                }))
        .contains(Map.of("num.partitions", "3", "log.dirs", "/b", "x", "y=z"));
  }

  @Test
  void anythingButConfigAndOverridePairsIsLeftToTheCaller() throws Exception {
    assertThat(BrokerMain.configFromArguments(new String[] {"--help"})).isEmpty();
    assertThat(BrokerMain.configFromArguments(new String[] {"--config"})).isEmpty();
    assertThat(BrokerMain.configFromArguments(new String[] {"--override", "novalue"})).isEmpty();
    assertThat(BrokerMain.configFromArguments(new String[] {"--config=x", "y"})).isEmpty();
    assertThat(BrokerMain.configFromArguments(new String[0])).contains(Map.of());
  }
}
