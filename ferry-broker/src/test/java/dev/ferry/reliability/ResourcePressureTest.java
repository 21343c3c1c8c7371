package dev.ferry.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ferry.it.TestBroker;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many idle connections and a client that never reads its responses: the broker stays bounded and
 * keeps serving well-behaved clients. (A filling disk is {@link DiskFullTest}.)
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ResourcePressureTest {

  private static final int IDLE_CONNECTIONS = 2_000;
  private static final int CANARY_RECORDS = 300;

  @TempDir static Path dir;
  private TestBroker broker;
  private Canary canary;
  private Uuid canaryId;

  @BeforeAll
  void start() throws Exception {
    broker = TestBroker.start(dir);
    try (Admin admin = broker.admin()) {
      admin
          .createTopics(
              List.of(new NewTopic("canary", 1, (short) 1), new NewTopic("health", 1, (short) 1)))
          .all()
          .get();
      canaryId =
          admin.describeTopics(List.of("canary")).allTopicNames().get().get("canary").topicId();
    }
    canary = new Canary("canary", CANARY_RECORDS);
    canary.write(broker.bootstrap());
  }

  @AfterAll
  void stop() {
    broker.close();
  }

  @Test
  void twoThousandIdleConnectionsAndWellBehavedClientsAreStillServed() throws Exception {
    long limit = openFileLimit();
    // Client and broker share this JVM: two descriptors per connection, plus the broker's files.
    assumeTrue(
        limit >= 2L * IDLE_CONNECTIONS + 1_000,
        "open file limit "
            + limit
            + " is too low for "
            + IDLE_CONNECTIONS
            + " loopback connections");
    List<SocketChannel> idle = new ArrayList<>();
    try {
      for (int i = 0; i < IDLE_CONNECTIONS; i++) {
        idle.add(SocketChannel.open(new InetSocketAddress("127.0.0.1", broker.broker().port())));
      }
      Canary.roundTrip(broker.bootstrap(), "health", "with-2000-idle");
      assertThat(canary.verify(broker.bootstrap())).isEqualTo(CANARY_RECORDS);
      // Every 50th idle connection is still a working Kafka connection.
      byte[] request =
          RequestTemplates.encode(ApiKeys.API_VERSIONS, (short) 0, new ApiVersionsRequestData())
              .payload();
      for (int i = 0; i < idle.size(); i += 50) {
        SocketChannel ch = idle.get(i);
        ByteBuffer.wrap(request).putInt(4, i);
        ch.write(
            ByteBuffer.allocate(4 + request.length).putInt(request.length).put(request).flip());
        ByteBuffer header = ByteBuffer.allocate(8);
        while (header.hasRemaining()) {
          assertThat(ch.read(header)).isNotNegative();
        }
        assertThat(header.getInt(4)).as("correlation id").isEqualTo(i);
        ByteBuffer rest = ByteBuffer.allocate(header.getInt(0) - 4);
        while (rest.hasRemaining()) {
          assertThat(ch.read(rest)).isNotNegative();
        }
      }
    } finally {
      for (SocketChannel ch : idle) {
        ch.close();
      }
    }
  }

  @Test
  void clientThatNeverReadsIsThrottledAndOthersAreServed() throws Exception {
    // Each fetch answers with the whole canary (~60 KiB); the client pipelines thousands.
    FetchRequestData fetch =
        new FetchRequestData().setReplicaId(-1).setMaxWaitMs(0).setMinBytes(0).setMaxBytes(1 << 20);
    FetchRequestData.FetchTopic t = new FetchRequestData.FetchTopic().setTopicId(canaryId);
    t.partitions()
        .add(
            new FetchRequestData.FetchPartition()
                .setPartition(0)
                .setFetchOffset(0)
                .setPartitionMaxBytes(1 << 20)
                .setLogStartOffset(-1));
    fetch.topics().add(t);
    byte[] request = RequestTemplates.encode(ApiKeys.FETCH, (short) 17, fetch).payload();
    int requests = 200_000; // ~19 MB of requests, for ~12 GB of responses
    long offered = (long) requests * (4 + request.length);
    try (SocketChannel greedy =
        SocketChannel.open(new InetSocketAddress("127.0.0.1", broker.broker().port()))) {
      greedy.setOption(java.net.StandardSocketOptions.SO_SNDBUF, 64 * 1024);
      greedy.configureBlocking(false);
      long accepted = 0;
      int sent = 0;
      long stuckSince = -1;
      ByteBuffer frame = ByteBuffer.allocate(4 + request.length);
      // Write until the socket refuses more for 2 s (the broker stopped reading) or all is sent.
      while (sent < requests) {
        if (!frame.hasRemaining() || frame.position() == 0) {
          ByteBuffer.wrap(request).putInt(4, sent + 1);
          frame.clear();
          frame.putInt(request.length).put(request).flip();
        }
        int n = greedy.write(frame);
        accepted += n;
        if (!frame.hasRemaining()) {
          sent++;
        }
        if (n == 0) {
          if (stuckSince < 0) {
            stuckSince = System.nanoTime();
          } else if (System.nanoTime() - stuckSince > 2_000_000_000L) {
            break;
          }
          Thread.sleep(5);
        } else {
          stuckSince = -1;
        }
      }
      System.out.printf(
          "Non-reading client: %,d of %,d request bytes accepted before the broker stopped reading"
              + " (%d of %d requests)%n",
          accepted, offered, sent, requests);
      // The broker read at most 16 requests beyond what the socket buffers hold: the client
      // could not push everything.
      assertThat(sent).as("requests written before back-pressure").isLessThan(requests);
      assertThat(accepted).isLessThan(offered / 2);

      // Meanwhile everyone else is served.
      Canary.roundTrip(broker.bootstrap(), "health", "while-greedy-client-stalls");
      assertThat(canary.verify(broker.bootstrap())).isEqualTo(CANARY_RECORDS);

      // The stalled client's responses are all there, in order, when it finally reads.
      greedy.configureBlocking(true);
      for (int i = 1; i <= 50; i++) {
        ByteBuffer header = ByteBuffer.allocate(8);
        readFully(greedy, header);
        assertThat(header.getInt(4)).as("correlation id of response %d", i).isEqualTo(i);
        ByteBuffer body = ByteBuffer.allocate(header.getInt(0) - 4);
        readFully(greedy, body);
        assertThat(body.remaining()).isZero();
      }
    }
  }

  private static void readFully(SocketChannel ch, ByteBuffer b) throws IOException {
    while (b.hasRemaining()) {
      if (ch.read(b) < 0) {
        throw new IOException("closed by the broker");
      }
    }
  }

  static long openFileLimit() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
      if (line.startsWith("Max open files")) {
        String soft = line.substring("Max open files".length()).trim().split("\\s+")[0];
        return soft.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(soft);
      }
    }
    return -1;
  }
}
