package dev.ferry.metadata.zk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ferry.metadata.PartitionState;
import dev.ferry.metadata.ProducerIdBlock;
import dev.ferry.metadata.TopicMetadata;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.management.ObjectName;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.kafka.common.KafkaException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedZooKeeperTest {

  @TempDir Path dir;

  @Test
  void startsOnFreeLoopbackPortServesClientsAndStopsCleanly() throws Exception {
    long start = System.nanoTime();
    EmbeddedZooKeeper zk = EmbeddedZooKeeper.start(dir.resolve("zk"), 0);
    long startMs = (System.nanoTime() - start) / 1_000_000;
    int port;
    try {
      port = zk.port();
      assertThat(port).isPositive();
      assertThat(zk.connectString()).isEqualTo("127.0.0.1:" + port);
      assertThat(startMs).as("start time in ms").isLessThan(5_000);
      System.out.println("Embedded ZooKeeper started in " + startMs + " ms");

      try (CuratorFramework client =
          CuratorFrameworkFactory.newClient(
              zk.connectString(), 5_000, 5_000, new RetryOneTime(100))) {
        client.start();
        assertThat(client.blockUntilConnected(5, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        client.create().forPath("/hello", "world".getBytes(StandardCharsets.UTF_8));
        assertThat(new String(client.getData().forPath("/hello"), StandardCharsets.UTF_8))
            .isEqualTo("world");
      }
      assertThat(ZkTestSupport.liveZooKeeperServerThreads()).isNotEmpty();
      assertThat(Files.isDirectory(dir.resolve("zk").resolve("version-2"))).isTrue();
    } finally {
      zk.close();
    }
    zk.close(); // idempotent

    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(() -> assertThat(ZkTestSupport.liveZooKeeperServerThreads()).isEmpty());
    assertThatThrownBy(
            () -> {
              try (Socket socket = new Socket()) {
                socket.connect(
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1_000);
              }
            })
        .isInstanceOf(java.io.IOException.class);
  }

  @Test
  void registersNoMBeansForTheServerOrItsConnections() throws Exception {
    try (EmbeddedZooKeeper zk = EmbeddedZooKeeper.start(dir.resolve("zk"), 0);
        CuratorFramework client =
            CuratorFrameworkFactory.newClient(
                zk.connectString(), 5_000, 5_000, new RetryOneTime(100))) {
      client.start();
      assertThat(client.blockUntilConnected(5, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
      client.create().forPath("/jmx", new byte[0]);
      // ZooKeeper names a standalone server's beans after its client port, connections below it.
      ObjectName ours =
          new ObjectName(
              "org.apache.ZooKeeperService:name0=StandaloneServer_port" + zk.port() + ",*");
      assertThat(ManagementFactory.getPlatformMBeanServer().queryNames(ours, null)).isEmpty();
      assertThat(client.getChildren().forPath("/")).contains("jmx");
    }
  }

  @Test
  void servesRequestsWithoutAWorkerPoolAndLeavesTheSettingUnset() throws Exception {
    try (EmbeddedZooKeeper zk = EmbeddedZooKeeper.start(dir.resolve("zk"), 0);
        CuratorFramework client =
            CuratorFrameworkFactory.newClient(
                zk.connectString(), 5_000, 5_000, new RetryOneTime(100))) {
      client.start();
      assertThat(client.blockUntilConnected(5, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
      client.create().forPath("/io", "on the selector".getBytes(StandardCharsets.UTF_8));
      assertThat(new String(client.getData().forPath("/io"), StandardCharsets.UTF_8))
          .isEqualTo("on the selector");
      assertThat(Thread.getAllStackTraces().keySet())
          .extracting(Thread::getName)
          .noneMatch(name -> name.startsWith("NIOWorkerThread-"));
    }
    assertThat(System.getProperty(EmbeddedZooKeeper.WORKER_THREADS)).isNull();
  }

  @Test
  void keepsTheJvmWideUncaughtExceptionHandler() {
    Thread.UncaughtExceptionHandler mine = (t, e) -> {};
    Thread.UncaughtExceptionHandler before = Thread.getDefaultUncaughtExceptionHandler();
    Thread.setDefaultUncaughtExceptionHandler(mine);
    try (EmbeddedZooKeeper zk = EmbeddedZooKeeper.start(dir.resolve("zk"), 0)) {
      assertThat(zk.port()).isPositive();
      assertThat(Thread.getDefaultUncaughtExceptionHandler()).isSameAs(mine);
      assertThat(System.getProperty("zookeeper.admin.enableServer")).isEqualTo("false");
    } finally {
      Thread.setDefaultUncaughtExceptionHandler(before);
    }
  }

  @Test
  void failedStartLeavesNoServerThreads() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      assertThatThrownBy(() -> EmbeddedZooKeeper.start(dir.resolve("zk"), taken.getLocalPort()))
          .isInstanceOf(KafkaException.class)
          .hasMessageContaining("127.0.0.1:" + taken.getLocalPort());
    }
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(() -> assertThat(ZkTestSupport.liveZooKeeperServerThreads()).isEmpty());
  }

  @Test
  void metadataSurvivesRestartOnTheSameDirectory() {
    Path data = dir.resolve("zk");
    String clusterId;
    TopicMetadata created;
    try (EmbeddedZooKeeper zk = EmbeddedZooKeeper.start(data, 0);
        ZkMetadataStore store = ZkMetadataStore.connect(zk.connectString(), 6_000)) {
      clusterId = store.clusterId();
      created =
          store.createTopic(
              "orders", Map.of(0, List.of(1), 1, List.of(1)), Map.of("retention.ms", "1000"));
      store.allocateProducerIdBlock(1, 1000);
    }

    try (EmbeddedZooKeeper zk = EmbeddedZooKeeper.start(data, 0);
        ZkMetadataStore store = ZkMetadataStore.connect(zk.connectString(), 6_000)) {
      assertThat(store.clusterId()).isEqualTo(clusterId);
      assertThat(store.topic("orders")).contains(created);
      assertThat(store.topic(created.topicId())).contains(created);
      assertThat(store.partitionState("orders", 1))
          .contains(new PartitionState(1, 0, List.of(1), 0, 0));
      assertThat(store.allocateProducerIdBlock(1, 1000))
          .isEqualTo(new ProducerIdBlock(1, 1000, 1000));
    }
  }
}
