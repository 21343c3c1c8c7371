package dev.ferry.conformance;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * Malformed and unexpected frames, sent byte for byte to both brokers on a fresh connection each:
 * unknown API keys and versions, versions Kafka knows but does not enable, negative and oversized
 * frame sizes, bodies cut short, string and array lengths that run past the frame, negative
 * lengths, huge counts (classic and compact encodings), and trailing bytes. Both brokers must react
 * the same way: the same answer (compared field by field like any other) or both closing the
 * connection.
 */
final class BadInput {

  private static final int CORRELATION_ID = 7;

  /** One malformed frame: its bytes, and the API and version to read an answer as. */
  record Frame(String name, ApiKeys api, short version, byte[] bytes, boolean halfClose) {

    /** A request of {@code api} at {@code version} (not a framing error before any header). */
    boolean isRequest() {
      return !name.contains("frame")
          && !name.startsWith("header-")
          && !name.startsWith("unknown-api-key")
          && !name.startsWith("api-key-not-served");
    }
  }

  private BadInput() {}

  static void runAll(Conformance c) {
    for (Frame f : frames()) {
      RawOutcome fo = RawOutcome.exchange(c.ferry(), f);
      RawOutcome ko = RawOutcome.exchange(c.kafka(), f);
      c.compareRaw(f, fo, ko);
    }
  }

