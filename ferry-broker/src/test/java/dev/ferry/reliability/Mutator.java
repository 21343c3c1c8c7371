package dev.ferry.reliability;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.utils.internals.Crc32C;

/**
 * Turns valid request templates into bad input, deterministically from a seed: corrupted bytes,
 * interesting integers where lengths and counts live, truncation, trailing garbage, unknown API
 * keys and versions, wrong size prefixes, random frames, and record batches that are truncated,
 * carry a wrong CRC, or have a mutated header with a recomputed (valid) CRC.
 */
final class Mutator {

  // Offsets within a v2 record batch.
  private static final int BATCH_LENGTH = 8;
  private static final int MAGIC = 16;
  private static final int CRC = 17;
  private static final int ATTRIBUTES = 21;
  private static final int LAST_OFFSET_DELTA = 23;
  private static final int BASE_TIMESTAMP = 27;
  private static final int PRODUCER_ID = 43;
  private static final int PRODUCER_EPOCH = 51;
  private static final int BASE_SEQUENCE = 53;
  private static final int RECORD_COUNT = 57;

  private static final int[] INTERESTING_INTS = {
    0,
    1,
    -1,
    2,
    0x7f,
    0x80,
    0xff,
    0x7fff,
    0x8000,
    0xffff,
    0x10000,
    0x7fffffff,
    0x80000000,
    0x7ffffffe,
    0x40000000,
    100 * 1024 * 1024,
    1 << 20,
    -2,
    -0x7fffffff
  };
  private static final short[] INTERESTING_SHORTS = {
    0, 1, -1, 0x7f, 0x80, 0xff, 0x7fff, (short) 0x8000, (short) 0xfffe, 1000
  };

  private static final String[] KINDS = {
    "flip-bits",
    "interesting-int32",
    "interesting-int16",
    "truncate",
    "append-garbage",
    "unknown-api-key",
    "bad-version",
    "length-short",
    "length-long",
    "length-negative",
    "random-frame",
    "random-body",
    "stacked",
    "batch-flip",
    "batch-crc",
    "batch-length",
    "batch-truncate",
    "batch-header-resigned",
    "valid"
  };

  private final Random random;
  private final List<RequestTemplates.Template> templates;
  private final List<RequestTemplates.Template> produceTemplates;
  private int nextCorrelationId = 1;

  Mutator(long seed, List<RequestTemplates.Template> templates) {
    this.random = new Random(seed);
    this.templates = templates;
    this.produceTemplates =
        templates.stream().filter(RequestTemplates.Template::hasRecords).toList();
  }

  static List<String> kinds() {
    return List.of(KINDS);
  }

  /** The next case; correlation ids increase by one per case. */
  FuzzCase next() {
    int correlationId = nextCorrelationId++;
    String kind = KINDS[random.nextInt(KINDS.length)];
    RequestTemplates.Template t =
        kind.startsWith("batch-")
            ? produceTemplates.get(random.nextInt(produceTemplates.size()))
            : templates.get(random.nextInt(templates.size()));
    byte[] p = t.payload().clone();
    int declared = Integer.MIN_VALUE; // unset: the payload's own length
    switch (kind) {
      case "flip-bits" -> flipBits(p, 8, p.length);
      case "interesting-int32" -> p = interestingInt(p);
      case "interesting-int16" -> p = interestingShort(p);
      case "truncate" -> p = Arrays.copyOf(p, random.nextInt(p.length));
      case "append-garbage" -> p = appendGarbage(p);
      case "unknown-api-key" -> putShort(p, 0, unknownApiKey());
      case "bad-version" -> putShort(p, 2, badVersion(t.api()));
      case "length-short" -> declared = random.nextInt(Math.max(1, p.length));
      case "length-long" -> declared = p.length + 1 + random.nextInt(1 << 20);
      case "length-negative" -> declared = -1 - random.nextInt(Integer.MAX_VALUE);
      case "random-frame" -> p = randomBytes(random.nextInt(600));
      case "random-body" -> p = concat(Arrays.copyOf(p, 14), randomBytes(random.nextInt(300)));
      case "stacked" -> {
        for (int i = 0, n = 2 + random.nextInt(2); i < n; i++) {
          p =
              switch (random.nextInt(4)) {
                case 0 -> {
                  flipBits(p, 8, p.length);
                  yield p;
                }
                case 1 -> interestingInt(p);
                case 2 -> interestingShort(p);
                default -> appendGarbage(p);
              };
        }
      }
      case "batch-flip" -> flipBits(p, t.recordsOffset() + ATTRIBUTES, recordsEnd(t));
      case "batch-crc" -> putInt(p, t.recordsOffset() + CRC, random.nextInt());
      case "batch-length" -> putInt(p, t.recordsOffset() + BATCH_LENGTH, interestingOrRandom());
      case "batch-truncate" -> p = Arrays.copyOf(p, t.recordsOffset() + random.nextInt(61 + 8));
      case "batch-header-resigned" -> resignedHeaderMutation(p, t);
      case "valid" -> {
        // Unchanged: keeps the broker doing real work between the bad cases.
      }
      default -> throw new IllegalStateException(kind);
    }
    if (p.length >= 8) {
      putInt(p, 4, correlationId);
    }
    return new FuzzCase(
        kind, declared == Integer.MIN_VALUE ? p.length : declared, p, correlationId);
  }

