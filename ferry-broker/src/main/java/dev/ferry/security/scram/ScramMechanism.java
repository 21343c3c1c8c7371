package dev.ferry.security.scram;

import java.util.Optional;

/** The SCRAM mechanisms Kafka supports, with their hash and HMAC and Kafka's iteration bounds. */
public enum ScramMechanism {
  SCRAM_SHA_256("SCRAM-SHA-256", "SHA-256", "HmacSHA256", (byte) 1),
  SCRAM_SHA_512("SCRAM-SHA-512", "SHA-512", "HmacSHA512", (byte) 2);

  /** Kafka's lower bound on iterations. */
  public static final int MIN_ITERATIONS = 4096;

  /** Kafka's upper bound on iterations (bounds the work one request can ask of a broker). */
  public static final int MAX_ITERATIONS = 16384;

  private final String mechanismName;
  private final String hashAlgorithm;
  private final String macAlgorithm;
  private final byte type;

  ScramMechanism(String mechanismName, String hashAlgorithm, String macAlgorithm, byte type) {
    this.mechanismName = mechanismName;
    this.hashAlgorithm = hashAlgorithm;
    this.macAlgorithm = macAlgorithm;
    this.type = type;
  }

  /** The SASL mechanism name, e.g. {@code SCRAM-SHA-256}. */
  public String mechanismName() {
    return mechanismName;
  }

  public String hashAlgorithm() {
    return hashAlgorithm;
  }

  public String macAlgorithm() {
    return macAlgorithm;
  }

  /** The wire code of DescribeUserScramCredentials / AlterUserScramCredentials. */
  public byte type() {
    return type;
  }

  public static Optional<ScramMechanism> forName(String name) {
    for (ScramMechanism m : values()) {
      if (m.mechanismName.equals(name)) {
        return Optional.of(m);
      }
    }
    return Optional.empty();
  }

  public static Optional<ScramMechanism> forType(byte type) {
    for (ScramMechanism m : values()) {
      if (m.type == type) {
        return Optional.of(m);
      }
    }
    return Optional.empty();
  }
}
