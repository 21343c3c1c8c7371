package dev.ferry.security.ssl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.ferry.security.ListenerSettings;
import dev.ferry.security.TestCertificates;
import java.security.KeyStore;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.net.ssl.SSLEngine;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.common.security.auth.SslEngineFactory;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Which engine factory a listener gets from {@code ssl.engine.factory.class}, and with what. */
class SslFactoryTest {

  private static Map<String, String> values() {
    Map<String, String> values = new HashMap<>();
    values.put("ssl.keystore.location", TestCertificates.keystore("broker").toString());
    values.put("ssl.keystore.type", "PKCS12");
    values.put("ssl.keystore.password", TestCertificates.PASSWORD);
    values.put("ssl.key.password", TestCertificates.PASSWORD);
    values.put("ssl.truststore.location", TestCertificates.truststore().toString());
    values.put("ssl.truststore.type", "PKCS12");
    values.put("ssl.truststore.password", TestCertificates.PASSWORD);
    return values;
  }

  private static void assumeBoringSsl() {
    assumeTrue(
        OpenSslEngineFactory.unavailabilityCause().isEmpty(),
        "BoringSSL's native library does not load on this platform");
  }

  @Test
  void unsetUsesBoringSslWhenItLoads() {
    assumeBoringSsl();
    SslFactory factory =
        SslFactory.create(new ListenerSettings("SSL", values()), true, Optional::empty);
    assertThat(factory.engineFactory()).isInstanceOf(OpenSslEngineFactory.class);
    assertThat(factory.createServerEngine("127.0.0.1", 1).getClass().getName())
        .startsWith("io.netty.handler.ssl.");
  }

  @Test
  void unsetFallsBackToTheJdkEngineWithOneLogLineWhenTheNativeLibraryDidNotLoad() {
    Logger logger = (Logger) LoggerFactory.getLogger(SslFactory.class);
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    logger.addAppender(appender);
    try {
      SslFactory factory =
          SslFactory.create(
              new ListenerSettings("SSL", values()),
              true,
              () ->
                  Optional.of(new UnsatisfiedLinkError("no netty_tcnative in java.library.path")));
      assertThat(factory.engineFactory()).isInstanceOf(JdkSslEngineFactory.class);
      SSLEngine engine = factory.createServerEngine("127.0.0.1", 1);
      assertThat(engine.getClass().getName()).startsWith("sun.security.ssl.");
      assertThat(engine.getEnabledProtocols()).containsExactlyInAnyOrder("TLSv1.2", "TLSv1.3");
      assertThat(
              appender.list.stream()
                  .filter(e -> e.getLevel() == ch.qos.logback.classic.Level.WARN)
                  .map(ILoggingEvent::getFormattedMessage))
          .singleElement()
          .asString()
          .contains("Listener SSL", "OpenSSL", "no netty_tcnative", "JDK's TLS engine");
    } finally {
      logger.detachAppender(appender);
    }
  }

  @Test
  void kafkasDefaultFactoryNameSelectsTheJdkEngine() {
    Map<String, String> values = values();
    values.put(
        "listener.name.ssl.ssl.engine.factory.class",
        "org.apache.kafka.common.security.ssl.DefaultSslEngineFactory");
    SslFactory factory =
        SslFactory.create(new ListenerSettings("SSL", values), true, Optional::empty);
    assertThat(factory.engineFactory()).isInstanceOf(JdkSslEngineFactory.class);
  }

