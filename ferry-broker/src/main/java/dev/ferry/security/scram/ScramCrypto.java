package dev.ferry.security.scram;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** The RFC 5802 functions for one mechanism: Hi, HMAC, H and the keys derived from a password. */
public final class ScramCrypto {

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final byte[] CLIENT_KEY = "Client Key".getBytes(StandardCharsets.UTF_8);
  private static final byte[] SERVER_KEY = "Server Key".getBytes(StandardCharsets.UTF_8);

  private final ScramMechanism mechanism;

  public ScramCrypto(ScramMechanism mechanism) {
    this.mechanism = mechanism;
  }

  public byte[] hmac(byte[] key, byte[] message) {
    try {
      Mac mac = Mac.getInstance(mechanism.macAlgorithm());
      mac.init(new SecretKeySpec(key, mechanism.macAlgorithm()));
      return mac.doFinal(message);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  public byte[] hash(byte[] data) {
    try {
      return MessageDigest.getInstance(mechanism.hashAlgorithm()).digest(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Hi(password, salt, i): PBKDF2 with this mechanism's HMAC and one block. */
  public byte[] saltedPassword(String password, byte[] salt, int iterations) {
    try {
      Mac mac = Mac.getInstance(mechanism.macAlgorithm());
      mac.init(
          new SecretKeySpec(password.getBytes(StandardCharsets.UTF_8), mechanism.macAlgorithm()));
      mac.update(salt);
      mac.update(new byte[] {0, 0, 0, 1});
      byte[] u = mac.doFinal();
      byte[] result = u.clone();
      for (int i = 1; i < iterations; i++) {
        u = mac.doFinal(u);
        for (int j = 0; j < result.length; j++) {
          result[j] ^= u[j];
        }
      }
      return result;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  public byte[] clientKey(byte[] saltedPassword) {
    return hmac(saltedPassword, CLIENT_KEY);
  }

  public byte[] serverKey(byte[] saltedPassword) {
    return hmac(saltedPassword, SERVER_KEY);
  }

  /** The stored form of a salted password. */
  public ScramCredential credential(byte[] salt, byte[] saltedPassword, int iterations) {
    return new ScramCredential(
        salt.clone(), hash(clientKey(saltedPassword)), serverKey(saltedPassword), iterations);
  }

  public ScramCredential credential(String password, int iterations) {
    byte[] salt = randomBytes(32);
    return credential(salt, saltedPassword(password, salt, iterations), iterations);
  }

  public static byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    RANDOM.nextBytes(b);
    return b;
  }

  public static byte[] xor(byte[] a, byte[] b) {
    if (a.length != b.length) {
      throw new IllegalArgumentException("length mismatch");
    }
    byte[] out = new byte[a.length];
    for (int i = 0; i < a.length; i++) {
      out[i] = (byte) (a[i] ^ b[i]);
    }
    return out;
  }
}
