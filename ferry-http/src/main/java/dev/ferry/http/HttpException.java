package dev.ferry.http;

/**
 * A request that fails with an HTTP status and a service-specific error code; the service's {@link
 * ErrorRenderer} turns it into the body (e.g. the schema registry's {@code error_code} JSON).
 */
public class HttpException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final int status;
  private final int errorCode;

  public HttpException(int status, int errorCode, String message) {
    super(message);
    this.status = status;
    this.errorCode = errorCode;
  }

  public int status() {
    return status;
  }

  /** The service's own code for the error (the status itself when it has none). */
  public int errorCode() {
    return errorCode;
  }
}
