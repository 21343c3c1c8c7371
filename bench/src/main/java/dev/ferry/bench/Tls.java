package dev.ferry.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A self-signed server certificate for 127.0.0.1 made with the JDK's {@code keytool} (as
 * docs/operations.md tells an operator to), and a truststore holding it for the clients. Both
 * brokers get the same key (RSA 2048), so they negotiate the same TLS version and cipher suite with
 * the client.
 *
 * @param keystore the broker's PKCS12 keystore
 * @param truststore the clients' PKCS12 truststore
 */
record Tls(Path keystore, Path truststore) {

  static final String PASSWORD = "bench-pass";

  static Tls create(Path directory) throws IOException, InterruptedException {
    Path dir = Files.createDirectories(directory).toAbsolutePath();
    Path keystore = dir.resolve("broker.p12");
    Path cert = dir.resolve("broker.crt");
    Path truststore = dir.resolve("truststore.p12");
    keytool(
        dir,
        "-genkeypair",
        "-alias",
        "broker",
        "-keyalg",
        "RSA",
        "-keysize",
        "2048",
        "-validity",
        "30",
        "-dname",
        "CN=localhost",
        "-ext",
        "SAN=ip:127.0.0.1,dns:localhost",
        "-storetype",
        "PKCS12",
        "-keystore",
        keystore.toString(),
        "-storepass",
        PASSWORD);
    keytool(
        dir,
        "-exportcert",
        "-alias",
        "broker",
        "-keystore",
        keystore.toString(),
        "-storepass",
        PASSWORD,
        "-file",
        cert.toString());
    keytool(
        dir,
        "-importcert",
        "-noprompt",
        "-alias",
        "broker",
        "-file",
        cert.toString(),
        "-storetype",
        "PKCS12",
        "-keystore",
        truststore.toString(),
        "-storepass",
        PASSWORD);
    return new Tls(keystore, truststore);
  }

  private static void keytool(Path dir, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(List.of(args));
    Path log = dir.resolve("keytool.log");
    Process process =
        new ProcessBuilder(command)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IOException("keytool timed out; see " + log);
    }
    if (process.exitValue() != 0) {
      throw new IOException("keytool " + args[0] + " failed; see " + log);
    }
  }
}
