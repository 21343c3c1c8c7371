package dev.ferry.storage.txn;

import dev.ferry.storage.producer.ProducerStateManager;
import java.io.IOException;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.EndTransactionMarker;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * The transactional view of one log: where its last stable offset (LSO) is and which transactions
 * were aborted.
 *
 * <p>The LSO is the high watermark, held back by the first offset of the oldest transaction that is
 * still open, and of any ended transaction whose marker the high watermark has not passed yet
 * (until the marker is replicated, a new leader could still see that transaction as open). A log
 * with no transactions pays one volatile read per LSO query.
 *
 * <p>Aborts are indexed per segment ({@link TransactionIndex}) as their markers are written, so a
 * read_committed fetch can tell the consumer which producers' data to drop.
 *
 * <p>Writers (marker application, resets) run under the owning log's lock; {@link
 * #lastStableOffset} runs on fetch threads.
 */
public final class LogTransactions {

  /** Open transactions' first offset, oldest; -1 if none (published after each append). */
  private volatile long firstOngoing = -1;

  /** Ended transactions whose marker is not yet below the high watermark: first → marker. */
  private final TreeMap<Long, Long> endedAwaitingHw = new TreeMap<>();

  private volatile boolean anyEndedAwaitingHw;

  /** After an append (a transactional batch may have opened a transaction). Caller holds lock. */
  public void afterAppend(ProducerStateManager producers) {
    firstOngoing = producers.firstOngoingOffset();
  }

  /**
   * After a marker is written: an abort is indexed in the segment holding the marker, and the
   * transaction keeps the LSO back until the high watermark passes its marker.
   */
  public void afterMarker(
      ProducerStateManager producers,
      ProducerStateManager.CompletedTxn ended,
      TransactionIndex index,
      long lastStableOffset)
      throws IOException {
    if (ended != null) {
      if (ended.aborted()) {
        index.append(
            new AbortedTxn(
                ended.producerId(), ended.firstOffset(), ended.markerOffset(), lastStableOffset));
      }
      synchronized (this) {
        endedAwaitingHw.put(ended.firstOffset(), ended.markerOffset());
        anyEndedAwaitingHw = true;
      }
    }
    firstOngoing = producers.firstOngoingOffset();
  }

  /** After the producer state was rebuilt (load, truncation). Caller holds the log's lock. */
  public void reset(ProducerStateManager producers) {
    synchronized (this) {
      endedAwaitingHw.clear();
      anyEndedAwaitingHw = false;
    }
    firstOngoing = producers.firstOngoingOffset();
  }

  public long lastStableOffset(long highWatermark) {
    long lso = highWatermark;
    long first = firstOngoing;
    if (first >= 0) {
      lso = Math.min(lso, first);
    }
    if (anyEndedAwaitingHw) {
      synchronized (this) {
        Iterator<Map.Entry<Long, Long>> it = endedAwaitingHw.entrySet().iterator();
        while (it.hasNext()) {
          if (it.next().getValue() < highWatermark) {
            it.remove();
          }
        }
        if (endedAwaitingHw.isEmpty()) {
          anyEndedAwaitingHw = false;
        } else {
          lso = Math.min(lso, endedAwaitingHw.firstKey());
        }
      }
    }
    return lso;
  }

  /** A marker batch's outcome: whether it aborts, and the coordinator epoch it carries. */
  public record Marker(boolean abort, int coordinatorEpoch) {}

  /** Reads the marker record of a control batch; null for control batches that are not markers. */
  public static Marker parseMarker(RecordBatch controlBatch) {
    Iterator<Record> it = controlBatch.iterator();
    if (!it.hasNext()) {
      return null;
    }
    Record r = it.next();
    if (!r.hasKey()) {
      return null;
    }
    ControlRecordType type = ControlRecordType.parse(r.key());
    if (type != ControlRecordType.COMMIT && type != ControlRecordType.ABORT) {
      return null;
    }
    EndTransactionMarker m = EndTransactionMarker.deserialize(r);
    return new Marker(type == ControlRecordType.ABORT, m.coordinatorEpoch());
  }
}
