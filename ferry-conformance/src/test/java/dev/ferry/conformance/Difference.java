package dev.ferry.conformance;

/**
 * One field on which Ferry's answer differs from Kafka's: in case {@code scope} ("API/case"), the
 * answer to {@code exchange} ("API vN") at the case's {@code version}.
 */
record Difference(
    String scope, short version, String exchange, String path, String ferry, String kafka) {

  /** The same difference at another version groups with this one in the report. */
  String key() {
    return scope
        + " ("
        + exchange.replaceAll(" v\\d+", "")
        + ") "
        + path
        + ": ferry="
        + ferry
        + " kafka="
        + kafka;
  }

  @Override
  public String toString() {
    return scope
        + " v"
        + version
        + " ("
        + exchange
        + ") "
        + path
        + ": ferry="
        + ferry
        + " kafka="
        + kafka;
  }
}
