package dev.ferry.server.producerid;

import dev.ferry.coordinator.transaction.TransactionCoordinator;
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
 * InitProducerId. Without a transactional id (idempotent producers) every call gets a fresh
 * producer id at epoch 0, also a producer re-initialising after a sequence error (as Kafka does),
 * so its old sequence state can never clash. With one, the transaction coordinator answers: the
 * id's producer id with its epoch bumped, fencing older instances.
 */
public final class InitProducerIdHandler extends ApiHandler<InitProducerIdRequest> {

  private final ProducerIdManager producerIds;
  private final TransactionCoordinator transactions;

  public InitProducerIdHandler(ProducerIdManager producerIds, TransactionCoordinator transactions) {
    super(ApiKeys.INIT_PRODUCER_ID, InitProducerIdRequest.class);
    this.producerIds = producerIds;
    this.transactions = transactions;
  }

  @Override
  protected CompletableFuture<AbstractResponse> handle(
      NetworkRequest request, InitProducerIdRequest body) {
    InitProducerIdRequestData req = body.data();
    if (req.transactionalId() != null) {
      if (req.enable2Pc() || req.keepPreparedTxn()) {
        // Two-phase commit (KIP-939) needs transaction.two.phase.commit.enable, off by default in
        // Kafka, which refuses it the same way.
        return CompletableFuture.completedFuture(
            response(Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, -1, (short) -1));
      }
      return transactions
          .initProducerId(
              req.transactionalId(),
              req.transactionTimeoutMs(),
              req.producerId(),
              req.producerEpoch())
          .thenApply(
              r -> (AbstractResponse) response(r.error(), r.producerId(), r.producerEpoch()));
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
