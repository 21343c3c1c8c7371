package dev.ferry.metadata.zk;

import java.util.List;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.OpResult;

/**
 * Turns ZooKeeper and Curator failures into Kafka exceptions, so that callers (API handlers) only
 * ever see exceptions that map to a Kafka error code.
 */
final class ZkErrors {

  private ZkErrors() {}

  /**
   * @param action what we were doing, for the message ("creating topic foo")
   */
  static KafkaException translate(String action, Throwable e) {
    if (e instanceof KafkaException kafka) {
      return kafka;
    }
    if (e instanceof InterruptedException interrupted) {
      Thread.currentThread().interrupt();
      return new InterruptException("Interrupted while " + action, interrupted);
    }
    if (e instanceof KeeperException keeper) {
      return switch (keeper.code()) {
        case CONNECTIONLOSS, SESSIONEXPIRED, SESSIONMOVED, OPERATIONTIMEOUT, REQUESTTIMEOUT ->
            new TimeoutException(
                "ZooKeeper unavailable while " + action + " (" + keeper.code() + ")", keeper);
        default ->
            new KafkaException("ZooKeeper error while " + action + ": " + describe(keeper), keeper);
      };
    }
    return new KafkaException("Unexpected error while " + action + ": " + e, e);
  }

  /**
   * The index of the operation that made a ZooKeeper multi-operation fail, or -1 if unknown. The
   * failing operation carries the real error; the others carry OK or RUNTIMEINCONSISTENCY.
   */
  static int failedOp(KeeperException e) {
    List<OpResult> results = e.getResults();
    if (results == null) {
      return -1;
    }
    for (int i = 0; i < results.size(); i++) {
      if (results.get(i) instanceof OpResult.ErrorResult error
          && error.getErr() != KeeperException.Code.OK.intValue()
          && error.getErr() != KeeperException.Code.RUNTIMEINCONSISTENCY.intValue()) {
        return i;
      }
    }
    return -1;
  }

  private static String describe(KeeperException e) {
    return e.getPath() == null ? e.code().toString() : e.code() + " at " + e.getPath();
  }
}
