package dev.ferry.metadata.zk;

import dev.ferry.metadata.ControllerElection;
import dev.ferry.metadata.ControllerEpoch;
import java.io.IOException;
import java.util.concurrent.Executor;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.framework.recipes.leader.LeaderLatchListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This broker's candidacy for controller: a Curator {@link LeaderLatch} under {@code
 * /ferry/controller}. The latch treats a suspended ZooKeeper connection as lost leadership, and
 * closing it hands the role over at once; a crashed controller is replaced when its session
 * expires. Leadership alone is not trusted for writes: see {@link ControllerEpoch}.
 */
final class ZkControllerElection implements ControllerElection {

  private static final Logger log = LoggerFactory.getLogger(ZkControllerElection.class);

  private final LeaderLatch latch;
  private final int brokerId;

  ZkControllerElection(
      CuratorFramework client, int brokerId, Listener listener, Executor executor) {
    this.brokerId = brokerId;
    this.latch =
        new LeaderLatch(
            client, ZkPaths.CONTROLLER, String.valueOf(brokerId), LeaderLatch.CloseMode.SILENT);
    latch.addListener(
        new LeaderLatchListener() {
          @Override
          public void isLeader() {
            listener.onElected();
          }

          @Override
          public void notLeader() {
            listener.onResigned();
          }
        },
        executor);
  }

  @Override
  public void start() {
    try {
      latch.start();
    } catch (Exception e) {
      throw ZkErrors.translate("joining the controller election", e);
    }
  }

  @Override
  public boolean isController() {
    return latch.hasLeadership();
  }

  @Override
  public void close() {
    try {
      latch.close();
      log.info("Broker {} left the controller election", brokerId);
    } catch (IOException | IllegalStateException e) {
      log.debug("Closing the controller latch: {}", e.toString());
    }
  }
}
