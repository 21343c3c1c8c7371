package dev.ferry.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import dev.ferry.it.RawKafkaConnection;
import dev.ferry.it.TestBroker;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A seeded protocol fuzzer against a real in-JVM broker: at least 100,000 mutated and random Kafka
 * requests (see {@link Mutator} for the kinds), pipelined. Every 5,000 cases the broker must still
 * serve a real producer and consumer, the canary partition must read back byte-exact, and no
 * network thread may have died.
 *
 * <p>System properties: {@code ferry.fuzz.seed} replays a run (the seed is printed), {@code
 * ferry.fuzz.cases} sets the number of cases (default 100,000).
 */
class ProtocolFuzzTest {

  private static final List<ApiKeys> FUZZED_APIS =
      List.of(
          ApiKeys.API_VERSIONS,
          ApiKeys.METADATA,
          ApiKeys.PRODUCE,
          ApiKeys.FETCH,
          ApiKeys.LIST_OFFSETS,
          ApiKeys.DESCRIBE_CLUSTER,
          ApiKeys.DESCRIBE_CONFIGS,
          ApiKeys.INIT_PRODUCER_ID);
  private static final int CHECKPOINT_EVERY = 5_000;
  private static final int CANARY_RECORDS = 60;
  private static final int CLIENTS = 4;

  @TempDir Path dir;

  @Test
  void brokerSurvivesAHundredThousandBadRequestsWithDataIntact() throws Exception {
    long seed = Long.getLong("ferry.fuzz.seed", System.nanoTime());
    long cases = Long.getLong("ferry.fuzz.cases", 100_000);
    System.out.println(
        "ProtocolFuzzTest seed " + seed + " (replay with -Dferry.fuzz.seed=" + seed + ")");
    try (TestBroker broker = TestBroker.start(dir, Map.of("auto.create.topics.enable", "false"));
        LogEvents logs = new LogEvents("dev.ferry")) {
      String bootstrap = broker.bootstrap();
      Map<String, TopicDescription> topics;
      try (Admin admin = broker.admin()) {
        admin
            .createTopics(
                List.of(
                    new NewTopic("canary", 1, (short) 1),
                    new NewTopic("scratch", 1, (short) 1),
                    new NewTopic("health", 1, (short) 1)))
            .all()
            .get();
        topics = admin.describeTopics(List.of("canary", "scratch")).allTopicNames().get();
      }
      Canary canary = new Canary("canary", CANARY_RECORDS);
      canary.write(bootstrap);
      BrokerThreads threads = BrokerThreads.capture();
      assertThat(threads.threads()).hasSize(3); // acceptor + num.network.threads=2

      List<RequestTemplates.Template> templates =
          RequestTemplates.build(
              advertisedVersions(broker),
              "scratch",
              topics.get("scratch").topicId(),
              "canary",
              topics.get("canary").topicId());
      assertThat(templates).hasSizeGreaterThan(50);

      AtomicInteger checkpoints = new AtomicInteger();
      Runnable checkpoint =
          () -> {
            int n = checkpoints.incrementAndGet();
            try {
              Canary.roundTrip(bootstrap, "health", "health-" + n);
            } catch (Exception e) {
              throw new AssertionError("well-formed client not served at checkpoint " + n, e);
            }
            assertThat(canary.verify(bootstrap)).as("canary end offset").isEqualTo(CANARY_RECORDS);
            assertThat(threads.dead()).as("dead network threads").isEmpty();
          };
      long t0 = System.nanoTime();
      FuzzClient.Stats stats = fuzzInParallel(broker, seed, templates, cases, checkpoint);
      checkpoint.run();
      long ms = (System.nanoTime() - t0) / 1_000_000;
      System.out.printf(
          "Fuzz (seed %d, %d templates) in %,d ms: %s; %d checkpoints passed; broker logged %,d"
              + " errors and %,d warnings%n",
          seed,
          templates.size(),
          ms,
          stats,
          checkpoints.get(),
          logs.count(Level.ERROR),
          logs.count(Level.WARN));
      logs.errors().stream().limit(20).forEach(System.out::println);

      assertThat(stats.processed).isGreaterThanOrEqualTo(cases);
      assertThat(checkpoints.get()).isGreaterThanOrEqualTo((int) (cases / CHECKPOINT_EVERY));
      assertThat(stats.byKind.keySet()).containsAll(Mutator.kinds());
      // Both outcomes occur: bad requests answered with an error and connections closed.
      assertThat(stats.answered).isGreaterThan(cases / 10);
      assertThat(stats.closedByBroker).isGreaterThan(cases / 10);
      assertThat(logs.errors()).as("errors logged by the broker").isEmpty();
    }
  }

  /**
   * {@value #CLIENTS} clients, each with its own seeded mutator, share the cases; connection set-up
   * is latency-bound (half the cases end their connection), so parallel clients keep both cores
   * busy. The checkpoint runs on whichever client thread crosses a multiple of {@value
   * #CHECKPOINT_EVERY}, while the others keep fuzzing.
   */
  private static FuzzClient.Stats fuzzInParallel(
      TestBroker broker,
      long seed,
      List<RequestTemplates.Template> templates,
      long cases,
      Runnable checkpoint)
      throws Exception {
    AtomicLong processed = new AtomicLong();
    AtomicLong nextCheckpoint = new AtomicLong(CHECKPOINT_EVERY);
    ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
    List<Future<FuzzClient.Stats>> results = new ArrayList<>();
    try {
      for (int i = 0; i < CLIENTS; i++) {
        long share = cases / CLIENTS + (i < cases % CLIENTS ? 1 : 0);
        long clientSeed = seed + i;
        results.add(
            pool.submit(
                () -> {
                  try (FuzzClient client =
                      new FuzzClient("127.0.0.1", broker.broker().port(), 16, 2_000)) {
                    client.run(
                        new Mutator(clientSeed, templates),
                        share,
                        n -> {
                          long total = processed.addAndGet(n);
                          long due = nextCheckpoint.get();
                          if (total >= due
                              && nextCheckpoint.compareAndSet(due, due + CHECKPOINT_EVERY)) {
                            synchronized (checkpoint) {
                              checkpoint.run();
                            }
                          }
                        });
                    return client.stats();
                  }
                }));
      }
      FuzzClient.Stats all = new FuzzClient.Stats();
      for (Future<FuzzClient.Stats> f : results) {
        all.add(f.get(5, TimeUnit.MINUTES));
      }
      return all;
    } finally {
      pool.shutdownNow();
    }
  }

  private static Map<ApiKeys, short[]> advertisedVersions(TestBroker broker) throws Exception {
    Map<ApiKeys, short[]> versions = new EnumMap<>(ApiKeys.class);
    try (RawKafkaConnection c = RawKafkaConnection.to(broker)) {
      ApiVersionsResponse r =
          (ApiVersionsResponse)
              c.send(new ApiVersionsRequest(new ApiVersionsRequestData(), (short) 3));
      for (ApiVersion v : r.data().apiKeys()) {
        if (ApiKeys.hasId(v.apiKey()) && FUZZED_APIS.contains(ApiKeys.forId(v.apiKey()))) {
          versions.put(ApiKeys.forId(v.apiKey()), new short[] {v.minVersion(), v.maxVersion()});
        }
      }
    }
    assertThat(versions.keySet()).containsExactlyInAnyOrderElementsOf(FUZZED_APIS);
    return versions;
  }
}
