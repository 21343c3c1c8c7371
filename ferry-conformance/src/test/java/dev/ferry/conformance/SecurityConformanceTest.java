package dev.ferry.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.message.AlterUserScramCredentialsRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ferry against a single-node Kafka 4.4, both on a SASL_PLAINTEXT listener (PLAIN and
 * SCRAM-SHA-256/512) with an ACL authorizer and no access without ACLs: SASL handshakes and
 * authentications ({@link SaslCases}) and the ACL APIs ({@link AclCases}) at every version both
 * advertise; the suite's own connections log in as the super user.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SecurityConformanceTest {

  /** The APIs this class is responsible for comparing at every version. */
  private static final Set<ApiKeys> COVERS =
      Set.of(
          ApiKeys.SASL_HANDSHAKE,
          ApiKeys.SASL_AUTHENTICATE,
          ApiKeys.CREATE_ACLS,
          ApiKeys.DESCRIBE_ACLS,
          ApiKeys.DELETE_ACLS);

  @TempDir static Path dir;
  private Pair pair;
  private Conformance conformance;

  @BeforeAll
  void start() throws Exception {
    pair = Pair.startSecure(dir);
    conformance = new Conformance(pair.ferry, pair.kafka, AllowList.standard());
    for (SideContext side : List.of(conformance.ferry(), conformance.kafka())) {
      for (byte mechanism : new byte[] {SecurityAdminCases.SHA_256, SecurityAdminCases.SHA_512}) {
        org.apache.kafka.common.requests.AbstractResponse r =
            side.send(
                0,
                Requests.of(
                    new AlterUserScramCredentialsRequestData()
                        .setUpsertions(
                            List.of(
                                SecurityAdminCases.upsert(
                                    SaslCases.SCRAM_USER,
                                    mechanism,
                                    4096,
                                    SaslCases.SCRAM_PASSWORD)))
                        .setDeletions(List.of()),
                    (short) 0));
        assertThat(r.errorCounts())
            .as(side.name() + " " + r)
            .containsOnlyKeys(org.apache.kafka.common.protocol.Errors.NONE);
      }
    }
    for (BrokerUnderTest side : List.of(pair.ferry, pair.kafka)) {
      for (String mechanism : List.of("SCRAM-SHA-256", "SCRAM-SHA-512")) {
        Awaitility.await(side.name() + " " + mechanism + " login")
            .atMost(Duration.ofSeconds(30))
            .pollInterval(Duration.ofMillis(100))
            .until(() -> SaslCases.scramLoginWorks(side, mechanism));
      }
    }
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
  void saslAndAclAnswersMatchKafka() {
    List<Case> cases = new ArrayList<>(SaslCases.all());
    cases.addAll(AclCases.all());
    for (Case c : cases) {
      conformance.run(c);
    }
    assertThat(conformance.differences()).as(conformance.report()).isEmpty();
  }

  @Test
  @Order(2)
  void everyVersionOfTheSecurityApisWasCompared() {
    List<String> gaps = new ArrayList<>();
    for (String gap : Coverage.gaps(conformance, AllowList.standard())) {
      if (COVERS.stream().anyMatch(api -> gap.startsWith(api + " "))) {
        gaps.add(gap);
      }
    }
    assertThat(gaps).as(Coverage.table(conformance)).isEmpty();
  }
}
