package dev.ferry.server.group;

import dev.ferry.coordinator.group.GroupCoordinator;
import dev.ferry.network.NetworkRequest;
import dev.ferry.server.ApiHandler;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.DeleteGroupsResponseData;
import org.apache.kafka.common.message.DeleteGroupsResponseData.DeletableGroupResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.DeleteGroupsRequest;
import org.apache.kafka.common.requests.DeleteGroupsResponse;

/** DeleteGroups v0-3: removes empty groups with their offsets; answered after the tombstones. */
public final class DeleteGroupsHandler extends ApiHandler<DeleteGroupsRequest> {

  private final GroupCoordinator coordinator;

  public DeleteGroupsHandler(GroupCoordinator coordinator) {
    super(ApiKeys.DELETE_GROUPS, DeleteGroupsRequest.class, 0, 3);
    this.coordinator = coordinator;
  }

  @Override
  protected CompletableFuture<AbstractResponse> handle(
      NetworkRequest request, DeleteGroupsRequest req) {
    // The response is keyed by group id: a repeated id is deleted and answered once.
    var ids = new ArrayList<>(new LinkedHashSet<>(req.data().groupsNames()));
    return coordinator
        .deleteGroups(ids)
        .thenApply(
            results -> {
              DeleteGroupsResponseData data = new DeleteGroupsResponseData();
              results.forEach(
                  (id, e) -> {
                    DeletableGroupResult r =
                        new DeletableGroupResult().setGroupId(id).setErrorCode(e.code());
                    if (e != Errors.NONE) {
                      r.setErrorMessage(e.message());
                    }
                    data.results().add(r);
                  });
              return new DeleteGroupsResponse(data);
            });
  }
}
