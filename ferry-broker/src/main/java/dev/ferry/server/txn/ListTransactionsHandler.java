package dev.ferry.server.txn;

import dev.ferry.coordinator.transaction.TransactionCoordinator;
import dev.ferry.coordinator.transaction.TransactionState;
import dev.ferry.network.NetworkRequest;
import dev.ferry.server.ApiHandler;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.apache.kafka.common.message.ListTransactionsRequestData;
import org.apache.kafka.common.message.ListTransactionsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ListTransactionsRequest;
import org.apache.kafka.common.requests.ListTransactionsResponse;
import org.apache.kafka.common.utils.Time;

/**
 * ListTransactions ({@code kafka-transactions.sh list}): the transactional ids this broker
 * coordinates, filtered by state, producer id, running time (v1) and id pattern (v2).
 */
public final class ListTransactionsHandler extends ApiHandler<ListTransactionsRequest> {

  private final TransactionCoordinator coordinator;
  private final Time time;

  public ListTransactionsHandler(TransactionCoordinator coordinator, Time time) {
    super(ApiKeys.LIST_TRANSACTIONS, ListTransactionsRequest.class);
    this.coordinator = coordinator;
    this.time = time;
  }

  @Override
  protected CompletableFuture<AbstractResponse> handle(
      NetworkRequest request, ListTransactionsRequest body) {
    ListTransactionsRequestData req = body.data();
    ListTransactionsResponseData resp = new ListTransactionsResponseData();
    Set<TransactionState> states = EnumSet.noneOf(TransactionState.class);
    List<String> unknown = new ArrayList<>();
    for (String name : req.stateFilters()) {
      Optional<TransactionState> s = TransactionState.byKafkaName(name);
      if (s.isPresent()) {
        states.add(s.get());
      } else {
        unknown.add(name);
      }
    }
    resp.setUnknownStateFilters(unknown);
    Pattern pattern = null;
    String regex = req.transactionalIdPattern();
    if (regex != null && !regex.isEmpty()) {
      try {
        pattern = Pattern.compile(regex);
      } catch (PatternSyntaxException e) {
        return CompletableFuture.completedFuture(
            new ListTransactionsResponse(
                resp.setErrorCode(Errors.INVALID_REGULAR_EXPRESSION.code())));
      }
    }
    Set<Long> pids = new HashSet<>(req.producerIdFilters());
    long now = time.milliseconds();
    long minDuration = req.durationFilter();
    Pattern idPattern = pattern;
    boolean onlyUnknownStates = !req.stateFilters().isEmpty() && states.isEmpty();
    List<ListTransactionsResponseData.TransactionState> out = new ArrayList<>();
    if (!onlyUnknownStates) {
      for (TransactionCoordinator.Described d :
          coordinator.list(
              d ->
                  (states.isEmpty() || states.contains(d.state()))
                      && (pids.isEmpty() || pids.contains(d.record().producerId()))
                      && (minDuration < 0
                          || (d.record().startTimestamp() >= 0
                              && now - d.record().startTimestamp() > minDuration))
                      && (idPattern == null || idPattern.matcher(d.transactionalId()).matches()))) {
        out.add(
            new ListTransactionsResponseData.TransactionState()
                .setTransactionalId(d.transactionalId())
                .setProducerId(d.record().producerId())
                .setTransactionState(d.state().kafkaName()));
      }
    }
    resp.setTransactionStates(out)
        .setErrorCode(
            coordinator.anyLoading()
                ? Errors.COORDINATOR_LOAD_IN_PROGRESS.code()
                : Errors.NONE.code());
    return CompletableFuture.completedFuture(new ListTransactionsResponse(resp));
  }
}
