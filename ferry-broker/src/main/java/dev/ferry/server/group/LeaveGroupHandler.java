package dev.ferry.server.group;

import dev.ferry.coordinator.group.GroupCoordinator;
import dev.ferry.network.NetworkRequest;
import dev.ferry.server.ApiHandler;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.LeaveGroupRequestData.MemberIdentity;
import org.apache.kafka.common.message.LeaveGroupResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.LeaveGroupRequest;
import org.apache.kafka.common.requests.LeaveGroupResponse;

/**
 * LeaveGroup v0-5. v0-2 name one member and carry its error at the top level; v3+ name a batch of
 * members (by member id and/or group.instance.id) with an error each.
 */
public final class LeaveGroupHandler extends ApiHandler<LeaveGroupRequest> {

  private final GroupCoordinator coordinator;

  public LeaveGroupHandler(GroupCoordinator coordinator) {
    super(ApiKeys.LEAVE_GROUP, LeaveGroupRequest.class, 0, 5);
    this.coordinator = coordinator;
  }

  @Override
  protected CompletableFuture<AbstractResponse> handle(
      NetworkRequest request, LeaveGroupRequest req) {
    short version = request.header().apiVersion();
    List<MemberIdentity> members =
        version >= 3
            ? req.data().members()
            : List.of(new MemberIdentity().setMemberId(req.data().memberId()));
    LeaveGroupResponseData result = coordinator.leaveGroup(req.data().groupId(), members);
    if (version < 3) {
      short error = result.errorCode();
      if (error == Errors.NONE.code() && !result.members().isEmpty()) {
        error = result.members().get(0).errorCode();
      }
      result = new LeaveGroupResponseData().setErrorCode(error);
    }
    return CompletableFuture.completedFuture(new LeaveGroupResponse(result));
  }
}
