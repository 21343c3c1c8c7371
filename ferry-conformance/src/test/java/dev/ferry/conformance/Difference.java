package dev.ferry.conformance;

/** One field on which Ferry's answer differs from Kafka's. */
record Difference(String scope, String path, String ferry, String kafka) {

  @Override
  public String toString() {
    return scope + " " + path + ": ferry=" + ferry + " kafka=" + kafka;
  }
}
