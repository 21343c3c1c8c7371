package dev.ferry.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.BaseRecords;
import org.apache.kafka.common.record.internal.FileRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.FetchResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Large responses: file-backed records sent with sendfile, and clients that do not read. */
class SocketServerSendTest {

  private static final short FETCH_VERSION = 16;
  private static final Uuid TOPIC_ID = Uuid.randomUuid();

  @TempDir File dir;

  private final CountingMetrics metrics = new CountingMetrics();
  private SocketServer server;

  @AfterEach
  void tearDown() {
    if (server != null) {
      server.close();
    }
  }

  private void start(
      int sendBufferBytes,
      ConnectionLimits limits,
      Function<NetworkRequest, CompletableFuture<AbstractResponse>> handler) {
    SocketServerConfig config =
        new SocketServerConfig("127.0.0.1", 0, 2, 1024 * 1024, 60_000, sendBufferBytes, -1, 100);
    server = new SocketServer(config, handler::apply, metrics, limits);
    server.start();
  }

  private static FetchResponse fetchResponse(BaseRecords records) {
    FetchResponseData.PartitionData partition =
        new FetchResponseData.PartitionData()
            .setPartitionIndex(0)
            .setErrorCode(Errors.NONE.code())
            .setHighWatermark(1000)
            .setRecords(records);
    FetchResponseData.FetchableTopicResponse topic =
        new FetchResponseData.FetchableTopicResponse()
            .setTopicId(TOPIC_ID)
            .setPartitions(List.of(partition));
    return FetchResponse.of(new FetchResponseData().setResponses(List.of(topic)));
  }

  private static FetchRequest fetchRequest() {
    return FetchRequest.Builder.forConsumer(FETCH_VERSION, 500, 1, Map.of()).build(FETCH_VERSION);
  }

  private static RequestHeader fetchHeader(int correlationId) {
    return new RequestHeader(ApiKeys.FETCH, FETCH_VERSION, "test-consumer", correlationId);
  }

  @Test
  void fetchResponseWithAFileSliceIsReceivedByteExact() throws Exception {
    // ~8 MB of real record batches in a segment-like file.
    File segment = new File(dir, "00000000000000000000.log");
    Random random = new Random(42);
    try (FileRecords log = FileRecords.open(segment)) {
      for (int i = 0; i < 40; i++) {
        byte[] value = new byte[200 * 1024];
        random.nextBytes(value);
        log.append(
            MemoryRecords.withRecords(
                i, Compression.NONE, new SimpleRecord(("key-" + i).getBytes(), value)));
      }
      log.flush();
      int firstBatch = log.batches().iterator().next().sizeInBytes();
      int sliceLength = log.sizeInBytes() - 2 * firstBatch; // skip the first and last batch
      FileRecords slice = log.slice(firstBatch, sliceLength);

      // A small send buffer forces many partial sendfile writes continued on OP_WRITE.
      start(
          64 * 1024,
          ConnectionLimits.DEFAULT,
          request -> CompletableFuture.completedFuture(fetchResponse(slice)));
      try (WireClient client = new WireClient(server.boundPort())) {
        client.send(fetchHeader(9), fetchRequest());
        ByteBuffer frame = client.receiveFrame();
        assertThat(frame.getInt(0)).isEqualTo(9);
        FetchResponse response =
            (FetchResponse) AbstractResponse.parseResponse(frame.duplicate(), fetchHeader(9));
        FetchResponseData.PartitionData partition =
            response.data().responses().get(0).partitions().get(0);
        assertThat(response.data().responses().get(0).topicId()).isEqualTo(TOPIC_ID);
        assertThat(partition.highWatermark()).isEqualTo(1000);

        ByteBuffer received = ((MemoryRecords) partition.records()).buffer();
        byte[] expected = new byte[sliceLength];
        ByteBuffer expectedBuffer = ByteBuffer.wrap(expected);
        while (expectedBuffer.hasRemaining()) {
          int n = log.channel().read(expectedBuffer, firstBatch + (long) expectedBuffer.position());
          assertThat(n).isPositive();
        }
        byte[] actual = new byte[received.remaining()];
        received.get(actual);
        assertThat(actual.length).isEqualTo(sliceLength);
        assertThat(actual).isEqualTo(expected);
        assertThat(((MemoryRecords) partition.records()).batches().iterator().next().baseOffset())
            .isEqualTo(1);

        await()
            .atMost(Duration.ofSeconds(5))
            .until(() -> metrics.bytesOut.get() == 4L + frame.capacity());
        assertThat(metrics.completed(ApiKeys.FETCH)).isEqualTo(1);
      }
    }
  }

