package dev.ferry.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import dev.ferry.it.Records;
import dev.ferry.it.TestBroker;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Damaged files on disk, through a real broker and real clients: the broker restarts, logs what it
 * did, serves every record before the damage byte for byte, answers timestamp lookups, and appends
 * new records right after the last intact one.
 *
 * <p>The canary spans several small segments with dense indexes, so the damaged last segment and
 * its indexes are real ones. "Unclean" variants remove the clean-shutdown marker, so the broker
 * takes the recovery path rather than the trusted fast path.
 */
class DiskDamageTest {

  private static final int RECORDS = 200;
  private static final String TOPIC = "canary";

  enum Damage {
    TRUNCATED_SEGMENT(RECORDS - 1, "Truncating"),
    TRUNCATED_SEGMENT_UNCLEAN(RECORDS - 1, "Truncating"),
    ZERO_FILLED_TAIL(RECORDS, "Truncating"),
    ZERO_FILLED_TAIL_UNCLEAN(RECORDS, "Truncating"),
    CORRUPT_OFFSET_INDEX(RECORDS, "index"),
    CORRUPT_TIME_INDEX(RECORDS, "index"),
    MISSING_INDEXES(RECORDS, "is missing"),
    CORRUPT_PRODUCER_SNAPSHOT(RECORDS, "unreadable producer snapshot"),
    GARBAGE_CHECKPOINTS(RECORDS, "Malformed checkpoint");

    /** Records that must survive, and a fragment of the log line that says what was done. */
    final int intact;

    final String logged;

    Damage(int intact, String logged) {
      this.intact = intact;
      this.logged = logged;
    }
  }

  @TempDir Path dir;

  private Map<String, String> config() {
    return Map.of(
        "log.segment.bytes", "16384",
        "log.index.interval.bytes", "256",
        "auto.create.topics.enable", "false");
  }

  @ParameterizedTest
  @EnumSource(Damage.class)
  void brokerRestartsAndServesEverythingBeforeTheDamage(Damage damage) throws Exception {
    Canary canary = new Canary(TOPIC, RECORDS);
    try (TestBroker broker = TestBroker.start(dir, config())) {
      try (Admin admin = broker.admin()) {
        admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get();
      }
      canary.write(broker.bootstrap());
    } // clean shutdown
    Path partition = dir.resolve("logs").resolve(TOPIC + "-0");
    assertThat(files(partition, ".log")).as("several segments").hasSizeGreaterThan(3);
    damage(damage, partition);

    try (LogEvents logs = new LogEvents("dev.ferry");
        TestBroker broker = TestBroker.start(dir, config())) {
      String bootstrap = broker.bootstrap();
      assertThat(canary.verify(bootstrap, damage.intact))
          .as("end offset after recovery")
          .isEqualTo(damage.intact);
      try (KafkaConsumer<byte[], byte[]> c = Canary.consumer(bootstrap)) {
        TopicPartition tp = new TopicPartition(TOPIC, 0);
        int probe = damage.intact / 2 + 7;
        OffsetAndTimestamp found =
            c.offsetsForTimes(Map.of(tp, 1_700_000_000_000L + probe), Duration.ofSeconds(20))
                .get(tp);
        assertThat(found.offset()).as("offset for timestamp of record %d", probe).isEqualTo(probe);
      }
      try (KafkaProducer<byte[], byte[]> p = Canary.producer(bootstrap)) {
        long next =
            p.send(new ProducerRecord<>(TOPIC, 0, null, Records.utf8("after"))).get().offset();
        assertThat(next).as("next offset after the intact records").isEqualTo(damage.intact);
      }
      List<String> said = new ArrayList<>(logs.warnings());
      said.addAll(logs.errors());
      assertThat(said)
          .as("the broker says what it repaired")
          .anySatisfy(line -> assertThat(line).containsIgnoringCase(damage.logged));
      assertThat(logs.count(Level.ERROR)).as("errors logged: %s", logs.errors()).isZero();
    }
  }

