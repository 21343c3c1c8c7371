package dev.ferry.server.txn;

import dev.ferry.network.NetworkRequest;
import org.apache.kafka.common.protocol.Errors;

/**
 * PRODUCER_FENCED (KIP-588) for the clients that know it: a request older than the version that
 * introduced it gets INVALID_PRODUCER_EPOCH instead, which such a client handles the same way (as
 * Kafka answers them).
 */
final class FencedErrors {

  private FencedErrors() {}

  static Errors forVersion(Errors error, NetworkRequest request, int firstVersionKnowingFenced) {
    if (error == Errors.PRODUCER_FENCED
        && request.header().apiVersion() < firstVersionKnowingFenced) {
      return Errors.INVALID_PRODUCER_EPOCH;
    }
    return error;
  }
}
