package dev.ferry.server.producerid;

import dev.ferry.network.NetworkRequest;
import dev.ferry.server.ApiHandler;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.InitProducerIdRequest;
import org.apache.kafka.common.requests.InitProducerIdResponse;

/**
 * InitProducerId for idempotent producers: every call gets a fresh producer id at epoch 0, also a
 * producer re-initialising after a sequence error (as Kafka does without a transactional id), so
 * its old sequence state can never clash. Transactions are not supported yet.
 */
public final class InitProducerIdHandler extends ApiHandler<InitProducerIdRequest> {

  private final ProducerIdManager producerIds;

  public InitProducerIdHandler(ProducerIdManager producerIds) {
    super(ApiKeys.INIT_PRODUCER_ID, InitProducerIdRequest.class);
    this.producerIds = producerIds;
  }

  @Override
  protected CompletableFuture<AbstractResponse> handle(
      NetworkRequest request, InitProducerIdRequest body) {
    InitProducerIdRequestData req = body.data();
    if (req.transactionalId() != null) {
      return CompletableFuture.completedFuture(
          response(Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, -1, (short) -1));
    }
    return producerIds
        .nextId()
        .thenApply(id -> (AbstractResponse) response(Errors.NONE, id, (short) 0));
  }

  private static InitProducerIdResponse response(Errors error, long producerId, short epoch) {
    return new InitProducerIdResponse(
        new InitProducerIdResponseData()
            .setErrorCode(error.code())
            .setProducerId(producerId)
            .setProducerEpoch(epoch));
  }
}
