package dev.ferry.verify;

import java.util.Arrays;

/** A growable array of longs indexed from 0, unset slots holding a fill value. */
public final class LongList {

  private final long fill;
  private long[] values;
  private int size;

  public LongList(long fill) {
    this.fill = fill;
    this.values = new long[1024];
    Arrays.fill(values, fill);
  }

  public void set(long index, long value) {
    if (index < 0 || index > Integer.MAX_VALUE - 16) {
      throw new IndexOutOfBoundsException("index " + index);
    }
    int i = (int) index;
    if (i >= values.length) {
      int old = values.length;
      values = Arrays.copyOf(values, Math.max(i + 1, old * 2));
      Arrays.fill(values, old, values.length, fill);
    }
    values[i] = value;
    size = Math.max(size, i + 1);
  }

  public long get(long index) {
    return index < 0 || index >= size ? fill : values[(int) index];
  }

  /** One past the highest index ever set. */
  public int size() {
    return size;
  }
}
