package org.apache.kafka.test;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;

/**
 * The two methods of Kafka's own test utilities that its cluster test kit calls (its SSL helper
 * makes a trust-store file even for plaintext clusters). Kafka does not publish that class in any
 * Maven artifact the test kit depends on, so this module supplies them.
 */
public final class TestUtils {

  private TestUtils() {}

  public static File tempFile() throws IOException {
    return tempFile("kafka", ".tmp");
  }

  public static File tempFile(String prefix, String suffix) throws IOException {
    File f = Files.createTempFile(prefix, suffix).toFile();
    f.deleteOnExit();
    return f;
  }
}
