package dev.ferry.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Ferry against a single-node Kafka 4.4: every API Ferry advertises, at every version, with the
 * request sequences of {@link Cases}; any difference not on the {@link AllowList} fails with both
 * answers printed, and so does an advertised API version no case compared.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SingleNodeConformanceTest {

  @TempDir static Path dir;
  private final AllowList allowList = AllowList.standard();
  private Pair pair;
  private Conformance conformance;

  @BeforeAll
  void start() throws Exception {
    pair = Pair.start(dir, 1);
    Fixture.create(pair.ferry);
    Fixture.create(pair.kafka);
    conformance = new Conformance(pair.ferry, pair.kafka, allowList);
  }

  @AfterAll
  void stop() throws Exception {
    if (conformance != null) {
      conformance.close();
    }
    if (pair != null) {
      pair.close();
    }
  }

  @Test
  @Order(1)
  void apiVersionsAdvertiseWhatKafkaAdvertises() {
    assertThat(ApiVersionsComparison.differences(conformance)).isEmpty();
  }

  @Test
  @Order(2)
  void everyCaseAnswersLikeKafka() {
    for (Case c : Cases.all()) {
      conformance.run(c);
    }
    assertThat(conformance.differences()).as(conformance.report()).isEmpty();
  }

  @Test
  @Order(3)
  void malformedRequestsAreRefusedLikeKafka() {
    int before = conformance.differences().size();
    BadInput.runAll(conformance);
    assertThat(conformance.differencesSince(before)).as(conformance.report()).isEmpty();
  }

  /** After the cases: every advertised API version had an answer compared. */
  @Test
  @Order(4)
  void everyAdvertisedApiVersionWasCompared() {
    LoggerFactory.getLogger(SingleNodeConformanceTest.class)
        .info("APIs and versions compared:\n{}", Coverage.table(conformance));
    assertThat(Coverage.gaps(conformance, allowList)).as(Coverage.table(conformance)).isEmpty();
  }
}
