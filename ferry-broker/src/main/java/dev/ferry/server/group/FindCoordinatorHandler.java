package dev.ferry.server.group;

import dev.ferry.coordinator.group.GroupCoordinator;
import dev.ferry.network.NetworkRequest;
import dev.ferry.server.ApiHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.FindCoordinatorResponseData.Coordinator;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.FindCoordinatorRequest;
import org.apache.kafka.common.requests.FindCoordinatorRequest.CoordinatorType;
import org.apache.kafka.common.requests.FindCoordinatorResponse;

/**
 * FindCoordinator: the coordinator of a group is the leader of the group's {@code
 * __consumer_offsets} partition, that of a transactional id the leader of its {@code
 * __transaction_state} partition. v4+ batches several keys in one request. Share coordinators are
 * not offered.
 */
public final class FindCoordinatorHandler extends ApiHandler<FindCoordinatorRequest> {

  private final GroupCoordinator coordinator;
  private final CoordinatorLocator locator;
  private final Function<String, Optional<Node>> transactionCoordinators;

  public FindCoordinatorHandler(GroupCoordinator coordinator, CoordinatorLocator locator) {
    this(coordinator, locator, null);
  }

  /**
   * @param transactionCoordinators the coordinator of a transactional id (empty: not available
   *     yet); null if this broker offers no transaction coordinator
   */
  public FindCoordinatorHandler(
      GroupCoordinator coordinator,
      CoordinatorLocator locator,
      Function<String, Optional<Node>> transactionCoordinators) {
    super(ApiKeys.FIND_COORDINATOR, FindCoordinatorRequest.class, 0, 6);
    this.coordinator = coordinator;
    this.locator = locator;
    this.transactionCoordinators = transactionCoordinators;
  }

  @Override
  protected CompletableFuture<AbstractResponse> handle(
      NetworkRequest request, FindCoordinatorRequest body) {
    FindCoordinatorRequestData req = body.data();
    short version = request.header().apiVersion();
    byte keyType = version >= 1 ? req.keyType() : CoordinatorType.GROUP.id();
    FindCoordinatorResponseData resp = new FindCoordinatorResponseData();
    if (version >= FindCoordinatorRequest.MIN_BATCHED_VERSION) {
      List<Coordinator> out = new ArrayList<>(req.coordinatorKeys().size());
      for (String key : req.coordinatorKeys()) {
        out.add(find(keyType, key));
      }
      resp.setCoordinators(out);
    } else {
      Coordinator c = find(keyType, req.key());
      resp.setErrorCode(c.errorCode()).setNodeId(c.nodeId()).setHost(c.host()).setPort(c.port());
      if (version >= 1) {
        resp.setErrorMessage(c.errorMessage());
      }
    }
    return CompletableFuture.completedFuture(new FindCoordinatorResponse(resp));
  }

  private Coordinator find(byte keyType, String key) {
    Coordinator c = new Coordinator().setKey(key == null ? "" : key);
    boolean transaction =
        keyType == CoordinatorType.TRANSACTION.id() && transactionCoordinators != null;
    if (keyType != CoordinatorType.GROUP.id() && !transaction) {
      return error(
          c, Errors.INVALID_REQUEST, "Ferry coordinates groups and transactions (key types 0, 1)");
    }
    if (key == null || (transaction && key.isEmpty())) {
      return error(c, Errors.INVALID_REQUEST, "Missing key");
    }
    Optional<Node> node =
        transaction
            ? transactionCoordinators.apply(key)
            : locator.coordinatorFor(coordinator.partitionFor(key));
    if (node.isEmpty()) {
      return error(c, Errors.COORDINATOR_NOT_AVAILABLE, "The coordinator is not available.");
    }
    return c.setErrorCode(Errors.NONE.code())
        .setNodeId(node.get().id())
        .setHost(node.get().host())
        .setPort(node.get().port());
  }

  private static Coordinator error(Coordinator c, Errors e, String message) {
    return c.setErrorCode(e.code()).setErrorMessage(message).setNodeId(-1).setHost("").setPort(-1);
  }
}