  static List<Frame> frames() {
    List<Frame> out = new ArrayList<>();
    short apiVersionsMax = ApiKeys.API_VERSIONS.latestVersion();
    // Versions.
    out.add(
        frame(
            "api-versions-unknown-version",
            ApiKeys.API_VERSIONS,
            (short) 0,
            header(ApiKeys.API_VERSIONS.id, 127, "conformance", true),
            new byte[] {0, 0, 0}));
    out.add(
        new Frame(
            "api-versions-invalid-client-software-name",
            ApiKeys.API_VERSIONS,
            apiVersionsMax,
            valid(
                new ApiVersionsRequestData()
                    .setClientSoftwareName("bad name!")
                    .setClientSoftwareVersion("1.0"),
                apiVersionsMax),
            false));
    out.add(
        frame(
            "metadata-unknown-version",
            ApiKeys.METADATA,
            (short) 12,
            header(ApiKeys.METADATA.id, 99, "conformance", true),
            new byte[] {1, 0, 0, 0}));
    out.add(
        frame(
            "init-producer-id-unstable-version",
            ApiKeys.INIT_PRODUCER_ID,
            (short) 6,
            header(ApiKeys.INIT_PRODUCER_ID.id, 6, "conformance", true),
            initProducerIdV6Body()));
    // Produce v0-2: Kafka 4 still advertises them (librdkafka needs to see them) but refuses the
    // requests; the codec cannot write them, so they are compared here, byte for byte.
    for (short v = 0; v <= 2; v++) {
      out.add(
          frame(
              "produce-v" + v + "-valid-body",
              ApiKeys.PRODUCE,
              v,
              header(ApiKeys.PRODUCE.id, v, "conformance", false),
              produceV0To2Body()));
    }
    out.add(
        frame(
            "unknown-api-key",
            ApiKeys.API_VERSIONS,
            (short) 0,
            header(1000, 0, "conformance", false),
            new byte[0]));
    out.add(
        frame(
            "api-key-not-served",
            ApiKeys.API_VERSIONS,
            (short) 0,
            // Kafka's controller-only API: a broker listener does not serve it.
            header(ApiKeys.VOTE.id, 0, "conformance", false),
            new byte[0]));
    // Frame sizes.
    out.add(raw("negative-frame-size", sized(-1, new byte[8]), false));
    out.add(raw("frame-beyond-max-request-size", sized(200 * 1024 * 1024, new byte[8]), false));
    out.add(raw("empty-frame", sized(0, new byte[0]), false));
    out.add(raw("frame-cut-short-then-half-closed", frameCut(), true));
    out.add(raw("header-cut-short", sized(3, new byte[] {0, 3, 0}), false));
    // Metadata v1 (classic encoding): topics array, then names.
    byte[] v1 = header(ApiKeys.METADATA.id, 1, "conformance", false);
    out.add(frame("metadata-no-body", ApiKeys.METADATA, (short) 1, v1, new byte[0]));
    out.add(
        frame(
            "metadata-huge-array-count",
            ApiKeys.METADATA,
            (short) 1,
            v1,
            new byte[] {0x7f, -1, -1, -1}));
    out.add(
        frame(
            "metadata-negative-array-count",
            ApiKeys.METADATA,
            (short) 1,
            v1,
            new byte[] {-1, -1, -1, -2}));
    out.add(
        frame(
            "metadata-string-beyond-frame",
            ApiKeys.METADATA,
            (short) 1,
            v1,
            concat(new byte[] {0, 0, 0, 1, 0x75, 0x30}, ascii("conf"))));
    out.add(
        frame(
            "metadata-negative-string-length",
            ApiKeys.METADATA,
            (short) 1,
            v1,
            new byte[] {0, 0, 0, 1, -1, -5}));
    out.add(
        frame(
            "metadata-null-topic-name",
            ApiKeys.METADATA,
            (short) 1,
            v1,
            new byte[] {0, 0, 0, 1, -1, -1}));
    out.add(
        frame(
            "metadata-trailing-bytes",
            ApiKeys.METADATA,
            (short) 1,
            v1,
            concat(new byte[] {0, 0, 0, 1, 0, 4}, ascii("conf"), new byte[] {9, 9, 9})));
    // Metadata v12 (compact encoding, tagged fields).
    byte[] v12 = header(ApiKeys.METADATA.id, 12, "conformance", true);
    out.add(
        frame(
            "metadata-compact-huge-array-count",
            ApiKeys.METADATA,
            (short) 12,
            v12,
            new byte[] {-1, -1, -1, -1, 0x07, 0, 0, 0}));
    out.add(
        frame(
            "metadata-compact-varint-too-long",
            ApiKeys.METADATA,
            (short) 12,
            v12,
            new byte[] {-1, -1, -1, -1, -1, -1, 0, 0}));
    out.add(
        frame(
            "metadata-compact-string-beyond-frame",
            ApiKeys.METADATA,
            (short) 12,
            v12,
            concat(new byte[] {2}, new byte[16], new byte[] {-1, 0x7f}, ascii("conf"))));
    out.add(
        frame(
            "metadata-unknown-tagged-field-huge-size",
            ApiKeys.METADATA,
            (short) 12,
            v12,
            new byte[] {1, 0, 0, 1, 5, -1, -1, -1, 0x7f}));
    // A client id longer than the frame.
    out.add(
        frame(
            "client-id-beyond-frame",
            ApiKeys.METADATA,
            (short) 1,
            concat(new byte[] {0, 3, 0, 1, 0, 0, 0, CORRELATION_ID, 0x7f, -1}, ascii("abc")),
            new byte[0]));
    out.add(
        frame(
            "client-id-negative-length",
            ApiKeys.METADATA,
            (short) 1,
            new byte[] {0, 3, 0, 1, 0, 0, 0, CORRELATION_ID, -1, -3},
            new byte[] {0, 0, 0, 0}));
    // CreateTopics v4: a topic name far longer than the frame; a huge assignments count.
    byte[] ct = header(ApiKeys.CREATE_TOPICS.id, 4, "conformance", false);
    out.add(
        frame(
            "create-topics-name-beyond-frame",
            ApiKeys.CREATE_TOPICS,
            (short) 4,
            ct,
            concat(new byte[] {0, 0, 0, 1, 0x7f, -1}, ascii("x"))));
    out.add(
        frame(
            "create-topics-huge-assignment-count",
            ApiKeys.CREATE_TOPICS,
            (short) 4,
            ct,
            concat(
                new byte[] {0, 0, 0, 1, 0, 6},
                ascii("ct-bad"),
                new byte[] {0, 0, 0, 1, 0, 1, 0x7f, -1, -1, -1})));
    // Produce v8: a records field longer than the frame.
    byte[] pr = header(ApiKeys.PRODUCE.id, 8, "conformance", false);
    out.add(
        frame(
            "produce-records-beyond-frame",
            ApiKeys.PRODUCE,
            (short) 8,
            pr,
            concat(
                new byte[] {-1, -1, 0, 1, 0, 0, 19, -120, 0, 0, 0, 1, 0, 4},
                ascii("conf"),
                new byte[] {0, 0, 0, 1, 0, 0, 0, 0, 0x7f, -1, -1, -1, 1, 2, 3})));
    out.add(
        frame(
            "produce-garbage-records",
            ApiKeys.PRODUCE,
            (short) 8,
            pr,
            concat(
                new byte[] {-1, -1, 0, 1, 0, 0, 19, -120, 0, 0, 0, 1, 0, 4},
                ascii("conf"),
                new byte[] {0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 12},
                new byte[12])));
    return out;
  }

