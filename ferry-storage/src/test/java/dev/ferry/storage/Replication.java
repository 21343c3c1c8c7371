package dev.ferry.storage;

import dev.ferry.storage.epoch.LeaderEpochCache;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.record.internal.FileRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Records;

/** What a replica fetcher does with the storage API, for the replication tests. */
final class Replication {

  private Replication() {}

  /** The bytes of {@code records} (a fetch result) as a buffer the follower can append. */
  static MemoryRecords copy(Records records) {
    ByteBuffer buf = ByteBuffer.allocate(records.sizeInBytes());
    try {
      if (records instanceof FileRecords f) {
        f.readInto(buf, 0);
      } else {
        buf.put(((MemoryRecords) records).buffer().duplicate());
        buf.flip();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return MemoryRecords.readableRecords(buf);
  }

  /**
   * Every fetch response a follower would get reading {@code leader} from {@code from} to its log
   * end with {@code maxBytes} per fetch (a read stops at a segment end).
   */
  static List<MemoryRecords> fetches(PartitionLog leader, long from, int maxBytes) {
    List<MemoryRecords> out = new ArrayList<>();
    long next = from;
    for (int guard = 0; next < leader.logEndOffset() && guard < 10_000; guard++) {
      MemoryRecords part = copy(leader.read(next, maxBytes, Long.MAX_VALUE, true).records());
      out.add(part);
      for (var b : part.batches()) {
        next = b.nextOffset();
      }
    }
    if (next != leader.logEndOffset()) {
      throw new IllegalStateException("fetch loop did not reach the log end");
    }
    return out;
  }

  /** Replicates {@code leader} from the follower's log end to the leader's, as a fetcher would. */
  static void catchUp(PartitionLog follower, PartitionLog leader, int maxBytes) {
    for (MemoryRecords part : fetches(leader, follower.logEndOffset(), maxBytes)) {
      follower.appendAsFollower(part);
    }
  }

  /** All batches of the log, from the log start to the log end, as one byte array. */
  static byte[] allBytes(PartitionLog log) {
    List<MemoryRecords> parts = fetches(log, log.logStartOffset(), 1 << 20);
    int size = parts.stream().mapToInt(MemoryRecords::sizeInBytes).sum();
    ByteBuffer all = ByteBuffer.allocate(size);
    for (MemoryRecords p : parts) {
      all.put(p.buffer().duplicate());
    }
    return all.array();
  }

  static List<String> epochCheckpoint(PartitionLog log) throws IOException {
    return Files.readAllLines(log.dir().resolve(LeaderEpochCache.FILE_NAME));
  }

  static Path epochFile(PartitionLog log) {
    return log.dir().resolve(LeaderEpochCache.FILE_NAME);
  }
}
