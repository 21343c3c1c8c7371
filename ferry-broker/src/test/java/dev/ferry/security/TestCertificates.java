package dev.ferry.security;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Key stores made for the tests with the JDK's {@code keytool} (one self-signed key pair per
 * identity, run in parallel) and one trust store holding every certificate, built with the KeyStore
 * API. Made once per JVM under {@code target/test-certs}; nothing private is committed.
 */
public final class TestCertificates {

  public static final String PASSWORD = "test-secret";
  public static final List<String> IDENTITIES = List.of("broker", "admin", "alice", "bob");

  private static Path dir;

  private TestCertificates() {}

  /** The directory with {@code <identity>.p12} key stores and {@code truststore.p12}. */
  public static synchronized Path dir() {
    if (dir == null) {
      try {
        dir = generate(Path.of("target", "test-certs").toAbsolutePath());
      } catch (IOException | GeneralSecurityException e) {
        throw new IllegalStateException("cannot generate test certificates", e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    return dir;
  }

  public static Path keystore(String identity) {
    return dir().resolve(identity + ".p12");
  }

  public static Path truststore() {
    return dir().resolve("truststore.p12");
  }

  /** The distinguished name of an identity's certificate (RFC 2253, as the JDK prints it). */
  public static String dn(String identity) {
    return "CN=" + identity + ",OU=test,O=ferry";
  }

  private static Path generate(Path target)
      throws IOException, GeneralSecurityException, InterruptedException {
    Path tmp =
        Files.createDirectories(
            target.resolveSibling("test-certs-" + ProcessHandle.current().pid()));
    String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    List<Process> processes = new ArrayList<>();
    for (String identity : IDENTITIES) {
      Path ks = tmp.resolve(identity + ".p12");
      Files.deleteIfExists(ks);
      processes.add(
          new ProcessBuilder(
                  keytool,
                  "-genkeypair",
                  "-alias",
                  identity,
                  "-keyalg",
                  "EC",
                  "-groupname",
                  "secp256r1",
                  "-dname",
                  "CN=" + identity + ", OU=test, O=ferry",
                  "-ext",
                  "SAN=ip:127.0.0.1,dns:localhost",
                  "-validity",
                  "30",
                  "-storetype",
                  "PKCS12",
                  "-keystore",
                  ks.toString(),
                  "-storepass",
                  PASSWORD,
                  "-keypass",
                  PASSWORD)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start());
    }
    for (Process p : processes) {
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        p.destroyForcibly();
        throw new IOException("keytool failed");
      }
    }
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    for (String identity : IDENTITIES) {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      try (InputStream in = Files.newInputStream(tmp.resolve(identity + ".p12"))) {
        ks.load(in, PASSWORD.toCharArray());
      }
      trust.setCertificateEntry(identity, ks.getCertificate(identity));
    }
    try (OutputStream out = Files.newOutputStream(tmp.resolve("truststore.p12"))) {
      trust.store(out, PASSWORD.toCharArray());
    }
    return tmp;
  }
}