  /** A request header: classic (v1) or flexible (v2, with an empty tagged-field section). */
  static byte[] header(int apiKey, int version, String clientId, boolean flexible) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(b)) {
      out.writeShort(apiKey);
      out.writeShort(version);
      out.writeInt(CORRELATION_ID);
      out.writeShort(clientId.length());
      out.write(ascii(clientId));
      if (flexible) {
        out.writeByte(0);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return b.toByteArray();
  }

  private static Frame frame(String name, ApiKeys api, short version, byte[] header, byte[] body) {
    byte[] payload = concat(header, body);
    return new Frame(name, api, version, sized(payload.length, payload), false);
  }

  private static Frame raw(String name, byte[] bytes, boolean halfClose) {
    return new Frame(name, ApiKeys.API_VERSIONS, (short) 0, bytes, halfClose);
  }

  /** A well-formed request, for validation cases. */
  private static byte[] valid(org.apache.kafka.common.protocol.ApiMessage data, short version) {
    AbstractRequest request = Requests.of(data, version);
    ByteBuffer payload =
        request.serializeWithHeader(
            new RequestHeader(request.apiKey(), version, "conformance", CORRELATION_ID));
    byte[] bytes = new byte[payload.remaining()];
    payload.get(bytes);
    return sized(bytes.length, bytes);
  }

  /** Produce v0-2: acks 1, timeout 5 s, one partition of the fixture topic with one batch. */
  private static byte[] produceV0To2Body() {
    ByteBuffer records = DataCases.records(false).buffer();
    byte[] batch = new byte[records.remaining()];
    records.duplicate().get(batch);
    return concat(
        new byte[] {0, 1, 0, 0, 19, -120, 0, 0, 0, 1, 0, 4},
        ascii(Fixture.TOPIC),
        new byte[] {0, 0, 0, 1, 0, 0, 0, 0},
        ByteBuffer.allocate(4).putInt(batch.length).array(),
        batch);
  }

  /** InitProducerId v6 (flexible): null id, timeout, producer id and epoch, two booleans. */
  private static byte[] initProducerIdV6Body() {
    return new byte[] {0, 0, 0, -22, 96, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0};
  }

  /** A size prefix announcing 100 bytes, 10 of which are sent before the client half-closes. */
  private static byte[] frameCut() {
    byte[] h = header(ApiKeys.METADATA.id, 1, "c", false);
    return concat(new byte[] {0, 0, 0, 100}, h);
  }

  static byte[] sized(int size, byte[] payload) {
    return ByteBuffer.allocate(4 + payload.length).putInt(size).put(payload).array();
  }

  static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      b.writeBytes(p);
    }
    return b.toByteArray();
  }

  /** What a broker did with a frame: answered (and how), closed, or neither within the wait. */
  record RawOutcome(String kind, AbstractResponse response, String detail) {

    static RawOutcome exchange(SideContext side, Frame f) {
      BrokerUnderTest.Node node = side.nodes().get(0);
      try (java.net.Socket s = new java.net.Socket()) {
        s.connect(new java.net.InetSocketAddress(node.host(), node.port()), 5_000);
        s.setSoTimeout(5_000);
        s.getOutputStream().write(f.bytes());
        s.getOutputStream().flush();
        if (f.halfClose()) {
          s.shutdownOutput();
        }
        java.io.DataInputStream in = new java.io.DataInputStream(s.getInputStream());
        int size;
        try {
          size = in.readInt();
        } catch (java.io.EOFException | java.net.SocketException closed) {
          return new RawOutcome("closed", null, "");
        }
        byte[] body = new byte[size];
        in.readFully(body);
        return new RawOutcome("answered", parse(f, body), "");
      } catch (java.net.SocketTimeoutException e) {
        return new RawOutcome("no answer within 5 s", null, "");
      } catch (IOException e) {
        return new RawOutcome("closed", null, e.getMessage());
      }
    }

    private static AbstractResponse parse(Frame f, byte[] body) {
      RequestHeader h = new RequestHeader(f.api(), f.version(), "conformance", CORRELATION_ID);
      try {
        return AbstractResponse.parseResponse(ByteBuffer.wrap(body), h);
      } catch (RuntimeException e) {
        if (f.api() == ApiKeys.API_VERSIONS && f.version() != 0) {
          // KIP-511: a broker that cannot read the version answers in v0.
          return AbstractResponse.parseResponse(
              ByteBuffer.wrap(body),
              new RequestHeader(f.api(), (short) 0, "conformance", CORRELATION_ID));
        }
        throw e;
      }
    }
  }
}
