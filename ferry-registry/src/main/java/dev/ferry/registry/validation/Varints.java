package dev.ferry.registry.validation;

import java.nio.ByteBuffer;

/** Zig-zag varints of the v2 record format, read at a cursor without allocating. */
final class Varints {

  private Varints() {}

  static int readVarint(ByteBuffer b, int[] cursor) {
    int value = 0;
    int shift = 0;
    int pos = cursor[0];
    while (true) {
      byte x = b.get(pos++);
      value |= (x & 0x7f) << shift;
      if ((x & 0x80) == 0) {
        break;
      }
      shift += 7;
      if (shift > 28) {
        throw new IllegalArgumentException("varint too long");
      }
    }
    cursor[0] = pos;
    return (value >>> 1) ^ -(value & 1);
  }

  static void skipVarlong(ByteBuffer b, int[] cursor) {
    int pos = cursor[0];
    for (int i = 0; i < 10; i++) {
      if ((b.get(pos++) & 0x80) == 0) {
        cursor[0] = pos;
        return;
      }
    }
    throw new IllegalArgumentException("varlong too long");
  }
}
