package dev.ferry.reliability;

/**
 * One request the fuzzer sends: a frame payload and the size prefix to put before it.
 *
 * @param kind the mutation that made it, for the per-kind counts
 * @param declaredSize the 4-byte size prefix; differs from {@code payload.length} for wrong-length
 *     cases
 * @param payload the bytes after the prefix
 * @param correlationId the id written into the header (responses are matched by it)
 */
record FuzzCase(String kind, int declaredSize, byte[] payload, int correlationId) {

  /**
   * A wrong-length case leaves the broker waiting for bytes that never come (or parsing the next
   * request as the rest of this one): it must be the last on its connection, which the client then
   * half-closes.
   */
  boolean terminal() {
    return declaredSize != payload.length;
  }
}
