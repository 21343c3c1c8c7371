package dev.ferry.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ferry against a single-node Kafka 4.4: every API Ferry advertises, at every version, with the
 * request sequences of {@link Cases}; any difference not on the {@link AllowList} fails with both
 * answers printed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SingleNodeConformanceTest {

  @TempDir static Path dir;
  private Pair pair;
  private Conformance conformance;

  @BeforeAll
  void start() throws Exception {
    pair = Pair.start(dir, 1);
    Fixture.create(pair.ferry);
    Fixture.create(pair.kafka);
    conformance = new Conformance(pair.ferry, pair.kafka, AllowList.standard());
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
  void apiVersionsAdvertiseWhatKafkaAdvertises() {
    assertThat(ApiVersionsComparison.differences(conformance)).isEmpty();
  }

  @Test
  void everyCaseAnswersLikeKafka() {
    for (Case c : Cases.all()) {
      conformance.run(c);
    }
    assertThat(conformance.differences()).as(conformance.report()).isEmpty();
  }
}
