package dev.ferry.server;

import dev.ferry.network.NetworkRequest;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.AbstractResponse;

/**
 * Handles one Kafka API. Called on a network thread: it must not block (hand blocking work to an
 * executor and complete the future there). The dispatcher has already checked that the request's
 * version lies within {@link #minVersion()}..{@link #maxVersion()}.
 */
public interface ApiHandler {

  ApiKeys apiKey();

  /** Lowest version advertised in ApiVersions. */
  short minVersion();

  /** Highest version advertised in ApiVersions. */
  short maxVersion();

  /** Completes with the response, or with null to send none (acks=0 produce). */
  CompletableFuture<AbstractResponse> handle(NetworkRequest request);
}
