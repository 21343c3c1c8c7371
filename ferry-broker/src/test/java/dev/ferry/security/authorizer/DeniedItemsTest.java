package dev.ferry.security.authorizer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.network.NetworkRequest;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.message.CreatePartitionsRequestData;
import org.apache.kafka.common.message.CreatePartitionsRequestData.CreatePartitionsTopic;
import org.apache.kafka.common.message.CreatePartitionsResponseData;
import org.apache.kafka.common.message.CreatePartitionsResponseData.CreatePartitionsTopicResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.CreatePartitionsRequest;
import org.apache.kafka.common.requests.CreatePartitionsResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.junit.jupiter.api.Test;

class DeniedItemsTest {

  @Test
  void removeDeniedKeepsTheAllowedInOrderAndReturnsTheRestInOrder() {
    List<String> items = new ArrayList<>(List.of("a1", "b1", "a2", "b2", "a3"));

    List<String> denied = DeniedItems.removeDenied(items, s -> s.startsWith("a"));

    assertThat(items).containsExactly("a1", "a2", "a3");
    assertThat(denied).containsExactly("b1", "b2");
  }

  @Test
  void theHandlerSeesOnlyTheAllowedTopicsAndTheAnswerGainsOneRefusalPerDeniedTopic() {
    CreatePartitionsRequestData data = new CreatePartitionsRequestData();
    for (String name : List.of("mine", "theirs", "also-mine")) {
      data.topics().add(new CreatePartitionsTopic().setName(name).setCount(2));
    }
    CreatePartitionsRequest body = new CreatePartitionsRequest.Builder(data).build();
    NetworkRequest request =
        new NetworkRequest(
            new RequestHeader(ApiKeys.CREATE_PARTITIONS, body.version(), "client", 7),
            body,
            0,
            "conn-1",
            InetAddress.getLoopbackAddress(),
            0L);
    AtomicReference<List<String>> seen = new AtomicReference<>();

    List<CreatePartitionsTopic> denied =
        DeniedItems.removeDenied(data.topics(), t -> !t.name().equals("theirs"));
    List<CreatePartitionsTopicResult> refused =
        DeniedItems.refusals(
            denied,
            t ->
                new CreatePartitionsTopicResult()
                    .setName(t.name())
                    .setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code()));
    AbstractResponse answer =
        DeniedItems.answerWith(
                request,
                r -> {
                  CreatePartitionsResponseData out = new CreatePartitionsResponseData();
                  List<String> names = new ArrayList<>();
                  for (CreatePartitionsTopic t :
                      ((CreatePartitionsRequest) r.body()).data().topics()) {
                    names.add(t.name());
                    out.results().add(new CreatePartitionsTopicResult().setName(t.name()));
                  }
                  seen.set(names);
                  return CompletableFuture.completedFuture(new CreatePartitionsResponse(out));
                },
                refused,
                CreatePartitionsResponse.class,
                r -> r.data().results())
            .join();

    assertThat(seen.get()).containsExactly("mine", "also-mine");
    List<CreatePartitionsTopicResult> results =
        ((CreatePartitionsResponse) answer).data().results();
    assertThat(results)
        .extracting(CreatePartitionsTopicResult::name)
        .containsExactly("mine", "also-mine", "theirs");
    assertThat(results)
        .extracting(CreatePartitionsTopicResult::errorCode)
        .containsExactly((short) 0, (short) 0, Errors.TOPIC_AUTHORIZATION_FAILED.code());
  }

  @Test
  void aNullAnswerStaysNullAndNothingDeniedPassesTheAnswerThrough() {
    NetworkRequest request =
        new NetworkRequest(
            new RequestHeader(ApiKeys.CREATE_PARTITIONS, (short) 3, "client", 7),
            new CreatePartitionsRequest.Builder(new CreatePartitionsRequestData()).build(),
            0,
            "conn-1",
            InetAddress.getLoopbackAddress(),
            0L);
    CreatePartitionsResponse untouched =
        new CreatePartitionsResponse(new CreatePartitionsResponseData());

    assertThat(
            DeniedItems.answerWith(
                    request,
                    r -> CompletableFuture.completedFuture(null),
                    List.of(new CreatePartitionsTopicResult().setName("x")),
                    CreatePartitionsResponse.class,
                    r -> r.data().results())
                .join())
        .isNull();
    assertThat(
            DeniedItems.answerWith(
                    request,
                    r -> CompletableFuture.completedFuture(untouched),
                    List.<CreatePartitionsTopicResult>of(),
                    CreatePartitionsResponse.class,
                    r -> r.data().results())
                .join())
        .isSameAs(untouched);
    assertThat(untouched.data().results()).isEmpty();
  }
}
