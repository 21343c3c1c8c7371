package dev.ferry.server.group;

import dev.ferry.coordinator.group.GroupCoordinator;
import dev.ferry.network.NetworkRequest;
import dev.ferry.server.ApiHandler;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.DescribeGroupsResponseData;
import org.apache.kafka.common.message.DescribeGroupsResponseData.DescribedGroup;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.DescribeGroupsRequest;
import org.apache.kafka.common.requests.DescribeGroupsResponse;

/**
 * DescribeGroups v0-6. An unknown group is GROUP_ID_NOT_FOUND from v6 (KIP-1043); older versions
 * get no error and state "Dead", as Kafka answers them.
 */
public final class DescribeGroupsHandler implements ApiHandler {

  private final GroupCoordinator coordinator;

  public DescribeGroupsHandler(GroupCoordinator coordinator) {
    this.coordinator = coordinator;
  }

  @Override
  public ApiKeys apiKey() {
    return ApiKeys.DESCRIBE_GROUPS;
  }

  @Override
  public short minVersion() {
    return 0;
  }

  @Override
  public short maxVersion() {
    return 6;
  }

  @Override
  public CompletableFuture<AbstractResponse> handle(NetworkRequest request) {
    DescribeGroupsRequest req = (DescribeGroupsRequest) request.body();
    short version = request.header().apiVersion();
    DescribeGroupsResponseData data = new DescribeGroupsResponseData();
    for (String groupId : req.data().groups()) {
      DescribedGroup g = coordinator.describeGroup(groupId);
      if (version < 6) {
        if (g.errorCode() == Errors.GROUP_ID_NOT_FOUND.code()) {
          g.setErrorCode(Errors.NONE.code());
        }
        g.setErrorMessage(null); // the field exists from v6 only
      }
      data.groups().add(g);
    }
    return CompletableFuture.completedFuture(new DescribeGroupsResponse(data));
  }
}
