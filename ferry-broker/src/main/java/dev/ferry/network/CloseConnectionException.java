package dev.ferry.network;

/**
 * A handler's way to answer a request by closing the connection: responses owed to earlier requests
 * on it are still written, then it closes. Kafka's answer to a failed acks=0 produce, whose client
 * waits for no response and learns of the failure only by losing its connection (which makes it
 * refresh metadata and find the new leader).
 */
public final class CloseConnectionException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public CloseConnectionException(String reason) {
    super(reason, null, false, false);
  }
}