  private void resignedHeaderMutation(byte[] p, RequestTemplates.Template t) {
    int base = t.recordsOffset();
    switch (random.nextInt(9)) {
      case 0 -> putInt(p, base + BATCH_LENGTH, interestingOrRandom());
      case 1 -> p[base + MAGIC] = (byte) random.nextInt(256);
      case 2 -> putShort(p, base + ATTRIBUTES, (short) random.nextInt(1 << 16));
      case 3 -> putInt(p, base + LAST_OFFSET_DELTA, interestingOrRandom());
      case 4 -> putLong(p, base + BASE_TIMESTAMP, random.nextLong());
      case 5 -> putLong(p, base + PRODUCER_ID, random.nextInt(4) == 0 ? -1 : random.nextLong());
      case 6 -> putShort(p, base + PRODUCER_EPOCH, (short) random.nextInt(1 << 16));
      case 7 -> putInt(p, base + BASE_SEQUENCE, interestingOrRandom());
      default -> putInt(p, base + RECORD_COUNT, interestingOrRandom());
    }
    // A valid CRC over the mutated header: only the broker's own header checks can catch it.
    int crcStart = base + ATTRIBUTES;
    putInt(p, base + CRC, (int) Crc32C.compute(p, crcStart, recordsEnd(t) - crcStart));
  }

  private static int recordsEnd(RequestTemplates.Template t) {
    return t.recordsOffset() + t.recordsLength();
  }

  private void flipBits(byte[] p, int from, int to) {
    if (to <= from) {
      return;
    }
    for (int i = 0, n = 1 + random.nextInt(4); i < n; i++) {
      p[from + random.nextInt(to - from)] ^= (byte) (1 << random.nextInt(8));
    }
  }

  private byte[] interestingInt(byte[] p) {
    if (p.length >= 12) {
      putInt(p, 8 + random.nextInt(p.length - 11), interestingOrRandom());
    }
    return p;
  }

  private byte[] interestingShort(byte[] p) {
    if (p.length >= 10) {
      putShort(
          p,
          8 + random.nextInt(p.length - 9),
          INTERESTING_SHORTS[random.nextInt(INTERESTING_SHORTS.length)]);
    }
    return p;
  }

  private int interestingOrRandom() {
    return random.nextInt(4) == 0
        ? random.nextInt()
        : INTERESTING_INTS[random.nextInt(INTERESTING_INTS.length)];
  }

  private byte[] appendGarbage(byte[] p) {
    return concat(p, randomBytes(1 + random.nextInt(64)));
  }

  private short unknownApiKey() {
    while (true) {
      short key = (short) random.nextInt(1 << 16);
      if (!ApiKeys.hasId(key)) {
        return key;
      }
    }
  }

  private short badVersion(ApiKeys api) {
    return switch (random.nextInt(3)) {
      case 0 -> (short) -(1 + random.nextInt(Short.MAX_VALUE));
      case 1 -> (short) (api.latestVersion() + 1 + random.nextInt(100));
      default -> (short) random.nextInt(1 << 16);
    };
  }

  private byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private static void putInt(byte[] p, int at, int v) {
    if (at >= 0 && at + 4 <= p.length) {
      ByteBuffer.wrap(p).putInt(at, v);
    }
  }

  private static void putShort(byte[] p, int at, short v) {
    if (at >= 0 && at + 2 <= p.length) {
      ByteBuffer.wrap(p).putShort(at, v);
    }
  }

  private static void putLong(byte[] p, int at, long v) {
    if (at >= 0 && at + 8 <= p.length) {
      ByteBuffer.wrap(p).putLong(at, v);
    }
  }
}
