package dev.ferry.server.share;

import dev.ferry.coordinator.share.SharePartitionKey;
import dev.ferry.coordinator.share.state.ShareStateCoordinator;
import dev.ferry.network.NetworkRequest;
import dev.ferry.server.ApiHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.DeleteShareGroupStateRequestData;
import org.apache.kafka.common.message.DeleteShareGroupStateResponseData;
import org.apache.kafka.common.message.ReadShareGroupStateRequestData;
import org.apache.kafka.common.message.ReadShareGroupStateResponseData;
import org.apache.kafka.common.message.WriteShareGroupStateRequestData;
import org.apache.kafka.common.message.WriteShareGroupStateResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.DeleteShareGroupStateRequest;
import org.apache.kafka.common.requests.DeleteShareGroupStateResponse;
import org.apache.kafka.common.requests.ReadShareGroupStateRequest;
import org.apache.kafka.common.requests.ReadShareGroupStateResponse;
import org.apache.kafka.common.requests.WriteShareGroupStateRequest;
import org.apache.kafka.common.requests.WriteShareGroupStateResponse;

/**
 * The share coordinator's inter-broker APIs (KIP-932): share-partition leaders on other brokers
 * read, write and delete share-partition state in the {@code __share_group_state} partitions led
 * here. Each partition of a request is answered on its own (NOT_COORDINATOR when this broker does
 * not lead its state partition, so the sender looks the leader up again). Only brokers may call
 * them: the authorizer requires CLUSTER_ACTION for APIs it has no rule for.
 */
final class ShareStateHandlers {

  private ShareStateHandlers() {}

  static List<ApiHandler<?>> of(ShareStateCoordinator coordinator) {
    return List.of(new Read(coordinator), new Write(coordinator), new Delete(coordinator));
  }

  private static SharePartitionKey key(String groupId, Uuid topicId, int partition) {
    return new SharePartitionKey(groupId, new TopicIdPartition(topicId, partition, ""));
  }

  private static String messageOf(Errors error) {
    return error == Errors.NONE ? null : error.message();
  }

  /**
   * Puts a partition's write outcome into the answer once the write is replicated. Writes complete
   * on the coordinator's threads, so the answer under construction is their lock.
   */
  private static CompletableFuture<Void> recordOutcome(
      Object answer, CompletableFuture<Errors> write, Consumer<Errors> record) {
    return write.thenAccept(
        e -> {
          synchronized (answer) {
            record.accept(e);
          }
        });
  }

  /** The response, built once every partition's write has an outcome. */
  private static CompletableFuture<AbstractResponse> answerWhenAll(
      List<CompletableFuture<Void>> writes, Object answer, Supplier<AbstractResponse> response) {
    return CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new))
        .thenApply(
            x -> {
              synchronized (answer) {
                return response.get();
              }
            });
  }

  /** ReadShareGroupState. */
  static final class Read extends ApiHandler<ReadShareGroupStateRequest> {
    private final ShareStateCoordinator coordinator;

    Read(ShareStateCoordinator coordinator) {
      super(ApiKeys.READ_SHARE_GROUP_STATE, ReadShareGroupStateRequest.class);
      this.coordinator = coordinator;
    }

    @Override
    protected CompletableFuture<AbstractResponse> handle(
        NetworkRequest request, ReadShareGroupStateRequest body) {
      ReadShareGroupStateResponseData out = new ReadShareGroupStateResponseData();
      String group = body.data().groupId();
      for (ReadShareGroupStateRequestData.ReadStateData t : body.data().topics()) {
        List<ReadShareGroupStateResponseData.PartitionResult> ps = new ArrayList<>();
        for (ReadShareGroupStateRequestData.PartitionData p : t.partitions()) {
          ShareStateCoordinator.ReadResult r =
              coordinator.read(key(group, t.topicId(), p.partition()));
          ps.add(
              r.error() == Errors.NONE
                  ? ShareStateMessages.readResult(p.partition(), r.state())
                  : ReadShareGroupStateResponse.toErrorResponsePartitionResult(
                      p.partition(), r.error(), r.error().message()));
        }
        out.results().add(ReadShareGroupStateResponse.toResponseReadStateResult(t.topicId(), ps));
      }
      return CompletableFuture.completedFuture(new ReadShareGroupStateResponse(out));
    }
  }

  /** WriteShareGroupState: answered once every partition's write is replicated (or failed). */
  static final class Write extends ApiHandler<WriteShareGroupStateRequest> {
    private final ShareStateCoordinator coordinator;

    Write(ShareStateCoordinator coordinator) {
      super(ApiKeys.WRITE_SHARE_GROUP_STATE, WriteShareGroupStateRequest.class);
      this.coordinator = coordinator;
    }

    @Override
    protected CompletableFuture<AbstractResponse> handle(
        NetworkRequest request, WriteShareGroupStateRequest body) {
      String group = body.data().groupId();
      List<CompletableFuture<Void>> all = new ArrayList<>();
      WriteShareGroupStateResponseData out = new WriteShareGroupStateResponseData();
      for (WriteShareGroupStateRequestData.WriteStateData t : body.data().topics()) {
        WriteShareGroupStateResponseData.WriteStateResult rt =
            new WriteShareGroupStateResponseData.WriteStateResult().setTopicId(t.topicId());
        out.results().add(rt);
        for (WriteShareGroupStateRequestData.PartitionData p : t.partitions()) {
          WriteShareGroupStateResponseData.PartitionResult rp =
              new WriteShareGroupStateResponseData.PartitionResult().setPartition(p.partition());
          rt.partitions().add(rp);
          all.add(
              recordOutcome(
                  out,
                  coordinator.write(
                      key(group, t.topicId(), p.partition()),
                      p.leaderEpoch(),
                      ShareStateMessages.stateOf(p)),
                  e -> rp.setErrorCode(e.code()).setErrorMessage(messageOf(e))));
        }
      }
      return answerWhenAll(all, out, () -> new WriteShareGroupStateResponse(out));
    }
  }

  /** DeleteShareGroupState. */
  static final class Delete extends ApiHandler<DeleteShareGroupStateRequest> {
    private final ShareStateCoordinator coordinator;

    Delete(ShareStateCoordinator coordinator) {
      super(ApiKeys.DELETE_SHARE_GROUP_STATE, DeleteShareGroupStateRequest.class);
      this.coordinator = coordinator;
    }

    @Override
    protected CompletableFuture<AbstractResponse> handle(
        NetworkRequest request, DeleteShareGroupStateRequest body) {
      String group = body.data().groupId();
      List<CompletableFuture<Void>> all = new ArrayList<>();
      DeleteShareGroupStateResponseData out = new DeleteShareGroupStateResponseData();
      for (DeleteShareGroupStateRequestData.DeleteStateData t : body.data().topics()) {
        DeleteShareGroupStateResponseData.DeleteStateResult rt =
            new DeleteShareGroupStateResponseData.DeleteStateResult().setTopicId(t.topicId());
        out.results().add(rt);
        for (DeleteShareGroupStateRequestData.PartitionData p : t.partitions()) {
          DeleteShareGroupStateResponseData.PartitionResult rp =
              new DeleteShareGroupStateResponseData.PartitionResult().setPartition(p.partition());
          rt.partitions().add(rp);
          all.add(
              recordOutcome(
                  out,
                  coordinator.write(key(group, t.topicId(), p.partition()), -1, null),
                  e -> rp.setErrorCode(e.code()).setErrorMessage(messageOf(e))));
        }
      }
      return answerWhenAll(all, out, () -> new DeleteShareGroupStateResponse(out));
    }
  }
}
