package dev.ferry.verify;

import java.nio.charset.StandardCharsets;

/**
 * The identity of one workload record: which producer wrote it and its sequence number in that
 * producer's stream. On the wire the value is {@code "p<producer>-<seq>"}; in memory it is packed
 * into a long so the checker can hold millions without an object per record.
 */
public final class RecordId {

  /** Not a record the workload wrote (or no record at all). */
  public static final long NONE = -1;

  /** A record of another run sharing the topic (its key names another run): not this check's. */
  public static final long OTHER_RUN = -2;

  private static final int SEQ_BITS = 40;
  private static final long SEQ_MASK = (1L << SEQ_BITS) - 1;

  private RecordId() {}

  public static long of(int producer, long seq) {
    return ((long) producer << SEQ_BITS) | seq;
  }

  public static int producer(long id) {
    return (int) (id >>> SEQ_BITS);
  }

  public static long seq(long id) {
    return id & SEQ_MASK;
  }

  public static byte[] value(int producer, long seq) {
    return ("p" + producer + "-" + seq).getBytes(StandardCharsets.US_ASCII);
  }

  /** Parses a value written by {@link #value}; {@link #NONE} for anything else. */
  public static long parse(byte[] value) {
    if (value == null || value.length < 4 || value[0] != 'p') {
      return NONE;
    }
    int producer = 0;
    int i = 1;
    for (; i < value.length && value[i] != '-'; i++) {
      int d = value[i] - '0';
      if (d < 0 || d > 9 || producer > 100_000) {
        return NONE;
      }
      producer = producer * 10 + d;
    }
    if (i == 1 || i >= value.length - 1) {
      return NONE;
    }
    long seq = 0;
    for (i++; i < value.length; i++) {
      int d = value[i] - '0';
      if (d < 0 || d > 9 || seq > SEQ_MASK / 10) {
        return NONE;
      }
      seq = seq * 10 + d;
    }
    return of(producer, seq);
  }

  public static String toString(long id) {
    if (id == NONE) {
      return "a foreign record";
    }
    return id == OTHER_RUN ? "another run's record" : "p" + producer(id) + "-" + seq(id);
  }
}
