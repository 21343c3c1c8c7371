package dev.ferry.registry.api;

import dev.ferry.http.HttpException;

/**
 * Confluent Schema Registry's error codes: the HTTP status is the code's first three digits, the
 * {@code error_code} field of the body the whole code.
 */
public final class RegistryErrors {

  private RegistryErrors() {}

  public static HttpException subjectNotFound(String subject) {
    return new HttpException(404, 40401, "Subject '" + subject + "' not found.");
  }

  public static HttpException versionNotFound(Object version) {
    return new HttpException(404, 40402, "Version " + version + " not found.");
  }

  public static HttpException schemaNotFound(Object what) {
    return new HttpException(
        404, 40403, what == null ? "Schema not found" : "Schema " + what + " not found");
  }

  public static HttpException subjectSoftDeleted(String subject) {
    return new HttpException(
        404,
        40404,
        "Subject '" + subject + "' was soft deleted. Set permanent=true to delete permanently");
  }

  public static HttpException subjectNotSoftDeleted(String subject) {
    return new HttpException(
        404,
        40405,
        "Subject '" + subject + "' was not deleted first before being permanently deleted");
  }

  public static HttpException versionSoftDeleted(String subject, int version) {
    return new HttpException(
        404,
        40406,
        "Subject '"
            + subject
            + "' Version "
            + version
            + " was soft deleted. Set permanent=true to delete permanently");
  }

  public static HttpException versionNotSoftDeleted(String subject, int version) {
    return new HttpException(
        404,
        40407,
        "Subject '"
            + subject
            + "' Version "
            + version
            + " was not deleted first before being permanently deleted");
  }

  public static HttpException subjectConfigNotFound(String subject) {
    return new HttpException(
        404,
        40408,
        "Subject '" + subject + "' does not have subject-level compatibility configured");
  }

  public static HttpException subjectModeNotFound(String subject) {
    return new HttpException(
        404, 40409, "Subject '" + subject + "' does not have subject-level mode configured");
  }

  public static HttpException incompatible(String message) {
    return new HttpException(409, 409, message);
  }

  public static HttpException invalidSchema(String message) {
    return new HttpException(422, 42201, message);
  }

  public static HttpException invalidVersion(String version) {
    return new HttpException(
        422,
        42202,
        "The specified version '"
            + version
            + "' is not a valid version id. Allowed values are between [1, 2^31-1] and the string"
            + " \"latest\"");
  }

  public static HttpException invalidCompatibility(String level) {
    return new HttpException(
        422,
        42203,
        "Invalid compatibility level "
            + level
            + ". Valid values are none, backward, forward, full, backward_transitive,"
            + " forward_transitive, and full_transitive");
  }

  public static HttpException invalidMode(String mode) {
    return new HttpException(
        422, 42204, "Invalid mode " + mode + ". Valid values are READWRITE, READONLY and IMPORT");
  }

  public static HttpException notPermitted(String message) {
    return new HttpException(422, 42205, message);
  }

  public static HttpException referenceExists(String message) {
    return new HttpException(422, 42206, message);
  }

  public static HttpException invalidSubject(String subject) {
    return new HttpException(
        422, 42208, "The specified subject is not valid: " + printable(subject));
  }

  public static HttpException badRequest(String message) {
    return new HttpException(400, 400, message);
  }

  public static HttpException storeError(String message) {
    return new HttpException(500, 50001, "Error in the backend data store: " + message);
  }

  public static HttpException timeout(String message) {
    return new HttpException(500, 50002, "Operation timed out: " + message);
  }

  public static HttpException forwardingFailed(String message) {
    return new HttpException(
        500, 50003, "Error while forwarding the request to the leader: " + message);
  }

  public static HttpException unknownLeader() {
    return new HttpException(
        500, 50004, "Unknown leader: no schema registry leads the schemas topic");
  }

  /** A subject name as it may appear in a message: control characters escaped, length bounded. */
  static String printable(String s) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length() && i < 100; i++) {
      char c = s.charAt(i);
      b.append(Character.isISOControl(c) ? String.format("\\u%04x", (int) c) : c);
    }
    return b.length() < s.length() ? b + "..." : b.toString();
  }
}
