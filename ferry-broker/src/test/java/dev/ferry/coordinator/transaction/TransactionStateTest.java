package dev.ferry.coordinator.transaction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TransactionStateTest {

  @Test
  void legalTransitionsAreExactlyKafkas() {
    assertThat(TransactionState.PREPARE_COMMIT.validPrevious())
        .containsExactly(TransactionState.ONGOING);
    assertThat(TransactionState.COMPLETE_COMMIT.validPrevious())
        .containsExactly(TransactionState.PREPARE_COMMIT);
    assertThat(TransactionState.COMPLETE_ABORT.validPrevious())
        .containsExactly(TransactionState.PREPARE_ABORT);
    assertThat(TransactionState.PREPARE_EPOCH_FENCE.validPrevious())
        .containsExactly(TransactionState.ONGOING);
    assertThat(TransactionState.ONGOING.validPrevious())
        .containsExactlyInAnyOrder(
            TransactionState.ONGOING,
            TransactionState.EMPTY,
            TransactionState.COMPLETE_COMMIT,
            TransactionState.COMPLETE_ABORT);
  }

  @Test
  void everyIllegalTransitionFailsLoudly() {
    for (TransactionState to : TransactionState.values()) {
      Set<TransactionState> illegal = EnumSet.complementOf(EnumSet.copyOf(to.validPrevious()));
      for (TransactionState from : illegal) {
        assertThatThrownBy(() -> to.checkTransitionFrom(from, "t"))
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining(from.kafkaName())
            .hasMessageContaining(to.kafkaName());
      }
      for (TransactionState from : to.validPrevious()) {
        to.checkTransitionFrom(from, "t"); // no exception
      }
    }
  }

  @Test
  void namesAndIdsRoundTrip() {
    for (TransactionState s : TransactionState.values()) {
      assertThat(TransactionState.byId(s.id())).contains(s);
      assertThat(TransactionState.byKafkaName(s.kafkaName().toUpperCase())).contains(s);
    }
    assertThat(TransactionState.ONGOING.kafkaName()).isEqualTo("Ongoing");
    assertThat(TransactionState.PREPARE_EPOCH_FENCE.id()).isEqualTo((byte) 7);
  }

  @Test
  void metadataRefusesAnIllegalStepBeforeWriting() {
    TransactionMetadata m =
        new TransactionMetadata(
            "t",
            new TransactionRecord(
                1,
                -1,
                -1,
                (short) 0,
                (short) -1,
                1000,
                TransactionState.EMPTY,
                Set.of(),
                -1,
                0,
                (byte) 0));
    TransactionRecord commit = m.current().withState(TransactionState.PREPARE_COMMIT, 1);
    assertThatThrownBy(() -> m.prepare(commit)).isInstanceOf(IllegalStateException.class);
    assertThat(m.hasPendingWrite()).isFalse();
  }
}
