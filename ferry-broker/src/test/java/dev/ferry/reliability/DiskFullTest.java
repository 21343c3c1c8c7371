package dev.ferry.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ferry.it.BrokerProcess;
import dev.ferry.it.Records;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A log dir that fills up (a 16 MiB tmpfs, so it needs root and mount) goes offline, as in Kafka:
 * produce to its partition fails with KAFKA_STORAGE_ERROR, the broker's other log dir keeps
 * serving, the controller is told and takes the replica's leadership away (its only replica: the
 * partition has no leader), the dir stays offline when space returns (its files may no longer match
 * what the broker had in memory), and after a restart — whose recovery checks the dir — nothing
 * written before is damaged and producing goes on at the next offset. The broker runs in its own
 * JVM: a write to a memory-mapped index on a full tmpfs raises SIGBUS, which must not take the test
 * JVM down with it.
 *
 * <p>The embedded ZooKeeper lives in the first log dir, so the broker gets two: a normal one first
 * (ZooKeeper, and a filler topic that makes the tmpfs the least loaded dir) and the tmpfs second. A
 * broker whose every log dir fails halts instead; the cluster fault runner's {@code DISK_FULL}
 * checks that case (one log dir per broker).
 */
@Tag("slow")
class DiskFullTest {

  private static final int CANARY_RECORDS = 100;

  @TempDir Path dir;

  @Test
  void aFullLogDirGoesOfflineAloneAndIsServedAgainAfterARestart() throws Exception {
    Path small = dir.resolve("small");
    Files.createDirectories(small);
    assumeTrue(
        run("mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", small.toString()) == 0,
        "cannot mount a tmpfs here (needs root); disk-full behaviour not tested");
    try {
      diskFullScenario(small);
    } finally {
      run("umount", "-l", small.toString());
    }
  }

  private void diskFullScenario(Path small) throws Exception {
    int port = BrokerProcess.freePort();
    String bootstrap = "127.0.0.1:" + port;
    Map<String, String> config = new HashMap<>();
    config.put("listeners", "PLAINTEXT://127.0.0.1:" + port);
    config.put("log.dirs", dir.resolve("big") + "," + small);
    config.put("auto.create.topics.enable", "false");
    config.put("num.network.threads", "2");
    // Small preallocated indexes: the mapped index must fit on the small disk too.
    config.put("log.index.size.max.bytes", "65536");
    Canary canary = new Canary("canary", CANARY_RECORDS);
    try (BrokerProcess broker = BrokerProcess.start(config)) {
      try (Admin admin =
          Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
        admin.createTopics(List.of(new NewTopic("filler", 1, (short) 1))).all().get();
        admin.createTopics(List.of(new NewTopic("canary", 1, (short) 1))).all().get();
      }
      assertThat(small.resolve("canary-0")).isDirectory();
      canary.write(bootstrap);

      Path ballast = small.resolve("ballast");
      long filled = fill(ballast);
      assertThat(Files.getFileStore(small).getUsableSpace()).isLessThan(4096);

      try (KafkaProducer<byte[], byte[]> p = noRetryProducer(bootstrap)) {
        assertThat(produceFailure(p, "x".repeat(20_000)))
            .as("produce to a full disk")
            .isInstanceOf(KafkaStorageException.class);
        assertThat(broker.isAlive()).as("broker survives: its other log dir is live").isTrue();
        assertThat(
                p.send(new ProducerRecord<>("filler", 0, null, Records.utf8("other dir")))
                    .get(30, TimeUnit.SECONDS)
                    .offset())
            .as("the other log dir's partition")
            .isEqualTo(0);
        // The broker tells the controller, which takes the replica's leadership away: with no
        // other replica the partition is offline (no leader), as in Kafka's ZooKeeper mode.
        try (Admin admin =
            Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
          await()
              .atMost(Duration.ofSeconds(30))
              .ignoreExceptions()
              .until(() -> leaderOfCanary(admin) == null);
          Files.delete(ballast);
          assertThat(leaderOfCanary(admin))
              .as("the dir stays offline until a restart, as in Kafka")
              .isNull();
        }
      }
      assertThat(broker.output())
          .anySatisfy(l -> assertThat(l).contains("I/O error trying to append to log", "canary-0"))
          .anySatisfy(l -> assertThat(l).contains("No space left on device"))
          .anySatisfy(
              l -> assertThat(l).contains("Partitions [canary-0] are offline", small.toString()));
      System.out.printf("Disk full: %,d bytes of ballast filled the log dir%n", filled);
    }
    // The restart recovers the dir: the data before the full disk, and the next offset.
    try (BrokerProcess again = BrokerProcess.start(config)) {
      assertThat(canary.verify(bootstrap))
          .as("data before the full disk")
          .isEqualTo(CANARY_RECORDS);
      try (KafkaProducer<byte[], byte[]> p = Canary.producer(bootstrap)) {
        long offset =
            p.send(new ProducerRecord<>("canary", 0, null, Records.utf8("space is back")))
                .get(30, TimeUnit.SECONDS)
                .offset();
        assertThat(offset)
            .as("next offset, nothing half-written left behind")
            .isEqualTo(CANARY_RECORDS);
      }
      assertThat(canary.verify(bootstrap)).isEqualTo(CANARY_RECORDS + 1);
    }
  }

  /** The leader of canary-0 as the broker's metadata says, or null if it has none. */
  private static org.apache.kafka.common.Node leaderOfCanary(Admin admin) throws Exception {
    org.apache.kafka.common.Node leader =
        admin
            .describeTopics(List.of("canary"))
            .allTopicNames()
            .get(10, TimeUnit.SECONDS)
            .get("canary")
            .partitions()
            .get(0)
            .leader();
    return leader == null || leader.isEmpty() ? null : leader;
  }

  /** The cause of a failed send to the canary partition (null if it succeeded). */
  private static Throwable produceFailure(KafkaProducer<byte[], byte[]> p, String value) {
    Throwable failure =
        catchThrowable(
            () ->
                p.send(new ProducerRecord<>("canary", 0, null, Records.utf8(value)))
                    .get(30, TimeUnit.SECONDS));
    assertThat(failure).isInstanceOf(ExecutionException.class);
    return failure.getCause();
  }

  /** Writes {@code file} until the filesystem refuses more; returns the bytes written. */
  private static long fill(Path file) throws IOException {
    byte[] chunk = new byte[64 * 1024];
    long written = 0;
    try (OutputStream out = Files.newOutputStream(file)) {
      while (true) {
        out.write(chunk);
        written += chunk.length;
      }
    } catch (IOException e) {
      // No space left: full. Top up byte-sized remainders too.
      try (OutputStream out =
          Files.newOutputStream(file, java.nio.file.StandardOpenOption.APPEND)) {
        while (true) {
          out.write(new byte[512]);
          out.flush();
          written += 512;
        }
      } catch (IOException full) {
        return written;
      }
    }
  }

  private static KafkaProducer<byte[], byte[]> noRetryProducer(String bootstrap) {
    Map<String, Object> p = new HashMap<>();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
    p.put(ProducerConfig.RETRIES_CONFIG, 0);
    return new KafkaProducer<>(p);
  }

  private static int run(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    p.getInputStream().readAllBytes();
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return -1;
    }
    return p.exitValue();
  }
}
