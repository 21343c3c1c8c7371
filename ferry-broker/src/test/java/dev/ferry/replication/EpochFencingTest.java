package dev.ferry.replication;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.FencedLeaderEpochException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.UnknownLeaderEpochException;
import org.junit.jupiter.api.Test;

class EpochFencingTest {

  private static final TopicPartition TP = new TopicPartition("t", 3);

  @Test
  void theCurrentEpochOrNoneIsAcceptedOnTheLeaderOnly() {
    assertThatCode(() -> EpochFencing.check(true, 1, TP, 5, 5)).doesNotThrowAnyException();
    assertThatCode(() -> EpochFencing.check(true, 1, TP, 5, -1)).doesNotThrowAnyException();
    assertThatThrownBy(() -> EpochFencing.check(false, 1, TP, 5, 5))
        .isInstanceOf(NotLeaderOrFollowerException.class)
        .hasMessage("Broker 1 does not lead t-3");
  }

  @Test
  void anOlderEpochIsFencedAndANewerOneUnknown() {
    assertThatThrownBy(() -> EpochFencing.check(true, 1, TP, 5, 4))
        .isInstanceOf(FencedLeaderEpochException.class)
        .hasMessage("Leader epoch 4 of t-3 is older than the current 5");
    assertThatThrownBy(() -> EpochFencing.check(true, 1, TP, 5, 6))
        .isInstanceOf(UnknownLeaderEpochException.class)
        .hasMessage("Leader epoch 6 of t-3 is newer than the current 5");
  }
}
