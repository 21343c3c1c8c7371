package dev.ferry.bench.workload;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponsePartition;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseTopic;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.MetadataResponse;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * One connection that sends Metadata requests (v12, as the 4.x clients send it) for one topic and
 * times each from the first byte written to the last byte of the answer read. A raw socket rather
 * than a client, so the figure holds no client-side caching, back-off or parsing: only the broker's
 * work and the loopback. The answer can be parsed to see each partition's leader (failover).
 */
public final class MetadataProbe implements AutoCloseable {

  private static final short VERSION = 12;
  private static final int SOCKET_TIMEOUT_MS = 60_000;

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private final String topic;
  private int correlationId;

  /** One answer: how long it took and its bytes (undecoded until asked). */
  public record Answer(long nanos, int bytes, ByteBuffer body, RequestHeader header) {

    /**
     * Leader id and ISR size per partition index from the decoded answer; leader -1 where the
     * partition has an error, -2 where the answer does not list it.
     */
    public Partitions partitions(String topic, int count) {
      MetadataResponse response = (MetadataResponse) AbstractResponse.parseResponse(body, header);
      body.rewind();
      int[] leaders = new int[count];
      int[] isr = new int[count];
      Arrays.fill(leaders, -2);
      for (MetadataResponseTopic t : response.data().topics()) {
        if (!t.name().equals(topic)) {
          continue;
        }
        for (MetadataResponsePartition p : t.partitions()) {
          if (p.partitionIndex() < count) {
            leaders[p.partitionIndex()] = p.errorCode() == 0 ? p.leaderId() : -1;
            isr[p.partitionIndex()] = p.isrNodes().size();
          }
        }
      }
      return new Partitions(leaders, isr);
    }
  }

  /** Per partition index: its leader's id and how many replicas are in its ISR. */
  public record Partitions(int[] leaders, int[] isrSizes) {

    /** Partitions led by {@code broker}. */
    public int ledBy(int broker) {
      int n = 0;
      for (int leader : leaders) {
        n += leader == broker ? 1 : 0;
      }
      return n;
    }

    /** Whether every partition has a leader and at least {@code replicas} in-sync replicas. */
    public boolean fullyReplicated(int replicas) {
      for (int i = 0; i < leaders.length; i++) {
        if (leaders[i] < 0 || isrSizes[i] < replicas) {
          return false;
        }
      }
      return true;
    }
  }

  public MetadataProbe(String hostPort, String topic) throws IOException {
    String[] parts = hostPort.split(",")[0].split(":");
    this.socket = new Socket();
    this.topic = topic;
    try {
      socket.connect(new InetSocketAddress(parts[0], Integer.parseInt(parts[1])), 10_000);
      socket.setSoTimeout(SOCKET_TIMEOUT_MS);
      socket.setTcpNoDelay(true);
      in = socket.getInputStream();
      out = socket.getOutputStream();
    } catch (IOException | RuntimeException e) {
      socket.close();
      throw e;
    }
  }

  /** Sends one Metadata request for the topic and reads the whole answer. */
  public Answer request() throws IOException {
    int id = ++correlationId;
    RequestHeader header = new RequestHeader(ApiKeys.METADATA, VERSION, "scale-bench", id);
    MetadataRequest request = new MetadataRequest.Builder(List.of(topic), false).build(VERSION);
    ByteBuffer body = request.serializeWithHeader(header);
    byte[] frame = new byte[4 + body.remaining()];
    ByteBuffer.wrap(frame).putInt(body.remaining()).put(body);
    long start = System.nanoTime();
    out.write(frame);
    out.flush();
    byte[] size = in.readNBytes(4);
    if (size.length < 4) {
      throw new EOFException("closed before the Metadata answer");
    }
    int n = ByteBuffer.wrap(size).getInt();
    byte[] answer = in.readNBytes(n);
    long nanos = System.nanoTime() - start;
    if (answer.length < n) {
      throw new EOFException("closed in the Metadata answer");
    }
    return new Answer(nanos, n, ByteBuffer.wrap(answer), header);
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