  /**
   * Regression: recovery read segments in 1 MiB chunks and took a batch straddling a chunk boundary
   * for a partial batch, truncating everything after it: after any unclean stop, acknowledged (even
   * fsynced) data beyond the first MiB of a segment was lost. Found by the long fault-injection
   * run.
   */
  @Test
  void uncleanRestartKeepsEverythingInASegmentLargerThanTheRecoveryReadChunk() throws Exception {
    int records = 3_000; // ~1 KiB values in batches of varied size: ~3 MiB in one segment
    try (TestBroker broker = TestBroker.start(dir, Map.of("auto.create.topics.enable", "false"))) {
      try (Admin admin = broker.admin()) {
        admin.createTopics(List.of(new NewTopic("big", 1, (short) 1))).all().get();
      }
      try (KafkaProducer<byte[], byte[]> p = Canary.producer(broker.bootstrap())) {
        for (int i = 0; i < records; i++) {
          p.send(new ProducerRecord<>("big", 0, null, bigValue(i)));
          if (i % 97 == 0) {
            p.flush(); // vary the batch boundaries
          }
        }
        p.flush();
      }
    }
    Path partition = dir.resolve("logs").resolve("big-0");
    assertThat(files(partition, ".log")).hasSize(1);
    assertThat(Files.size(last(files(partition, ".log")))).isGreaterThan(2L << 20);
    Files.delete(dir.resolve("logs").resolve(".ferry_cleanshutdown")); // recover on start

    try (TestBroker broker = TestBroker.start(dir, Map.of("auto.create.topics.enable", "false"));
        KafkaConsumer<byte[], byte[]> c = Canary.consumer(broker.bootstrap())) {
      TopicPartition tp = new TopicPartition("big", 0);
      c.assign(List.of(tp));
      c.seek(tp, 0);
      var got = Records.pollUntil(c, records, Duration.ofSeconds(60));
      assertThat(got).hasSize(records);
      for (int i = 0; i < records; i++) {
        assertThat(got.get(i).offset()).isEqualTo(i);
        assertThat(got.get(i).value()).isEqualTo(bigValue(i));
      }
    }
  }

  private static byte[] bigValue(int i) {
    return Records.utf8(i + ":" + "v".repeat(700 + (i * 131) % 600));
  }

  private void damage(Damage damage, Path partition) throws IOException {
    Path lastLog = last(files(partition, ".log"));
    Random random = new Random(damage.ordinal());
    switch (damage) {
      case TRUNCATED_SEGMENT, TRUNCATED_SEGMENT_UNCLEAN -> {
        try (RandomAccessFile f = new RandomAccessFile(lastLog.toFile(), "rw")) {
          f.setLength(f.length() - 10); // inside the last batch
        }
      }
      case ZERO_FILLED_TAIL, ZERO_FILLED_TAIL_UNCLEAN -> {
        // What a crash leaves when the file size was updated but the data blocks were not.
        try (RandomAccessFile f = new RandomAccessFile(lastLog.toFile(), "rw")) {
          f.setLength(f.length() + 8192);
        }
      }
      case CORRUPT_OFFSET_INDEX -> garble(last(files(partition, ".index")), random);
      case CORRUPT_TIME_INDEX -> garble(last(files(partition, ".timeindex")), random);
      case MISSING_INDEXES -> {
        for (Path p : files(partition, ".index")) {
          Files.delete(p);
        }
        Files.delete(last(files(partition, ".timeindex")));
      }
      case CORRUPT_PRODUCER_SNAPSHOT -> {
        List<Path> snapshots = files(partition, ".snapshot");
        assertThat(snapshots).isNotEmpty();
        for (Path p : snapshots) {
          garble(p, random);
        }
      }
      case GARBAGE_CHECKPOINTS -> {
        for (String name :
            List.of("recovery-point-offset-checkpoint", "log-start-offset-checkpoint")) {
          Path p = dir.resolve("logs").resolve(name);
          assertThat(p).exists();
          Files.writeString(p, "0\n3\ncanary zero 12\n\u0000\u0001garbage", StandardCharsets.UTF_8);
        }
      }
    }
    if (damage.name().endsWith("_UNCLEAN")) {
      Files.delete(dir.resolve("logs").resolve(".ferry_cleanshutdown"));
    }
  }

  /** Overwrites the file with random bytes of the same length (at least 64). */
  private static void garble(Path file, Random random) throws IOException {
    byte[] junk = new byte[(int) Math.max(64, Files.size(file))];
    random.nextBytes(junk);
    Files.write(file, junk);
  }

  private static List<Path> files(Path dir, String suffix) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().endsWith(suffix)).sorted().toList();
    }
  }

  private static Path last(List<Path> files) {
    assertThat(files).isNotEmpty();
    return files.get(files.size() - 1);
  }
}
