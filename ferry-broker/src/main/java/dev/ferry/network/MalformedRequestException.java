package dev.ferry.network;

/**
 * A frame that cannot become a request: bad size prefix, unreadable header, unknown API key or
 * version, or a body the codec rejects. The connection that sent it is closed; the message says why
 * in terms an operator can match against the client (api key, version, client id).
 */
final class MalformedRequestException extends Exception {

  MalformedRequestException(String message) {
    super(message, null, false, false);
  }
}
