package dev.ferry.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.it.RawKafkaConnection;
import dev.ferry.it.TestBroker;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Requests pipelined before a malformed one are answered before the broker closes the connection:
 * the malformed request loses nothing that came before it.
 */
class PipelinedBadRequestTest {

  @TempDir Path dir;

  @Test
  void validRequestsBeforeAMalformedOneAreAnsweredThenTheConnectionCloses() throws Exception {
    try (TestBroker broker = TestBroker.start(dir);
        RawKafkaConnection c = RawKafkaConnection.to(broker)) {
      byte[] apiVersions =
          RequestTemplates.encode(ApiKeys.API_VERSIONS, (short) 3, new ApiVersionsRequestData())
              .payload();
      byte[] metadata =
          RequestTemplates.encode(ApiKeys.METADATA, (short) 12, new MetadataRequestData())
              .payload();
      ByteBuffer.wrap(apiVersions).putInt(4, 101);
      ByteBuffer.wrap(metadata).putInt(4, 102);
      byte[] garbage = {0x7f, 0x7f, 0, 0, 0, 0, 0, 103, 0, 0};
      ByteBuffer all = ByteBuffer.allocate(12 + apiVersions.length + metadata.length + 10);
      all.putInt(apiVersions.length).put(apiVersions);
      all.putInt(metadata.length).put(metadata);
      all.putInt(garbage.length).put(garbage);
      c.sendRaw(all.array()); // one write: the broker reads all three in one go

      assertThat(ByteBuffer.wrap(c.readFrame()).getInt(0)).isEqualTo(101);
      assertThat(ByteBuffer.wrap(c.readFrame()).getInt(0)).isEqualTo(102);
      assertThat(c.closedByBroker()).isTrue();
    }
  }
}
