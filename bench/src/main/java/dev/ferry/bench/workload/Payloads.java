package dev.ferry.bench.workload;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * Message bodies. Producers cycle through a fixed pool so the load generator allocates nothing per
 * message. Bodies are log-like text (words from a small vocabulary) so that lz4 finds realistic
 * redundancy instead of compressing zeros to nothing or failing on random bytes.
 */
public final class Payloads {

  private static final int POOL_SIZE = 1024;

  private final byte[][] pool;

  private Payloads(byte[][] pool) {
    this.pool = pool;
  }

  public static Payloads text(int size, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    String[] vocabulary = vocabulary(random);
    byte[][] pool = new byte[POOL_SIZE][];
    for (int i = 0; i < POOL_SIZE; i++) {
      StringBuilder line = new StringBuilder(size + 16);
      while (line.length() < size) {
        line.append(vocabulary[random.nextInt(vocabulary.length)]).append(' ');
      }
      pool[i] = line.substring(0, size).getBytes(StandardCharsets.US_ASCII);
    }
    return new Payloads(pool);
  }

  public byte[] get(long index) {
    return pool[(int) (index % POOL_SIZE)];
  }

  public int size() {
    return pool[0].length;
  }

  private static String[] vocabulary(SplittableRandom random) {
    String[] words = new String[512];
    for (int i = 0; i < words.length; i++) {
      int length = 2 + random.nextInt(10);
      char[] chars = new char[length];
      for (int c = 0; c < length; c++) {
        chars[c] = (char) ('a' + random.nextInt(26));
      }
      words[i] = new String(chars);
    }
    return words;
  }
}
