package dev.ferry.server.txn;

import dev.ferry.coordinator.transaction.TransactionCoordinator;
import dev.ferry.network.NetworkRequest;
import dev.ferry.server.ApiHandler;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.EndTxnRequestData;
import org.apache.kafka.common.message.EndTxnResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.EndTxnRequest;
import org.apache.kafka.common.requests.EndTxnResponse;

/**
 * EndTxn: commit or abort. v5+ is the transactions v2 form (KIP-890 part 2): the coordinator bumps
 * the epoch with every end and answers the producer id and epoch the producer continues with.
 */
public final class EndTxnHandler extends ApiHandler<EndTxnRequest> {

  /** The first EndTxn version of transactions v2. */
  static final short V2_VERSION = 5;

  private final TransactionCoordinator coordinator;

  public EndTxnHandler(TransactionCoordinator coordinator) {
    super(ApiKeys.END_TXN, EndTxnRequest.class);
    this.coordinator = coordinator;
  }

  @Override
  protected CompletableFuture<AbstractResponse> handle(NetworkRequest request, EndTxnRequest body) {
    EndTxnRequestData req = body.data();
    boolean v2 = request.header().apiVersion() >= V2_VERSION;
    return coordinator
        .endTransaction(
            req.transactionalId(), req.producerId(), req.producerEpoch(), req.committed(), v2)
        .thenApply(
            r -> {
              EndTxnResponseData data =
                  new EndTxnResponseData()
                      .setErrorCode(FencedErrors.forVersion(r.error(), request, 2).code());
              if (v2) {
                data.setProducerId(r.producerId()).setProducerEpoch(r.producerEpoch());
              }
              return new EndTxnResponse(data);
            });
  }
}
