package dev.ferry.server.share;

import dev.ferry.network.NetworkRequest;
import dev.ferry.server.ApiHandler;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.apache.kafka.common.message.DescribeShareGroupOffsetsRequestData;
import org.apache.kafka.common.message.DescribeShareGroupOffsetsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.AlterShareGroupOffsetsRequest;
import org.apache.kafka.common.requests.AlterShareGroupOffsetsResponse;
import org.apache.kafka.common.requests.DeleteShareGroupOffsetsRequest;
import org.apache.kafka.common.requests.DeleteShareGroupOffsetsResponse;
import org.apache.kafka.common.requests.DescribeShareGroupOffsetsRequest;
import org.apache.kafka.common.requests.DescribeShareGroupOffsetsResponse;

/** The wire side of {@link ShareGroupOffsets}: one handler per API, Kafka 4.4's versions. */
final class ShareGroupOffsetsHandlers {

  private ShareGroupOffsetsHandlers() {}

  /**
   * @param executor where requests run: they read and replace stored state, which may wait for the
   *     share coordinator (another broker, replication), so not on a network thread
   */
  static List<ApiHandler<?>> of(ShareGroupOffsets offsets, Executor executor) {
    return List.of(
        new Describe(offsets, executor),
        new Alter(offsets, executor),
        new Delete(offsets, executor));
  }

  /** DescribeShareGroupOffsets v0-v1 (v1 adds the lag). */
  static final class Describe extends ApiHandler<DescribeShareGroupOffsetsRequest> {
    private final ShareGroupOffsets offsets;
    private final Executor executor;

    Describe(ShareGroupOffsets offsets, Executor executor) {
      super(ApiKeys.DESCRIBE_SHARE_GROUP_OFFSETS, DescribeShareGroupOffsetsRequest.class, 0, 1);
      this.offsets = offsets;
      this.executor = executor;
    }

    @Override
    protected CompletableFuture<AbstractResponse> handle(
        NetworkRequest request, DescribeShareGroupOffsetsRequest body) {
      return CompletableFuture.supplyAsync(
          () -> {
            DescribeShareGroupOffsetsResponseData data =
                new DescribeShareGroupOffsetsResponseData();
            for (DescribeShareGroupOffsetsRequestData.DescribeShareGroupOffsetsRequestGroup g :
                body.data().groups()) {
              data.groups().add(offsets.describe(g, body.version() >= 1));
            }
            return new DescribeShareGroupOffsetsResponse(data);
          },
          executor);
    }
  }

  /** AlterShareGroupOffsets v0. */
  static final class Alter extends ApiHandler<AlterShareGroupOffsetsRequest> {
    private final ShareGroupOffsets offsets;
    private final Executor executor;

    Alter(ShareGroupOffsets offsets, Executor executor) {
      super(ApiKeys.ALTER_SHARE_GROUP_OFFSETS, AlterShareGroupOffsetsRequest.class, 0, 0);
      this.offsets = offsets;
      this.executor = executor;
    }

    @Override
    protected CompletableFuture<AbstractResponse> handle(
        NetworkRequest request, AlterShareGroupOffsetsRequest body) {
      return CompletableFuture.supplyAsync(
          () -> new AlterShareGroupOffsetsResponse(offsets.alter(body.data())), executor);
    }
  }

  /** DeleteShareGroupOffsets v0. */
  static final class Delete extends ApiHandler<DeleteShareGroupOffsetsRequest> {
    private final ShareGroupOffsets offsets;
    private final Executor executor;

    Delete(ShareGroupOffsets offsets, Executor executor) {
      super(ApiKeys.DELETE_SHARE_GROUP_OFFSETS, DeleteShareGroupOffsetsRequest.class, 0, 0);
      this.offsets = offsets;
      this.executor = executor;
    }

    @Override
    protected CompletableFuture<AbstractResponse> handle(
        NetworkRequest request, DeleteShareGroupOffsetsRequest body) {
      return CompletableFuture.supplyAsync(
          () -> new DeleteShareGroupOffsetsResponse(offsets.delete(body.data())), executor);
    }
  }
}
