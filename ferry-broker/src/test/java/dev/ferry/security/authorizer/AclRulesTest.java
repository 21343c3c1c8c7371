package dev.ferry.security.authorizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.junit.jupiter.api.Test;

class AclRulesTest {

  private static final KafkaPrincipal ALICE = new KafkaPrincipal("User", "alice");

  private static AccessControlEntry allow(String principal, AclOperation op) {
    return new AccessControlEntry(principal, "*", op, AclPermissionType.ALLOW);
  }

  @Test
  void writeImpliesDescribeButNotRead() {
    List<AccessControlEntry> acls = List.of(allow("User:alice", AclOperation.WRITE));
    assertThat(AclRules.decide(acls, ALICE, "1.2.3.4", AclOperation.WRITE)).isTrue();
    assertThat(AclRules.decide(acls, ALICE, "1.2.3.4", AclOperation.DESCRIBE)).isTrue();
    assertThat(AclRules.decide(acls, ALICE, "1.2.3.4", AclOperation.READ)).isFalse();
    assertThat(AclRules.decide(acls, ALICE, "1.2.3.4", AclOperation.DESCRIBE_CONFIGS)).isFalse();
  }

  @Test
  void alterConfigsImpliesDescribeConfigsAndAllCoversEverything() {
    assertThat(
            AclRules.decide(
                List.of(allow("User:alice", AclOperation.ALTER_CONFIGS)),
                ALICE,
                "h",
                AclOperation.DESCRIBE_CONFIGS))
        .isTrue();
    assertThat(
            AclRules.decide(
                List.of(allow("User:*", AclOperation.ALL)), ALICE, "h", AclOperation.DELETE))
        .isTrue();
  }

  @Test
  void denyWinsAndHostsMatter() {
    List<AccessControlEntry> acls =
        List.of(
            allow("User:alice", AclOperation.ALL),
            new AccessControlEntry(
                "User:*", "10.0.0.9", AclOperation.READ, AclPermissionType.DENY));
    assertThat(AclRules.decide(acls, ALICE, "10.0.0.9", AclOperation.READ)).isFalse();
    assertThat(AclRules.decide(acls, ALICE, "10.0.0.8", AclOperation.READ)).isTrue();
    assertThat(
            AclRules.decide(acls, new KafkaPrincipal("User", "bob"), "10.0.0.8", AclOperation.READ))
        .isFalse();
  }
}
