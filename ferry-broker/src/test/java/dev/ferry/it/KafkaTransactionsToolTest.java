package dev.ferry.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.internals.Exit;
import org.apache.kafka.tools.TransactionsCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka's own {@code kafka-transactions.sh} (the {@code TransactionsCommand} class of the
 * kafka-tools artifact) against Ferry: list, describe and describe-producers show an open
 * transaction as they would on Kafka.
 */
class KafkaTransactionsToolTest {

  @TempDir Path dir;

  @Test
  void listDescribeAndDescribeProducersShowAnOpenTransaction() throws Exception {
    try (TestBroker broker = TestBroker.start(dir, TransactionsTest.brokerConfig())) {
      try (Admin admin = broker.admin()) {
        admin.createTopics(List.of(new NewTopic("tool-topic", 1, (short) 1))).all().get();
      }
      Map<String, Object> p = new HashMap<>();
      p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "tool-txn");
      try (KafkaProducer<byte[], byte[]> producer = broker.producer(p)) {
        producer.initTransactions();
        producer.beginTransaction();
        producer.send(new ProducerRecord<>("tool-topic", 0, null, Records.utf8("open"))).get();

        String list = run(broker, "list");
        assertThat(list).contains("TransactionalId").contains("tool-txn").contains("Ongoing");

        String describe = run(broker, "describe", "--transactional-id", "tool-txn");
        assertThat(describe).contains("tool-txn").contains("Ongoing").contains("tool-topic-0");

        String producers =
            run(broker, "describe-producers", "--topic", "tool-topic", "--partition", "0");
        assertThat(producers).contains("CurrentTransactionStartOffset");
        // The open transaction started at offset 0 of the partition.
        assertThat(producers.lines().skip(1).findFirst().orElseThrow().trim()).endsWith("0");

        producer.commitTransaction();
      }
      String after = run(broker, "describe", "--transactional-id", "tool-txn");
      assertThat(after).contains("CompleteCommit");
    }
  }

  /** Runs the tool's command as {@code kafka-transactions.sh --bootstrap-server ...} would. */
  private static String run(TestBroker broker, String... command) throws Exception {
    String[] args = new String[command.length + 2];
    args[0] = "--bootstrap-server";
    args[1] = broker.bootstrap();
    System.arraycopy(command, 0, args, 2, command.length);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    // The entry point that takes an output stream is package-private (main exits the JVM).
    Method execute =
        TransactionsCommand.class.getDeclaredMethod(
            "execute", String[].class, Function.class, PrintStream.class, Time.class);
    execute.setAccessible(true);
    Function<Object, Admin> admins = ns -> broker.admin();
    // The tool exits the JVM on an error: turn that into a test failure with its message.
    // Its success path exits with status 0, which ends the run here.
    Exit.setExitProcedure(
        (code, message) -> {
          throw new ToolExit(code, message);
        });
    try (PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8)) {
      execute.invoke(null, args, admins, print, Time.SYSTEM);
    } catch (java.lang.reflect.InvocationTargetException e) {
      if (!(e.getCause() instanceof ToolExit exit) || exit.code != 0) {
        throw new AssertionError("kafka-transactions failed; output: " + out, e.getCause());
      }
    } finally {
      Exit.resetExitProcedure();
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  /** The tool's call to exit the JVM, turned into an exception. */
  private static final class ToolExit extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int code;

    ToolExit(int code, String message) {
      super("exit " + code + ": " + message);
      this.code = code;
    }
  }
}
