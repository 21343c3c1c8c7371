package dev.ferry.bench.workload;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.common.record.internal.DefaultRecord;
import org.apache.kafka.common.record.internal.DefaultRecordBatch;
import org.junit.jupiter.api.Test;

class PayloadsTest {

  @Test
  void everyPayloadHasTheRequestedSizeAndTheSameSeedGivesTheSameBytes() {
    Payloads a = Payloads.text(200, 7);
    Payloads b = Payloads.text(200, 7);
    for (long i = 0; i < 3000; i += 7) {
      assertThat(a.get(i)).hasSize(200).isEqualTo(b.get(i));
    }
    assertThat(a.get(0)).isNotEqualTo(a.get(1));
    assertThat(a.get(0)).isSameAs(a.get(1024)); // a fixed pool: nothing allocated per message
  }

  @Test
  void paperRecordSizeMatchesTheWireFormat() {
    org.apache.kafka.common.header.Header[] none = new org.apache.kafka.common.header.Header[0];
    // offsets 0..49 and timestamp deltas below 64 ms: one-byte varints, as in a batch of 50
    assertThat(DefaultRecord.sizeInBytes(0, 0, -1, 200, none))
        .isEqualTo(DefaultRecord.sizeInBytes(49, 63, -1, 200, none))
        .isEqualTo(ClientConfigs.PAPER_RECORD_BYTES);
    assertThat(DefaultRecordBatch.RECORD_BATCH_OVERHEAD)
        .isEqualTo(ClientConfigs.BATCH_HEADER_BYTES);
  }

  @Test
  void batchOf50SizeFitsFiftyPaperRecordsButNotFiftyOne() {
    int batchSize = Integer.parseInt(ClientConfigs.paperBatchOf50("x:1").getProperty("batch.size"));
    int fifty = ClientConfigs.BATCH_HEADER_BYTES + 50 * ClientConfigs.PAPER_RECORD_BYTES;
    assertThat(batchSize).isGreaterThanOrEqualTo(fifty);
    assertThat(batchSize).isLessThan(fifty + ClientConfigs.PAPER_RECORD_BYTES);
  }
}
