package dev.ferry.storage.segment;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BatchShapeTest {

  private final BatchShape shape = new BatchShape();
  private static final int SLACK = BatchHeader.SIZE + BatchShape.READ_SLACK;

  @Test
  void beforeAnyBatchIsPublishedEstimatesAreUnbounded() {
    shape.sample(1_000, 10);
    assertThat(shape.readEndForOffsets(0, 100))
        .as("sampled, not published")
        .isEqualTo(Long.MAX_VALUE);
    assertThat(shape.readEndForBytes(0, 5_000, 9_999)).isEqualTo(9_999);
  }

  @Test
  void theEstimateIsTheTypicalDistancePlusAQuarterAndTheSlack() {
    shape.sample(1_000, 10);
    shape.publish();

    // 100 offsets ahead at 10 per 1000-byte batch: 10,000 bytes, plus 2,500, plus the slack.
    assertThat(shape.readEndForOffsets(4_096, 100)).isEqualTo(4_096 + 10_000 + 2_500 + SLACK);
    assertThat(shape.readEndForOffsets(0, -5)).as("never behind").isEqualTo(SLACK);
    // 5,500 bytes to the limit: five whole batches, 5,000 bytes.
    assertThat(shape.readEndForBytes(0, 5_500, Long.MAX_VALUE)).isEqualTo(5_000 + 1_250 + SLACK);
    assertThat(shape.readEndForBytes(0, 5_500, 5_561)).as("capped").isEqualTo(5_561);
  }

  @Test
  void laterBatchesMoveTheAverageByAnEighthOfTheirDifference() {
    shape.sample(1_000, 8);
    shape.sample(1_800, 16);
    shape.publish();

    // 1000 + (1800 - 1000) / 8 = 1100 bytes, 8 + (16 - 8) / 8 = 9 offsets per batch.
    assertThat(shape.readEndForOffsets(0, 90)).isEqualTo(11_000 + 2_750 + SLACK);
  }
}
