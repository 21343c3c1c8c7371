package dev.ferry.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import dev.ferry.runtime.ManualClock;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.stream.IntStream;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.MetadataResponse;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SocketServerTest {

  private static final short API_VERSIONS_V = 3;

  private final List<NetworkRequest> dispatched = new CopyOnWriteArrayList<>();
  private final Set<String> dispatchThreads = ConcurrentHashMap.newKeySet();
  private volatile Function<NetworkRequest, CompletableFuture<AbstractResponse>> handler;
  private final CountingMetrics metrics = new CountingMetrics();
  private SocketServer server;
  private LogCapture logs;
  private final List<WireClient> clients = new ArrayList<>();
  private ExecutorService executor;

  @BeforeEach
  void setUp() {
    handler = this::answerFixed;
    logs = new LogCapture("dev.ferry.network");
    executor = Executors.newCachedThreadPool();
  }

  @AfterEach
  void tearDown() throws Exception {
    for (WireClient client : clients) {
      client.close();
    }
    if (server != null) {
      server.close();
    }
    executor.shutdownNow();
    assertThat(executor.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    logs.close();
  }

  private CompletableFuture<AbstractResponse> answerFixed(NetworkRequest request) {
    if (request.body() instanceof ApiVersionsRequest apiVersions) {
      return CompletableFuture.completedFuture(
          FixedResponses.apiVersions(apiVersions, request.header().correlationId()));
    }
    if (request.header().apiKey() == ApiKeys.METADATA) {
      return CompletableFuture.completedFuture(
          FixedResponses.metadata(server.boundPort(), request.header().apiVersion()));
    }
    return CompletableFuture.failedFuture(new IllegalStateException("no answer in this test"));
  }

  private void start(int networkThreads, long idleMs, int maxConnections) {
    start(networkThreads, idleMs, maxConnections, ConnectionLimits.DEFAULT);
  }

  private void start(int networkThreads, long idleMs, int maxConnections, ConnectionLimits limits) {
    start(networkThreads, idleMs, maxConnections, limits, Time.SYSTEM);
  }

  private void start(
      int networkThreads, long idleMs, int maxConnections, ConnectionLimits limits, Time time) {
    create(networkThreads, idleMs, maxConnections, limits, time);
    server.start();
  }

  private void create(
      int networkThreads, long idleMs, int maxConnections, ConnectionLimits limits, Time time) {
    SocketServerConfig config =
        new SocketServerConfig(
            "127.0.0.1", 0, networkThreads, 1024 * 1024, idleMs, -1, -1, maxConnections);
    server =
        new SocketServer(
            config,
            request -> {
              dispatched.add(request);
              dispatchThreads.add(Thread.currentThread().getName());
              return handler.apply(request);
            },
            metrics,
            limits,
            ChannelBuilder.plaintext(NetworkRequest.DEFAULT_LISTENER),
            time);
  }

  private void start() {
    start(2, 60_000, 1000);
  }

  private WireClient connect() throws IOException {
    WireClient client = new WireClient(server.boundPort());
    clients.add(client);
    return client;
  }

  private static RequestHeader apiVersionsHeader(int correlationId) {
    return new RequestHeader(ApiKeys.API_VERSIONS, API_VERSIONS_V, "test-client", correlationId);
  }

  private static ApiVersionsRequest apiVersionsRequest() {
    return new ApiVersionsRequest.Builder().build(API_VERSIONS_V);
  }

  /** Sends an ApiVersions request and checks the fixed answer (throttle time = correlation id). */
  private static void assertApiVersionsRoundTrip(WireClient client, int correlationId)
      throws IOException {
    RequestHeader header = apiVersionsHeader(correlationId);
    client.send(header, apiVersionsRequest());
    WireClient.Received received = client.receive(header);
    assertThat(received.correlationId()).isEqualTo(correlationId);
    ApiVersionsResponseData data = ((ApiVersionsResponse) received.response()).data();
    assertThat(data.errorCode()).isEqualTo(Errors.NONE.code());
    assertThat(data.throttleTimeMs()).isEqualTo(correlationId);
    assertThat(data.apiKeys().find(ApiKeys.METADATA.id).maxVersion()).isEqualTo((short) 13);
  }

  @Test
  void apiVersionsRoundTripWithTheCodecAndMetrics() throws Exception {
    start();
    WireClient client = connect();
    RequestHeader header = apiVersionsHeader(42);
    ApiVersionsRequest request = apiVersionsRequest();
    int requestBytes = 4 + request.serializeWithHeader(header).remaining();

    client.send(header, request);
    ByteBuffer frame = client.receiveFrame();

    // ApiVersions always answers with response header v0: the correlation id and nothing else.
    assertThat(frame.getInt(0)).isEqualTo(42);
    ApiVersionsResponse response =
        (ApiVersionsResponse) AbstractResponse.parseResponse(frame.duplicate(), header);
    assertThat(response.data().errorCode()).isZero();
    assertThat(response.data().throttleTimeMs()).isEqualTo(42);
    assertThat(response.data().apiKeys().find(ApiKeys.API_VERSIONS.id).maxVersion())
        .isEqualTo((short) 4);

    NetworkRequest seen = dispatched.get(0);
    assertThat(seen.header().apiKey()).isEqualTo(ApiKeys.API_VERSIONS);
    assertThat(seen.header().clientId()).isEqualTo("test-client");
    assertThat(seen.body().version()).isEqualTo(API_VERSIONS_V);
    assertThat(seen.sizeInBytes()).isEqualTo(requestBytes - 4);
    assertThat(seen.clientAddress().getHostAddress()).isEqualTo("127.0.0.1");
    assertThat(seen.connectionId())
        .startsWith(
            "127.0.0.1:" + server.boundPort() + "-127.0.0.1:" + client.socket().getLocalPort());
    assertThat(dispatchThreads).allMatch(name -> name.startsWith("ferry-network-processor-"));

    await().atMost(Duration.ofSeconds(5)).until(() -> metrics.completed(ApiKeys.API_VERSIONS) == 1);
    assertThat(metrics.opened.get()).isEqualTo(1);
    assertThat(metrics.bytesIn.get()).isEqualTo(requestBytes);
    assertThat(metrics.bytesOut.get()).isEqualTo(4 + frame.capacity());
    assertThat(server.connectionCount()).isEqualTo(1);
  }

  @Test
  void aClientThatConnectsAfterBindIsAnsweredOnceTheServerStarts() throws Exception {
    create(2, 60_000, 1000, ConnectionLimits.DEFAULT, Time.SYSTEM);
    int port = server.bind();
    WireClient client = connect(); // waits in the accept backlog: no acceptor runs yet
    RequestHeader header = apiVersionsHeader(7);
    client.send(header, apiVersionsRequest());
    assertThat(dispatched).isEmpty();

    server.start();

    assertThat(server.boundPort()).isEqualTo(port);
    WireClient.Received received = client.receive(header);
    assertThat(received.correlationId()).isEqualTo(7);
    assertThat(((ApiVersionsResponse) received.response()).data().throttleTimeMs()).isEqualTo(7);
    assertThat(dispatched).hasSize(1);
    assertApiVersionsRoundTrip(connect(), 8);
  }

  @Test
  void aServerClosedAfterBindWithoutStartingReleasesItsPort() throws Exception {
    create(1, 60_000, 1000, ConnectionLimits.DEFAULT, Time.SYSTEM);
    int port = server.bind();
    server.close();

    try (ServerSocketChannel again = ServerSocketChannel.open()) {
      again.bind(new InetSocketAddress("127.0.0.1", port));
      assertThat(((InetSocketAddress) again.getLocalAddress()).getPort()).isEqualTo(port);
    }
  }

  @Test
  void connectionsAreSpreadOverAllProcessors() throws Exception {
    start(3, 60_000, 1000);
    for (int i = 0; i < 6; i++) {
      assertApiVersionsRoundTrip(connect(), i);
    }
    assertThat(dispatchThreads)
        .containsExactlyInAnyOrder(
            "ferry-network-processor-0", "ferry-network-processor-1", "ferry-network-processor-2");
    assertThat(Thread.getAllStackTraces().keySet())
        .anyMatch(t -> t.getName().equals("ferry-network-acceptor"));
  }

  @Test
  void pipelinedResponsesLeaveInRequestOrderWhenFuturesCompleteInReverse() throws Exception {
    int count = 8;
    List<CompletableFuture<AbstractResponse>> pending = new CopyOnWriteArrayList<>();
    handler =
        request -> {
          CompletableFuture<AbstractResponse> future = new CompletableFuture<>();
          pending.add(future);
          return future;
        };
    start();
    WireClient client = connect();
    for (int i = 0; i < count; i++) {
      client.send(apiVersionsHeader(100 + i), apiVersionsRequest());
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> pending.size() == count);
    // Complete the last first, each from its own thread, as storage or replication would.
    for (int i = count - 1; i >= 0; i--) {
      NetworkRequest request = dispatched.get(i);
      CompletableFuture<AbstractResponse> future = pending.get(i);
      executor
          .submit(
              () ->
                  future.complete(
                      FixedResponses.apiVersions(
                          (ApiVersionsRequest) request.body(), request.header().correlationId())))
          .get(5, TimeUnit.SECONDS);
    }
    for (int i = 0; i < count; i++) {
      WireClient.Received received = client.receive(apiVersionsHeader(100 + i));
      assertThat(received.correlationId()).isEqualTo(100 + i);
      assertThat(((ApiVersionsResponse) received.response()).data().throttleTimeMs())
          .isEqualTo(100 + i);
    }
  }

  /** One size-prefixed ApiVersions request frame, as a client writes it. */
  private static byte[] apiVersionsFrame(int correlationId) {
    ByteBuffer payload = apiVersionsRequest().serializeWithHeader(apiVersionsHeader(correlationId));
    ByteBuffer frame = ByteBuffer.allocate(4 + payload.remaining());
    frame.putInt(payload.remaining()).put(payload);
    return frame.array();
  }

  private static byte[] concat(List<byte[]> parts) {
    int size = 0;
    for (byte[] p : parts) {
      size += p.length;
    }
    ByteBuffer all = ByteBuffer.allocate(size);
    for (byte[] p : parts) {
      all.put(p);
    }
    return all.array();
  }

  @Test
  void requestsArrivingInOneWriteAreEachAnsweredInOrder() throws Exception {
    start(1, 60_000, 1000);
    WireClient client = connect();
    List<byte[]> frames = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      frames.add(apiVersionsFrame(500 + i));
    }
    client.sendRaw(concat(frames));
    for (int i = 0; i < 40; i++) {
      WireClient.Received received = client.receive(apiVersionsHeader(500 + i));
      assertThat(received.correlationId()).isEqualTo(500 + i);
      assertThat(((ApiVersionsResponse) received.response()).data().throttleTimeMs())
          .isEqualTo(500 + i);
    }
    assertThat(dispatched)
        .extracting(r -> r.header().correlationId())
        .containsExactlyElementsOf(IntStream.range(500, 540).boxed().toList());
  }

  @Test
  void requestsSplitAnywhereAcrossWritesAreReassembled() throws Exception {
    start(1, 60_000, 1000);
    WireClient client = connect();
    byte[] bytes = concat(List.of(apiVersionsFrame(7), apiVersionsFrame(8), apiVersionsFrame(9)));
    // Byte by byte over the first frame and into the second (the size prefixes split too), then
    // the rest of the second and the whole third together.
    int split = apiVersionsFrame(7).length + 6;
    for (int i = 0; i < split; i++) {
      client.sendRaw(new byte[] {bytes[i]});
    }
    client.sendRaw(Arrays.copyOfRange(bytes, split, bytes.length));
    for (int id = 7; id <= 9; id++) {
      assertThat(client.receive(apiVersionsHeader(id)).correlationId()).isEqualTo(id);
    }
  }

  @Test
  void aRequestLargerThanTheReadBufferArrivesWhole() throws Exception {
    List<byte[]> producedRecords = new CopyOnWriteArrayList<>();
    handler =
        request -> {
          if (request.body() instanceof ProduceRequest produce) {
            MemoryRecords records =
                (MemoryRecords)
                    produce.data().topicData().iterator().next().partitionData().get(0).records();
            ByteBuffer buffer = records.buffer().duplicate();
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            producedRecords.add(bytes);
            return CompletableFuture.completedFuture(null);
          }
          return answerFixed(request);
        };
    start(1, 60_000, 1000);
    WireClient client = connect();
    byte[] value = new byte[3 * Processor.READ_BUFFER_BYTES + 17];
    for (int i = 0; i < value.length; i++) {
      value[i] = (byte) (i * 31);
    }
    MemoryRecords records =
        MemoryRecords.withRecords(Compression.NONE, new SimpleRecord("k".getBytes(), value));
    byte[] expected = new byte[records.sizeInBytes()];
    records.buffer().duplicate().get(expected);
    ProduceRequestData data = new ProduceRequestData().setAcks((short) 0).setTimeoutMs(1000);
    ProduceRequestData.TopicProduceData topic =
        new ProduceRequestData.TopicProduceData().setName("t");
    topic
        .partitionData()
        .add(new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(records));
    data.topicData().add(topic);
    short produceVersion = 11;
    // Two large requests and a small one behind them, in one write.
    ByteBuffer one =
        ProduceRequest.builder(data)
            .build(produceVersion)
            .serializeWithHeader(new RequestHeader(ApiKeys.PRODUCE, produceVersion, "c", 1));
    ByteBuffer two =
        ProduceRequest.builder(data)
            .build(produceVersion)
            .serializeWithHeader(new RequestHeader(ApiKeys.PRODUCE, produceVersion, "c", 2));
    ByteBuffer all = ByteBuffer.allocate(8 + one.remaining() + two.remaining());
    all.putInt(one.remaining()).put(one).putInt(two.remaining()).put(two);
    client.sendRaw(concat(List.of(all.array(), apiVersionsFrame(3))));
    assertThat(client.receive(apiVersionsHeader(3)).correlationId()).isEqualTo(3);

    assertThat(producedRecords).hasSize(2);
    assertThat(producedRecords.get(0)).isEqualTo(expected);
    assertThat(producedRecords.get(1)).isEqualTo(expected);
  }

  @Test
  void requestsBeforeABadSizeInTheSameReadAreAnsweredThenTheConnectionCloses() throws Exception {
    start(1, 60_000, 1000);
    WireClient client = connect();
    client.sendRaw(
        concat(
            List.of(
                apiVersionsFrame(1),
                apiVersionsFrame(2),
                ByteBuffer.allocate(4).putInt(-3).array(),
                apiVersionsFrame(4))));
    assertThat(client.receive(apiVersionsHeader(1)).correlationId()).isEqualTo(1);
    assertThat(client.receive(apiVersionsHeader(2)).correlationId()).isEqualTo(2);
    assertThat(client.closedByServerWithin(5, TimeUnit.SECONDS)).isTrue();
    assertThat(dispatched).extracting(r -> r.header().correlationId()).containsExactly(1, 2);
    assertThat(logs.messages(Level.WARN))
        .singleElement()
        .satisfies(m -> assertThat(m).contains("-3", "socket.request.max.bytes"));
  }

  @Test
  void tooManyInFlightRequestsPauseReadingUntilAnswered() throws Exception {
    List<CompletableFuture<AbstractResponse>> pending = new CopyOnWriteArrayList<>();
    handler =
        request -> {
          CompletableFuture<AbstractResponse> future = new CompletableFuture<>();
          pending.add(future);
          return future;
        };
    start(1, 60_000, 1000, new ConnectionLimits(4, 1024 * 1024));
    WireClient client = connect();
    for (int i = 0; i < 10; i++) {
      client.send(apiVersionsHeader(i), apiVersionsRequest());
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> pending.size() == 4);
    // ...and no more: reading stays paused while four are unanswered.
    await()
        .during(Duration.ofMillis(200))
        .atMost(Duration.ofSeconds(5))
        .until(() -> pending.size() == 4);

    for (int answered = 0; answered < 10; answered++) {
      int index = answered;
      await().atMost(Duration.ofSeconds(5)).until(() -> pending.size() > index);
      NetworkRequest request = dispatched.get(index);
      pending
          .get(index)
          .complete(FixedResponses.apiVersions((ApiVersionsRequest) request.body(), index));
      WireClient.Received received = client.receive(apiVersionsHeader(index));
      assertThat(received.correlationId()).isEqualTo(index);
      assertThat(pending.size()).isLessThanOrEqualTo(index + 1 + 4);
    }
  }

  @Test
  void tooNewApiVersionsRequestIsAnsweredInV0WithUnsupportedVersion() throws Exception {
    start();
    WireClient client = connect();
    // ApiVersions v99, header v2 (flexible), then a body no codec knows.
    ByteBuffer payload = ByteBuffer.allocate(64);
    payload.putShort(ApiKeys.API_VERSIONS.id).putShort((short) 99).putInt(7);
    payload.putShort((short) 3).put("new".getBytes()).put((byte) 0);
    payload.put(new byte[] {1, 2, 3, 4, 5}).flip();
    ByteBuffer frame = ByteBuffer.allocate(4 + payload.remaining());
    frame.putInt(payload.remaining()).put(payload);
    client.sendRaw(frame.array());

    ByteBuffer response = client.receiveFrame();
    assertThat(response.getInt()).isEqualTo(7); // header v0: correlation id only
    ApiVersionsResponse parsed =
        ApiVersionsResponse.parse(
            new org.apache.kafka.common.protocol.ByteBufferAccessor(response), (short) 0);
    assertThat(parsed.data().errorCode()).isEqualTo(Errors.UNSUPPORTED_VERSION.code());
    assertThat(parsed.data().apiKeys().find(ApiKeys.API_VERSIONS.id).maxVersion())
        .isEqualTo((short) 4);
    assertThat(response.hasRemaining()).isFalse();

    ApiVersionsRequest seen = (ApiVersionsRequest) dispatched.get(0).body();
    assertThat(seen.version()).isZero();
    assertThat(seen.hasUnsupportedRequestVersion()).isTrue();
    assertThat(dispatched.get(0).header().apiVersion()).isEqualTo((short) 99);
    // The connection stays usable for the client's retry with a version we speak.
    assertApiVersionsRoundTrip(client, 8);
  }

  @Test
  void nullResponseSendsNothingAndTheNextRequestIsStillAnswered() throws Exception {
    List<byte[]> producedRecords = new CopyOnWriteArrayList<>();
    handler =
        request -> {
          if (request.body() instanceof ProduceRequest produce) {
            MemoryRecords records =
                (MemoryRecords)
                    produce.data().topicData().iterator().next().partitionData().get(0).records();
            ByteBuffer buffer = records.buffer();
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            producedRecords.add(bytes);
            return CompletableFuture.completedFuture(null);
          }
          return answerFixed(request);
        };
    start();
    WireClient client = connect();
    MemoryRecords records =
        MemoryRecords.withRecords(
            Compression.NONE, new SimpleRecord("k".getBytes(), "hello".getBytes()));
    byte[] expected = new byte[records.sizeInBytes()];
    records.buffer().duplicate().get(expected);
    ProduceRequestData data = new ProduceRequestData().setAcks((short) 0).setTimeoutMs(1000);
    ProduceRequestData.TopicProduceData topic =
        new ProduceRequestData.TopicProduceData().setName("t");
    topic
        .partitionData()
        .add(new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(records));
    data.topicData().add(topic);
    short produceVersion = 11; // by name, so no topic id is needed
    client.send(
        new RequestHeader(ApiKeys.PRODUCE, produceVersion, "test-client", 1),
        ProduceRequest.builder(data).build(produceVersion));
    client.send(
        new RequestHeader(ApiKeys.PRODUCE, produceVersion, "test-client", 2),
        ProduceRequest.builder(data).build(produceVersion));
    assertApiVersionsRoundTrip(client, 3);

    assertThat(producedRecords).hasSize(2);
    assertThat(producedRecords.get(0)).isEqualTo(expected);
    assertThat(producedRecords.get(1)).isEqualTo(expected);
    assertThat(client.socket().getInputStream().available()).isZero();
    await().atMost(Duration.ofSeconds(5)).until(() -> metrics.completed(ApiKeys.PRODUCE) == 2);
  }

  @Test
  void handlerFailuresAreAnsweredWithTheRequestsErrorResponse() throws Exception {
    handler =
        request -> {
          int correlationId = request.header().correlationId();
          switch (correlationId) {
            case 1:
              throw new IllegalStateException("handler bug");
            case 2:
              return CompletableFuture.supplyAsync(
                  () -> {
                    throw new IllegalStateException("async failure");
                  },
                  executor);
            case 3:
              return CompletableFuture.completedFuture(new UnserializableResponse());
            default:
              return answerFixed(request);
          }
        };
    start();
    WireClient client = connect();
    short version = 2;
    for (int correlationId = 1; correlationId <= 4; correlationId++) {
      RequestHeader header =
          new RequestHeader(ApiKeys.API_VERSIONS, version, "test-client", correlationId);
      client.send(header, new ApiVersionsRequest.Builder().build(version));
    }
    for (int correlationId = 1; correlationId <= 4; correlationId++) {
      RequestHeader header =
          new RequestHeader(ApiKeys.API_VERSIONS, version, "test-client", correlationId);
      WireClient.Received received = client.receive(header);
      assertThat(received.correlationId()).isEqualTo(correlationId);
      short expectedError =
          correlationId < 4 ? Errors.UNKNOWN_SERVER_ERROR.code() : Errors.NONE.code();
      assertThat(((ApiVersionsResponse) received.response()).data().errorCode())
          .as("error of request %d", correlationId)
          .isEqualTo(expectedError);
    }
    assertThat(logs.messages(Level.ERROR))
        .hasSize(3)
        .allMatch(message -> message.contains("API_VERSIONS v2"));
    assertThat(server.connectionCount()).isEqualTo(1);
  }

  @Test
  void aCloseConnectionOutcomeAnswersEarlierRequestsThenCloses() throws Exception {
    handler =
        request ->
            request.header().correlationId() == 2
                ? CompletableFuture.failedFuture(new CloseConnectionException("test says so"))
                : answerFixed(request);
    start();
    WireClient client = connect();
    short version = 2;
    for (int correlationId = 1; correlationId <= 2; correlationId++) {
      client.send(
          new RequestHeader(ApiKeys.API_VERSIONS, version, "test-client", correlationId),
          new ApiVersionsRequest.Builder().build(version));
    }
    // The request before the closing one is answered, the closing one is not.
    WireClient.Received first =
        client.receive(new RequestHeader(ApiKeys.API_VERSIONS, version, "test-client", 1));
    assertThat(first.correlationId()).isEqualTo(1);
    assertThat(client.closedByServerWithin(5, TimeUnit.SECONDS)).isTrue();
    assertThat(logs.messages(Level.ERROR)).isEmpty();
    assertThat(logs.messages(Level.INFO)).anyMatch(m -> m.contains("test says so"));
    // Other connections are unaffected.
    assertApiVersionsRoundTrip(connect(), 1);
  }

  /** A response whose serialization fails, as a handler bug filling in bad data would. */
  private static final class UnserializableResponse extends AbstractResponse {
    UnserializableResponse() {
      super(ApiKeys.API_VERSIONS);
    }

    @Override
    public org.apache.kafka.common.protocol.ApiMessage data() {
      throw new IllegalStateException("cannot serialize");
    }

    @Override
    public Map<Errors, Integer> errorCounts() {
      return Map.of();
    }

    @Override
    public int throttleTimeMs() {
      return 0;
    }

    @Override
    public void maybeSetThrottleTimeMs(int throttleTimeMs) {}
  }

  @Test
  void metadataRoundTrip() throws Exception {
    start();
    WireClient client = connect();
    short version = 12;
    RequestHeader header = new RequestHeader(ApiKeys.METADATA, version, "test-client", 5);
    MetadataResponse response =
        (MetadataResponse)
            client.roundTrip(header, MetadataRequest.Builder.allTopics().build(version));
    assertThat(response.clusterId()).isEqualTo(FixedResponses.CLUSTER_ID);
    assertThat(response.brokers())
        .singleElement()
        .satisfies(
            node -> {
              assertThat(node.id()).isEqualTo(FixedResponses.NODE_ID);
              assertThat(node.port()).isEqualTo(server.boundPort());
            });
  }

  @Test
  void maxConnectionsRejectsTheExtraConnectionWithALogLine() throws Exception {
    start(1, 60_000, 2);
    WireClient first = connect();
    WireClient second = connect();
    assertApiVersionsRoundTrip(first, 1);
    assertApiVersionsRoundTrip(second, 2);

    WireClient third = connect();
    assertThat(third.closedByServerWithin(5, TimeUnit.SECONDS)).isTrue();
    assertThat(metrics.rejected.get()).isEqualTo(1);
    assertThat(logs.messages(Level.WARN))
        .anyMatch(
            m ->
                m.contains("max.connections=2") && m.contains(":" + third.socket().getLocalPort()));

    first.close();
    await().atMost(Duration.ofSeconds(5)).until(() -> server.connectionCount() == 1);
    assertApiVersionsRoundTrip(connect(), 3);
    assertApiVersionsRoundTrip(second, 4);
  }

  @Test
  void closeStopsAcceptingClosesConnectionsAndStopsThreads() throws Exception {
    Set<Thread> before = Set.copyOf(Thread.getAllStackTraces().keySet());
    start(2, 60_000, 1000);
    WireClient client = connect();
    assertApiVersionsRoundTrip(client, 1);
    int port = server.boundPort();
    List<Thread> ours =
        Thread.getAllStackTraces().keySet().stream()
            .filter(t -> !before.contains(t) && t.getName().startsWith("ferry-network-"))
            .toList();
    assertThat(ours).hasSize(3); // acceptor + 2 processors

    server.close();

    assertThat(client.closedByServerWithin(5, TimeUnit.SECONDS)).isTrue();
    assertThat(server.connectionCount()).isZero();
    assertThat(ours).noneMatch(Thread::isAlive);
    boolean refused;
    try (WireClient late = new WireClient(port)) {
      refused = late.closedByServerWithin(1, TimeUnit.SECONDS);
    } catch (IOException e) {
      refused = true;
    }
    assertThat(refused).isTrue();
    server.close(); // idempotent
  }

  @Test
  void idleConnectionIsClosedButOneAwaitingItsHandlerIsNot() throws Exception {
    CompletableFuture<AbstractResponse> slow = new CompletableFuture<>();
    handler = request -> request.header().correlationId() == 99 ? slow : answerFixed(request);
    ManualClock clock = new ManualClock(1_000_000L);
    start(1, 300, 1000, ConnectionLimits.DEFAULT, clock);
    WireClient idle = connect();
    WireClient waiting = connect();
    assertApiVersionsRoundTrip(idle, 1);
    waiting.send(apiVersionsHeader(99), apiVersionsRequest());
    await().atMost(Duration.ofSeconds(5)).until(() -> dispatched.size() == 2);

    // On the server's clock nothing is idle yet, however long the test machine takes.
    clock.advance(299);
    await()
        .during(Duration.ofMillis(200))
        .atMost(Duration.ofSeconds(5))
        .until(() -> server.connectionCount() == 2);
    clock.advance(31); // past the timeout and past the next idle scan (every tenth of it)
    assertThat(idle.closedByServerWithin(5, TimeUnit.SECONDS)).isTrue();

    // For twice the idle timeout the waiting connection survives (the idle one is gone).
    clock.advance(600);
    await()
        .during(Duration.ofMillis(200))
        .atMost(Duration.ofSeconds(5))
        .until(() -> server.connectionCount() == 1);
    NetworkRequest request = dispatched.get(dispatched.size() - 1);
    slow.complete(FixedResponses.apiVersions((ApiVersionsRequest) request.body(), 99));
    WireClient.Received received = waiting.receive(apiVersionsHeader(99));
    assertThat(received.correlationId()).isEqualTo(99);
    // The server counts the response once written (its last activity): then its latency is on the
    // server's clock, exactly the 930 ms the clock moved while the handler held it.
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> metrics.completed.get(ApiKeys.API_VERSIONS).get() == 2);
    assertThat(metrics.maxLatencyNanos.get()).isEqualTo(TimeUnit.MILLISECONDS.toNanos(930));
    // Once answered it is idle too.
    clock.advance(331);
    assertThat(waiting.closedByServerWithin(5, TimeUnit.SECONDS)).isTrue();
    await().atMost(Duration.ofSeconds(5)).until(() -> server.connectionCount() == 0);
  }

  @Test
  void badFramesCloseOnlyTheirConnectionWhileAWellBehavedClientKeepsWorking() throws Exception {
    start(2, 60_000, 1000);
    AtomicBoolean stop = new AtomicBoolean();
    WireClient good = connect();
    Future<Integer> goodTraffic =
        executor.submit(
            () -> {
              int correlationId = 0;
              while (!stop.get() && correlationId < 100_000) {
                assertApiVersionsRoundTrip(good, correlationId++);
              }
              return correlationId;
            });

    // A client speaking HTTP: "GET " read as a size of 1195725856 bytes.
    WireClient http = connect();
    http.sendRaw("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes());
    assertThat(http.closedByServerWithin(5, TimeUnit.SECONDS)).isTrue();

    // A frame claiming 2 GB: refused before any allocation.
    WireClient huge = connect();
    huge.sendRaw(ByteBuffer.allocate(4).putInt(Integer.MAX_VALUE).array());
    assertThat(huge.closedByServerWithin(5, TimeUnit.SECONDS)).isTrue();

    WireClient negative = connect();
    negative.sendRaw(ByteBuffer.allocate(4).putInt(-5).array());
    assertThat(negative.closedByServerWithin(5, TimeUnit.SECONDS)).isTrue();

    // A well-sized frame of garbage: the body cannot be parsed.
    WireClient garbage = connect();
    ByteBuffer junk = ByteBuffer.allocate(4 + 20).putInt(20);
    junk.putShort(ApiKeys.METADATA.id).putShort((short) 12).putInt(77).putShort((short) 1);
    junk.put((byte) 'x').put((byte) 0); // valid header v2: client id "x", no tagged fields
    // Body: a topic array claiming 268 million entries in 8 bytes.
    junk.put(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, 0x7f}).put(new byte[4]);
    garbage.sendRaw(junk.array());
    assertThat(garbage.closedByServerWithin(5, TimeUnit.SECONDS)).isTrue();

    // Half a frame, then the client goes away.
    WireClient truncated = connect();
    truncated.sendRaw(ByteBuffer.allocate(4 + 10).putInt(100).put(new byte[10]).array());
    truncated.socket().shutdownOutput();
    assertThat(truncated.closedByServerWithin(5, TimeUnit.SECONDS)).isTrue();

    await().atMost(Duration.ofSeconds(5)).until(() -> server.connectionCount() == 1);
    stop.set(true);
    int goodRequests = goodTraffic.get(10, TimeUnit.SECONDS);
    assertThat(goodRequests).isPositive();
    assertApiVersionsRoundTrip(good, goodRequests);

    List<String> warnings = logs.messages(Level.WARN);
    assertThat(warnings)
        .anySatisfy(
            m ->
                assertThat(m)
                    .contains("1195725856", "socket.request.max.bytes")
                    .contains(":" + http.socket().getLocalPort()));
    assertThat(warnings)
        .anySatisfy(
            m -> assertThat(m).contains("2147483647").contains(":" + huge.socket().getLocalPort()));
    assertThat(warnings)
        .anySatisfy(
            m -> assertThat(m).contains("-5").contains(":" + negative.socket().getLocalPort()));
    assertThat(warnings)
        .anySatisfy(
            m ->
                assertThat(m)
                    .contains("api key 3", "version 12", "correlation id 77", "client id \"x\"")
                    .contains("unparseable request body")
                    .contains(":" + garbage.socket().getLocalPort()));
    assertThat(warnings).hasSize(4);
    assertThat(metrics.invalid.get()).isEqualTo(4);
    assertThat(logs.messages(Level.ERROR)).isEmpty();
  }

  @Test
  void unknownApiKeyClosesTheConnectionWithALogLine() throws Exception {
    start();
    WireClient client = connect();
    ByteBuffer payload = ByteBuffer.allocate(4 + 14).putInt(14);
    payload.putShort((short) 999).putShort((short) 1).putInt(5).putShort((short) 4);
    payload.put("abcd".getBytes());
    client.sendRaw(payload.array());

    assertThat(client.closedByServerWithin(5, TimeUnit.SECONDS)).isTrue();
    assertThat(logs.messages(Level.WARN))
        .singleElement()
        .satisfies(
            m ->
                assertThat(m)
                    .contains("unknown api key", "api key 999", "version 1", "client id \"abcd\"")
                    .contains("127.0.0.1:" + client.socket().getLocalPort()));
    assertThat(dispatched).isEmpty();
  }

  @Test
  void removedVersionOfAKnownApiClosesTheConnection() throws Exception {
    start();
    WireClient client = connect();
    // Produce v2 was removed from the 4.x protocol.
    ByteBuffer payload = ByteBuffer.allocate(4 + 20).putInt(20);
    payload.putShort(ApiKeys.PRODUCE.id).putShort((short) 2).putInt(5).putShort((short) -1);
    payload.putShort((short) 1).putInt(1000).putInt(0);
    client.sendRaw(payload.array());

    assertThat(client.closedByServerWithin(5, TimeUnit.SECONDS)).isTrue();
    assertThat(logs.messages(Level.WARN))
        .singleElement()
        .satisfies(
            m -> assertThat(m).contains("api key 0", "version 2", "client id null", "unsupported"));
  }

  @Test
  void anUnexpectedErrorOnOneConnectionClosesItAndTheProcessorCarriesOn() throws Exception {
    AtomicBoolean explode = new AtomicBoolean(true);
    NetworkMetrics exploding =
        new NetworkMetrics() {
          @Override
          public void bytesReceived(long bytes) {
            if (explode.get()) {
              throw new IllegalStateException("metrics backend bug");
            }
          }
        };
    server =
        new SocketServer(
            new SocketServerConfig("127.0.0.1", 0, 1, 1024 * 1024, 60_000, -1, -1, 100),
            this::answerFixed,
            exploding);
    server.start();
    WireClient victim = connect();
    victim.send(apiVersionsHeader(1), apiVersionsRequest());
    assertThat(victim.closedByServerWithin(5, TimeUnit.SECONDS)).isTrue();
    assertThat(logs.messages(Level.ERROR))
        .singleElement()
        .satisfies(m -> assertThat(m).contains("unexpected error"));

    explode.set(false);
    assertApiVersionsRoundTrip(connect(), 2);
  }

  @Test
  void manyIdleConnectionsAreMultiplexed() throws Exception {
    start(2, 60_000, 10_000);
    List<WireClient> many = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      many.add(connect());
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> metrics.opened.get() == 300);
    for (int i = 0; i < many.size(); i += 7) {
      assertApiVersionsRoundTrip(many.get(i), i);
    }
    assertThat(server.connectionCount()).isEqualTo(300);
  }
}