  @Test
  void clientThatNeverReadsIsThrottledAndDoesNotStallOthers() throws Exception {
    byte[] value = new byte[256 * 1024];
    new Random(7).nextBytes(value);
    MemoryRecords bigRecords = MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(value));
    AtomicInteger fetchesDispatched = new AtomicInteger();
    start(
        64 * 1024,
        new ConnectionLimits(16, 1024 * 1024),
        request -> {
          if (request.body() instanceof ApiVersionsRequest apiVersions) {
            return CompletableFuture.completedFuture(
                FixedResponses.apiVersions(apiVersions, request.header().correlationId()));
          }
          fetchesDispatched.incrementAndGet();
          return CompletableFuture.completedFuture(
              fetchResponse(MemoryRecords.readableRecords(bigRecords.buffer().duplicate())));
        });

    try (Socket greedy = new Socket()) {
      greedy.setReceiveBufferSize(64 * 1024);
      greedy.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.boundPort()));
      // 500 fetches (~50 KB of requests) whose 128 MB of answers are never read.
      OutputStream out = greedy.getOutputStream();
      for (int i = 0; i < 500; i++) {
        ByteBuffer payload = fetchRequest().serializeWithHeader(fetchHeader(i));
        out.write(ByteBuffer.allocate(4).putInt(payload.remaining()).array());
        out.write(payload.array(), payload.arrayOffset() + payload.position(), payload.remaining());
      }
      out.flush();

      try (WireClient polite = new WireClient(server.boundPort())) {
        for (int i = 0; i < 50; i++) {
          long start = System.nanoTime();
          RequestHeader header =
              new RequestHeader(ApiKeys.API_VERSIONS, (short) 3, "polite", 1000 + i);
          polite.send(header, new ApiVersionsRequest.Builder().build((short) 3));
          WireClient.Received received = polite.receive(header);
          assertThat(received.correlationId()).isEqualTo(1000 + i);
          // A stalled network thread would hold this for as long as the greedy client's 128 MB
          // take: bounded well above what a busy machine adds (CI saw 2,003 ms at load 29).
          assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(5000);
        }
      }

      // The greedy connection stopped being read: its dispatch count settles (unchanged for
      // 500 ms) at a handful of responses in flight, not 500.
      AtomicInteger lastSeen = new AtomicInteger(-1);
      await()
          .during(Duration.ofMillis(500))
          .atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(50))
          .until(() -> lastSeen.getAndSet(fetchesDispatched.get()) == fetchesDispatched.get());
      assertThat(fetchesDispatched.get()).isBetween(1, 40);
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> server.connectionCount() == 0);
  }

  @Test
  void plaintextChannelTransfersAFileRegionToASocket() throws Exception {
    File file = new File(dir, "region.bin");
    byte[] content = new byte[3 * 1024 * 1024];
    new Random(1).nextBytes(content);
    java.nio.file.Files.write(file.toPath(), content);
    try (java.nio.channels.ServerSocketChannel listener =
            java.nio.channels.ServerSocketChannel.open()
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        java.nio.channels.SocketChannel sender =
            java.nio.channels.SocketChannel.open(listener.getLocalAddress());
        java.nio.channels.SocketChannel receiver = listener.accept();
        java.nio.channels.FileChannel fileChannel =
            java.nio.channels.FileChannel.open(file.toPath())) {
      sender.configureBlocking(false);
      PlaintextTransportLayer channel = new PlaintextTransportLayer(sender);
      long position = 1000;
      long count = content.length - 2000;
      ByteBuffer received = ByteBuffer.allocate((int) count);
      long sent = 0;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (received.hasRemaining() && System.nanoTime() < deadline) {
        if (sent < count) {
          sent += channel.transferFrom(fileChannel, position + sent, count - sent);
        }
        receiver.configureBlocking(false);
        receiver.read(received);
      }
      assertThat(sent).isEqualTo(count);
      assertThat(channel.hasPendingWrites()).isFalse();
      byte[] expected = java.util.Arrays.copyOfRange(content, 1000, content.length - 1000);
      assertThat(received.array()).isEqualTo(expected);
    }
  }
}
