package dev.ferry.coordinator.share;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileShareStateStoreTest {

  @TempDir Path dir;

  @Test
  void listsAGroupsKeysAndForgetsDeletedOnes() throws Exception {
    FileShareStateStore store = new FileShareStateStore(dir);
    // a topic id whose text has '-' in it, as base64url ids may
    Uuid dashed = Uuid.fromString("AAAAAAAAAAAAAAAAAAAA-w");
    Uuid other = Uuid.randomUuid();
    SharePartitionKey a = new SharePartitionKey("g-1", new TopicIdPartition(dashed, 3, "t"));
    SharePartitionKey b = new SharePartitionKey("g-1", new TopicIdPartition(other, 0, "u"));
    SharePartitionKey elsewhere =
        new SharePartitionKey("g-10", new TopicIdPartition(other, 0, "u"));
    ShareStateSnapshot state =
        new ShareStateSnapshot(
            7, List.of(new ShareStateSnapshot.Run(8, 9, SharePartition.ACKNOWLEDGED, (short) 1)));
    store.write(a, state);
    store.write(b, state);
    store.write(elsewhere, state);

    assertThat(store.keys("g-1"))
        .extracting(k -> k.partition().topicId() + "/" + k.partition().partition())
        .containsExactlyInAnyOrder(dashed + "/3", other + "/0");
    assertThat(store.read(a)).contains(state);
    assertThat(state.deliveryCompleteCount()).isEqualTo(2);

    store.delete(a);
    store.delete(a); // nothing to delete: no error
    assertThat(store.read(a)).isEmpty();
    assertThat(store.keys("g-1")).extracting(k -> k.partition().topicId()).containsExactly(other);
    assertThat(store.keys("g-10")).hasSize(1);
  }
}
