package dev.ferry.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile or broken input closes only the offending connection: a producer running alongside keeps
 * getting every record acknowledged, in order.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BadInputTest {

  @TempDir static Path dir;
  private TestBroker broker;

  @BeforeAll
  void start() throws Exception {
    broker = TestBroker.start(dir);
    try (Admin admin = broker.admin()) {
      admin.createTopics(List.of(new NewTopic("steady", 1, (short) 1))).all().get();
    }
  }

  @AfterAll
  void stop() {
    broker.close();
  }

  @Test
  void malformedFramesCloseOnlyTheirConnection() throws Exception {
    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger acked = new AtomicInteger();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    List<Long> offsets = new ArrayList<>();
    Thread producerThread =
        new Thread(
            () -> {
              try (KafkaProducer<byte[], byte[]> p = broker.producer(Map.of())) {
                int i = 0;
                while (!stop.get() && i < 100_000) {
                  offsets.add(
                      p.send(new ProducerRecord<>("steady", 0, null, Records.utf8("m" + i++)))
                          .get()
                          .offset());
                  acked.incrementAndGet();
                }
              } catch (Throwable t) {
                failure.set(t);
              }
            });
    producerThread.start();
    try {
      // Garbage: a size prefix followed by bytes that are no request header.
      try (RawKafkaConnection c = RawKafkaConnection.to(broker)) {
        c.sendRaw(
            new byte[] {
              0, 0, 0, 8, (byte) 0xde, (byte) 0xad, (byte) 0xbe, (byte) 0xef, 1, 2, 3, 4
            });
        assertThat(c.closedByBroker()).isTrue();
      }
      // A frame that claims 2 GB.
      try (RawKafkaConnection c = RawKafkaConnection.to(broker)) {
        c.sendRaw(ByteBuffer.allocate(4).putInt(Integer.MAX_VALUE - 1).array());
        assertThat(c.closedByBroker()).isTrue();
      }
      // A negative size.
      try (RawKafkaConnection c = RawKafkaConnection.to(broker)) {
        c.sendRaw(ByteBuffer.allocate(4).putInt(-5).array());
        assertThat(c.closedByBroker()).isTrue();
      }
      // A truncated frame, then the client goes away.
      try (RawKafkaConnection c = RawKafkaConnection.to(broker)) {
        c.sendRaw(new byte[] {0, 0, 0, 100, 0, 18, 0});
      }
      // An unknown API key.
      try (RawKafkaConnection c = RawKafkaConnection.to(broker)) {
        ByteBuffer b = ByteBuffer.allocate(14);
        b.putShort((short) 9999).putShort((short) 0).putInt(7).putShort((short) -1).putInt(0);
        b.flip();
        c.sendFrame(b);
        assertThat(c.closedByBroker()).isTrue();
      }
      // After all that, a well-formed request on a new connection is answered.
      try (RawKafkaConnection c = RawKafkaConnection.to(broker)) {
        ApiVersionsResponse r =
            (ApiVersionsResponse) c.send(new ApiVersionsRequest.Builder().build((short) 3));
        assertThat(r.data().errorCode()).isEqualTo(Errors.NONE.code());
      }
      int before = acked.get();
      org.awaitility.Awaitility.await()
          .atMost(java.time.Duration.ofSeconds(20))
          .until(() -> acked.get() > before + 50 || failure.get() != null);
    } finally {
      stop.set(true);
      producerThread.join(30_000);
    }
    assertThat(failure.get()).isNull();
    assertThat(offsets).hasSize(acked.get());
    for (int i = 0; i < offsets.size(); i++) {
      assertThat(offsets.get(i)).isEqualTo((long) i);
    }
  }

  @Test
  void apiVersionsNewerThanKnownGetsV0AnswerWithUnsupportedVersion() throws Exception {
    try (RawKafkaConnection c = RawKafkaConnection.to(broker)) {
      short tooNew = (short) (ApiKeys.API_VERSIONS.latestVersion() + 5);
      // Body of a v3 request; the header claims a version no codec knows.
      RequestHeader header = c.header(ApiKeys.API_VERSIONS, tooNew);
      ApiVersionsRequest body = new ApiVersionsRequest(new ApiVersionsRequestData(), (short) 3);
      ByteBuffer headerBytes = ByteBuffer.allocate(64);
      headerBytes.putShort(ApiKeys.API_VERSIONS.id).putShort(tooNew).putInt(header.correlationId());
      headerBytes.putShort((short) -1);
      headerBytes.put((byte) 0); // empty tagged fields of header v2
      headerBytes.flip();
      ByteBuffer bodyBytes = body.serialize().buffer();
      ByteBuffer frame = ByteBuffer.allocate(headerBytes.remaining() + bodyBytes.remaining());
      frame.put(headerBytes).put(bodyBytes).flip();
      c.sendFrame(frame);
      ByteBuffer response = ByteBuffer.wrap(c.readFrame());
      assertThat(response.getInt()).isEqualTo(header.correlationId());
      ApiVersionsResponse parsed =
          (ApiVersionsResponse)
              org.apache.kafka.common.requests.AbstractResponse.parseResponse(
                  ApiKeys.API_VERSIONS,
                  new org.apache.kafka.common.protocol.ByteBufferAccessor(response),
                  (short) 0);
      assertThat(parsed.data().errorCode()).isEqualTo(Errors.UNSUPPORTED_VERSION.code());
      ApiVersion av = parsed.data().apiKeys().find(ApiKeys.API_VERSIONS.id);
      assertThat(av).isNotNull();
      assertThat(av.maxVersion()).isEqualTo(ApiKeys.API_VERSIONS.latestVersion());
    }
  }

  @Test
  void advertisesTheVersionRangesClientsNeed() throws Exception {
    try (RawKafkaConnection c = RawKafkaConnection.to(broker)) {
      ApiVersionsResponse r =
          (ApiVersionsResponse) c.send(new ApiVersionsRequest.Builder().build((short) 0));
      ApiVersion metadata = r.data().apiKeys().find(ApiKeys.METADATA.id);
      assertThat(metadata.minVersion()).isZero();
      assertThat(metadata.maxVersion()).isEqualTo((short) 13);
      ApiVersion produce = r.data().apiKeys().find(ApiKeys.PRODUCE.id);
      assertThat(produce.maxVersion()).isGreaterThanOrEqualTo((short) 9);
    }
  }
}
