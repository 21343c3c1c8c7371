package dev.ferry.storage.txn;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * What one cleaning pass knows about transactions, walking the cleanable range in offset order:
 * which data batches belong to aborted transactions (they go: a read_committed consumer never sees
 * them and read_uncommitted ones should not either once cleaned) and which markers no longer have
 * data (they go after {@code delete.retention.ms}, like tombstones, once consumers had time to see
 * them). Ongoing transactions are never in the range: it ends at the last stable offset.
 */
public final class CleanerTransactions {

  private final Map<Long, List<AbortedTxn>> abortedByProducer = new HashMap<>();

  /** Producers whose current transaction (in walking order) has retained data. */
  private final Set<Long> withRetainedData = new HashSet<>();

  public CleanerTransactions(List<AbortedTxn> aborted) {
    for (AbortedTxn t : aborted) {
      abortedByProducer.computeIfAbsent(t.producerId(), id -> new ArrayList<>()).add(t);
    }
  }

  /** A data batch of an aborted transaction. */
  public boolean isAborted(RecordBatch batch) {
    if (!batch.isTransactional() || batch.isControlBatch()) {
      return false;
    }
    List<AbortedTxn> list = abortedByProducer.get(batch.producerId());
    if (list == null) {
      return false;
    }
    long base = batch.baseOffset();
    for (AbortedTxn t : list) {
      if (t.firstOffset() <= base && base < t.lastOffset()) {
        return true;
      }
    }
    return false;
  }

  /** A transactional data record was kept. */
  public void retained(RecordBatch batch) {
    if (batch.isTransactional() && !batch.isControlBatch()) {
      withRetainedData.add(batch.producerId());
    }
  }

  /** At a marker: whether its transaction has no data left, ending that transaction in the walk. */
  public boolean markerOfEmptyTransaction(RecordBatch marker) {
    return !withRetainedData.remove(marker.producerId());
  }
}
