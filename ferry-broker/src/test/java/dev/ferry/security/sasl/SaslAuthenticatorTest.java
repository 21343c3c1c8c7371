package dev.ferry.security.sasl;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.network.CloseConnectionException;
import dev.ferry.network.NetworkRequest;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.common.message.ListGroupsRequestData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.SaslHandshakeRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ListGroupsRequest;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.SaslHandshakeRequest;
import org.apache.kafka.common.requests.SaslHandshakeResponse;
import org.junit.jupiter.api.Test;

/** The SASL state machine of one connection, driven request by request without a socket. */
class SaslAuthenticatorTest {

  private final SaslAuthenticator authenticator =
      new SaslAuthenticator(
          new SaslAuthenticator.Settings(
              List.of("PLAIN"),
              name -> Optional.of(new PlainServer(Map.of("user_alice", "alice-secret"))),
              0,
              0,
              Runnable::run,
              SaslAuthenticator.AuthenticationListener.NONE,
              () -> 0L));

  @Test
  void anotherRequestAfterTheHandshakeIsAnsweredIllegalSaslStateAndFailsTheConnection()
      throws Exception {
    handshake();

    AbstractResponse response =
        authenticator
            .intercept(
                request(
                    new ListGroupsRequest.Builder(new ListGroupsRequestData()).build((short) 4)))
            .get();

    assertThat(response.errorCounts()).containsOnlyKeys(Errors.ILLEGAL_SASL_STATE);
    assertThat(authenticator.failed()).isTrue();
  }

  @Test
  void aRequestWhoseErrorResponseCannotBeBuiltClosesTheConnectionWithoutAnAnswer()
      throws Exception {
    handshake();
    // A partition without records: the codec parses it, but Produce's error response cannot be
    // built from it (as a fuzzed frame can arrive).
    ProduceRequestData broken = new ProduceRequestData().setAcks((short) -1).setTimeoutMs(1000);
    broken
        .topicData()
        .add(
            new ProduceRequestData.TopicProduceData()
                .setName("t")
                .setPartitionData(
                    List.of(
                        new ProduceRequestData.PartitionProduceData()
                            .setIndex(0)
                            .setRecords(null))));

    CompletableFuture<AbstractResponse> outcome =
        authenticator.intercept(request(new ProduceRequest(broken, (short) 9)));

    assertThat(outcome).isCompletedExceptionally();
    try {
      outcome.get();
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(CloseConnectionException.class);
    }
    assertThat(authenticator.failed()).isTrue();
  }

  private void handshake() throws Exception {
    AbstractResponse response =
        authenticator
            .intercept(
                request(
                    new SaslHandshakeRequest.Builder(
                            new SaslHandshakeRequestData().setMechanism("PLAIN"))
                        .build((short) 1)))
            .get();
    assertThat(((SaslHandshakeResponse) response).data().errorCode()).isEqualTo(Errors.NONE.code());
  }

  private static NetworkRequest request(AbstractRequest body) {
    ApiKeys api = body.apiKey();
    return new NetworkRequest(
        new RequestHeader(api, body.version(), "test", 7),
        body,
        0,
        "c-1",
        InetAddress.getLoopbackAddress(),
        0L);
  }
}
