package dev.ferry.coordinator.transaction;

import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends transactions: the Prepare state made durable (what EndTxn, a timeout or a fencing
 * InitProducerId waits for), then the markers on every partition of the transaction, then the
 * Complete state. Under transactions v2 the epoch is bumped at the Prepare step. A coordinator that
 * loads a partition resumes here for every transaction it finds prepared.
 */
final class TransactionCompleter {

  private static final Logger log = LoggerFactory.getLogger(TransactionCompleter.class);

  private final Time time;
  private final TransactionPartitions partitions;
  private final TransactionStateWriter writer;
  private volatile TransactionMarkerSender markers;

  TransactionCompleter(Time time, TransactionPartitions partitions, TransactionStateWriter writer) {
    this.time = time;
    this.partitions = partitions;
    this.writer = writer;
  }

  void setMarkerSender(TransactionMarkerSender markers) {
    this.markers = markers;
  }

  /**
   * Writes PrepareCommit/PrepareAbort, then sends the markers and writes the Complete state.
   * Completes once the prepare state is durable (what the client waits for). Caller holds m.
   *
   * @param fenced the epoch was already bumped by PrepareEpochFence (no second bump)
   */
  CompletableFuture<TransactionResult> startEnd(
      OwnedPartition p, TransactionMetadata m, boolean commit, boolean fenced) {
    TransactionRecord c = m.current();
    boolean bump = c.usesV2() && !fenced;
    short epoch = bump ? (short) (c.producerEpoch() + 1) : c.producerEpoch();
    short lastEpoch = bump ? c.producerEpoch() : c.lastProducerEpoch();
    long now = time.milliseconds();
    TransactionRecord prepare =
        m.prepare(
            new TransactionRecord(
                c.producerId(),
                c.previousProducerId(),
                c.nextProducerId(),
                epoch,
                lastEpoch,
                c.timeoutMs(),
                commit ? TransactionState.PREPARE_COMMIT : TransactionState.PREPARE_ABORT,
                c.partitions(),
                c.startTimestamp(),
                now,
                c.clientTransactionVersion()));
    return writer
        .write(p, m, prepare)
        .thenApply(
            error -> {
              if (error != Errors.NONE) {
                return TransactionResult.error(error);
              }
              synchronized (m) {
                sendMarkersThenComplete(p, m, prepare);
              }
              return new TransactionResult(Errors.NONE, prepare.producerId(), epoch);
            });
  }

  /** Markers for a durable prepare state, then the Complete state. Caller holds m. */
  void sendMarkersThenComplete(OwnedPartition p, TransactionMetadata m, TransactionRecord prepare) {
    boolean commit = prepare.state() == TransactionState.PREPARE_COMMIT;
    CompletableFuture<Void> sent =
        prepare.partitions().isEmpty()
            ? CompletableFuture.completedFuture(null)
            : markers.send(
                new TransactionMarkerSender.Markers(
                    prepare.producerId(),
                    prepare.producerEpoch(),
                    commit,
                    p.coordinatorEpoch,
                    prepare.clientTransactionVersion(),
                    prepare.partitions()),
                () -> partitions.isCurrent(p));
    sent.whenComplete(
        (ok, err) -> {
          if (err != null || !partitions.isCurrent(p)) {
            log.debug("Markers of {} not completed here: {}", m.transactionalId, err);
            return;
          }
          TransactionRecord complete;
          synchronized (m) {
            if (m.current() != prepare || m.hasPendingWrite()) {
              return;
            }
            complete =
                m.prepare(
                    new TransactionRecord(
                        prepare.producerId(),
                        prepare.previousProducerId(),
                        prepare.nextProducerId(),
                        prepare.producerEpoch(),
                        prepare.lastProducerEpoch(),
                        prepare.timeoutMs(),
                        commit ? TransactionState.COMPLETE_COMMIT : TransactionState.COMPLETE_ABORT,
                        Set.of(),
                        -1,
                        time.milliseconds(),
                        prepare.clientTransactionVersion()));
          }
          writer
              .write(p, m, complete)
              .thenAccept(
                  error -> {
                    if (error != Errors.NONE) {
                      // Retried by whoever loads the partition next (or the next timeout pass).
                      log.warn(
                          "Could not complete transaction of {}: {}", m.transactionalId, error);
                    }
                  });
        });
  }
}