  @Test
  void bothEnginesTakeTheProtocolsCipherSuitesAndClientAuthentication() {
    assumeBoringSsl();
    for (String engineFactory :
        List.of(OpenSslEngineFactory.class.getName(), JdkSslEngineFactory.class.getName())) {
      Map<String, String> values = values();
      values.put("ssl.engine.factory.class", engineFactory);
      values.put("ssl.enabled.protocols", "TLSv1.2");
      values.put("ssl.cipher.suites", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
      values.put("ssl.client.auth", "required");
      SSLEngine engine =
          SslFactory.create(new ListenerSettings("SSL", values), true, Optional::empty)
              .createServerEngine("127.0.0.1", 1);
      // Netty's engine also lists the pseudo-protocol SSLv2Hello, which BoringSSL never accepts.
      assertThat(engine.getEnabledProtocols())
          .as(engineFactory)
          .filteredOn(p -> !p.equals("SSLv2Hello"))
          .containsExactly("TLSv1.2");
      assertThat(engine.getEnabledCipherSuites())
          .as(engineFactory)
          .containsExactly("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
      assertThat(engine.getNeedClientAuth()).as(engineFactory).isTrue();
    }
  }

  @Test
  void anotherClassIsConfiguredWithTheListenersSettingsTypedAsKafkaTypesThem() {
    Map<String, String> values = values();
    values.put("listener.name.ssl.ssl.engine.factory.class", RecordingFactory.class.getName());
    values.put("listener.name.ssl.ssl.enabled.protocols", "TLSv1.3");
    values.put("ssl.enabled.protocols", "TLSv1.2");
    SslFactory factory =
        SslFactory.create(new ListenerSettings("SSL", values), true, Optional::empty);
    RecordingFactory recording = (RecordingFactory) factory.engineFactory();
    assertThat(recording.configs.get("ssl.keystore.password"))
        .isEqualTo(new Password(TestCertificates.PASSWORD));
    assertThat(recording.configs.get("ssl.enabled.protocols")).isEqualTo(List.of("TLSv1.3"));
    assertThat(recording.configs.get("ssl.keystore.type")).isEqualTo("PKCS12");
    assertThat(recording.configs.get("ssl.client.auth")).isEqualTo("none");
    assertThat(factory.createServerEngine("10.1.2.3", 4).getPeerHost()).isEqualTo("10.1.2.3");
  }

  @Test
  void theInterBrokerClientTakesItsEnginesFromTheSameFactoryAsTheListener() {
    assumeBoringSsl();
    SslFactory unset =
        SslFactory.create(new ListenerSettings("SSL", values()), false, Optional::empty);
    assertThat(unset.engineFactory()).isInstanceOf(OpenSslEngineFactory.class);
    SSLEngine boring = unset.createClientEngine("127.0.0.1", 9093);
    assertThat(boring.getClass().getName()).startsWith("io.netty.handler.ssl.");
    assertThat(boring.getUseClientMode()).isTrue();
    // Host names are checked unless ssl.endpoint.identification.algorithm is set empty.
    assertThat(boring.getSSLParameters().getEndpointIdentificationAlgorithm()).isEqualTo("HTTPS");

    Map<String, String> values = values();
    values.put(
        "ssl.engine.factory.class", "org.apache.kafka.common.security.ssl.DefaultSslEngineFactory");
    values.put("ssl.endpoint.identification.algorithm", "");
    SslFactory kafkasDefault =
        SslFactory.create(new ListenerSettings("SSL", values), false, Optional::empty);
    SSLEngine jdk = kafkasDefault.createClientEngine("127.0.0.1", 9093);
    assertThat(jdk.getClass().getName()).startsWith("sun.security.ssl.");
    assertThat(jdk.getUseClientMode()).isTrue();
    assertThat(jdk.getSSLParameters().getEndpointIdentificationAlgorithm()).isNull();

    values.put("ssl.engine.factory.class", RecordingFactory.class.getName());
    SslFactory custom =
        SslFactory.create(new ListenerSettings("SSL", values), false, Optional::empty);
    assertThat(custom.engineFactory()).isInstanceOf(RecordingFactory.class);
    assertThat(custom.createClientEngine("10.1.2.3", 4).getPeerHost()).isEqualTo("10.1.2.3");
  }

  @Test
  void aClassThatIsNotAnEngineFactoryIsAConfigError() {
    Map<String, String> values = values();
    values.put("ssl.engine.factory.class", String.class.getName());
    assertThatThrownBy(
            () -> SslFactory.create(new ListenerSettings("SSL", values), true, Optional::empty))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("ssl.engine.factory.class")
        .hasMessageContaining("listener SSL");
    values.put("ssl.engine.factory.class", "com.example.Missing");
    assertThatThrownBy(
            () -> SslFactory.create(new ListenerSettings("SSL", values), true, Optional::empty))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("class not found");
  }

  /** Keeps what it was configured with; its engines are the JDK's. */
  public static final class RecordingFactory implements SslEngineFactory {
    Map<String, ?> configs;
    private final JdkSslEngineFactory jdk = new JdkSslEngineFactory();

    @Override
    public void configure(Map<String, ?> configs) {
      this.configs = new HashMap<>(configs);
      jdk.configure(configs);
    }

    @Override
    public SSLEngine createClientSslEngine(String host, int port, String endpointIdentification) {
      return jdk.createClientSslEngine(host, port, endpointIdentification);
    }

    @Override
    public SSLEngine createServerSslEngine(String host, int port) {
      return jdk.createServerSslEngine(host, port);
    }

    @Override
    public boolean shouldBeRebuilt(Map<String, Object> nextConfigs) {
      return false;
    }

    @Override
    public Set<String> reconfigurableConfigs() {
      return Set.of();
    }

    @Override
    public KeyStore keystore() {
      return jdk.keystore();
    }

    @Override
    public KeyStore truststore() {
      return jdk.truststore();
    }

    @Override
    public void close() {}
  }
}
