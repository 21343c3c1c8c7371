package org.apache.kafka.test;

import java.io.File;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.network.ConnectionMode;

/**
 * Stands in for Kafka's unpublished SSL test helper, which its cluster test kit calls while it
 * builds any cluster. The conformance clusters listen in plaintext, so the SSL settings it returns
 * name files that are never read.
 */
public final class TestSslUtils {

  private TestSslUtils() {}

  /** The builder the test kit uses: store files only, no certificates. */
  public static final class SslConfigsBuilder {

    private File trustStore;

    public SslConfigsBuilder(ConnectionMode mode) {}

    public SslConfigsBuilder createNewTrustStore(File file) {
      this.trustStore = file;
      return this;
    }

    public SslConfigsBuilder useExistingTrustStore(File file) {
      this.trustStore = file;
      return this;
    }

    public Map<String, Object> build() throws IOException {
      Map<String, Object> config = new HashMap<>();
      config.put("ssl.keystore.location", TestUtils.tempFile("keystore", ".jks").getPath());
      config.put("ssl.truststore.location", trustStore.getPath());
      return config;
    }
  }
}
