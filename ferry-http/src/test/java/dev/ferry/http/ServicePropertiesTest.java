package dev.ferry.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class ServicePropertiesTest {

  @Test
  void integersFallBackToTheDefaultOnlyWhenAbsentOrBlank() {
    Map<String, String> props = Map.of("a", " 42 ", "blank", " ", "bad", "4x");
    assertThat(ServiceProperties.intValue(props, "a", 7)).isEqualTo(42);
    assertThat(ServiceProperties.intValue(props, "missing", 7)).isEqualTo(7);
    assertThat(ServiceProperties.intValue(props, "blank", 7)).isEqualTo(7);
    assertThatThrownBy(() -> ServiceProperties.intValue(props, "bad", 7))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("bad")
        .hasMessageContaining("not an integer");
  }

  @Test
  void portsAreZeroUpTo65535() {
    assertThat(ServiceProperties.portValue(Map.of("p", "0"), "p")).isZero();
    assertThat(ServiceProperties.portValue(Map.of("p", "65535"), "p")).isEqualTo(65535);
    assertThatThrownBy(() -> ServiceProperties.portValue(Map.of("p", "65536"), "p"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("must be a port number");
    assertThatThrownBy(() -> ServiceProperties.portValue(Map.of("p", "-1"), "p"))
        .isInstanceOf(ConfigException.class);
  }

  @Test
  void prefixedSettingsComeBackWithoutTheirPrefix() {
    Map<String, String> props =
        Map.of(
            "console.client.security.protocol", "SSL",
            "console.client.ssl.truststore.location", "/t.jks",
            "console.port", "0",
            "console.clientx", "no");
    assertThat(ServiceProperties.withPrefix(props, "console.client."))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of("security.protocol", "SSL", "ssl.truststore.location", "/t.jks"));
  }
}
