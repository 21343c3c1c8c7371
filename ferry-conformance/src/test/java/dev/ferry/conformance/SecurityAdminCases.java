package dev.ferry.conformance;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.message.AlterUserScramCredentialsRequestData;
import org.apache.kafka.common.message.AlterUserScramCredentialsRequestData.ScramCredentialDeletion;
import org.apache.kafka.common.message.AlterUserScramCredentialsRequestData.ScramCredentialUpsertion;
import org.apache.kafka.common.message.CreateAclsRequestData;
import org.apache.kafka.common.message.DeleteAclsRequestData;
import org.apache.kafka.common.message.DescribeAclsRequestData;
import org.apache.kafka.common.message.DescribeUserScramCredentialsRequestData;
import org.apache.kafka.common.message.SaslAuthenticateRequestData;
import org.apache.kafka.common.message.SaslHandshakeRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.security.scram.internals.ScramFormatter;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;

/**
 * SCRAM credential administration (upsert, describe, delete, and the errors: too few iterations,
 * unknown mechanism, the same user twice, unknown users), the ACL APIs and the SASL APIs, as a
 * client meets them on a PLAINTEXT listener of a broker without an authorizer: ACL requests are
 * refused with SECURITY_DISABLED, SASL requests with ILLEGAL_SASL_STATE. With an authorizer and a
 * SASL listener they are compared by {@link SecurityConformanceTest}.
 */
final class SecurityAdminCases {

  static final byte SHA_256 = 1;
  static final byte SHA_512 = 2;

  private SecurityAdminCases() {}

  static List<Case> all() {
    List<Case> c = new ArrayList<>();
    c.add(
        Case.of(
            ApiKeys.ALTER_USER_SCRAM_CREDENTIALS,
            "upsert-describe-delete",
            upsertOne("su", SHA_256, 4096),
            upsertOne("su", SHA_512, 8192),
            describeUsers(List.of("su")).uncompared(),
            Exchange.of(
                ApiKeys.ALTER_USER_SCRAM_CREDENTIALS,
                (s, v) ->
                    new AlterUserScramCredentialsRequestData()
                        .setUpsertions(List.of())
                        .setDeletions(List.of(delete(user("su", s, v), SHA_256)))),
            // Deleting what is no longer there.
            Exchange.of(
                ApiKeys.ALTER_USER_SCRAM_CREDENTIALS,
                (s, v) ->
                    new AlterUserScramCredentialsRequestData()
                        .setUpsertions(List.of())
                        .setDeletions(List.of(delete(user("su", s, v), SHA_256))))));
    c.add(
        Case.of(
            ApiKeys.ALTER_USER_SCRAM_CREDENTIALS,
            "bad-upserts",
            Exchange.of(
                ApiKeys.ALTER_USER_SCRAM_CREDENTIALS,
                (s, v) ->
                    new AlterUserScramCredentialsRequestData()
                        .setUpsertions(
                            List.of(
                                upsert(user("sb-few", s, v), SHA_256, 100, "pw"),
                                upsert(user("sb-many", s, v), SHA_256, 20_000, "pw"),
                                upsert(user("sb-mech", s, v), (byte) 9, 4096, "pw"),
                                upsert("", SHA_256, 4096, "pw")))
                        .setDeletions(List.of(delete(user("sb-del", s, v), (byte) 0))))));
    c.add(
        Case.of(
            ApiKeys.ALTER_USER_SCRAM_CREDENTIALS,
            "two-mechanisms-in-one-request",
            Exchange.of(
                ApiKeys.ALTER_USER_SCRAM_CREDENTIALS,
                (s, v) ->
                    new AlterUserScramCredentialsRequestData()
                        .setUpsertions(
                            List.of(
                                upsert(user("s2", s, v), SHA_256, 4096, "pw"),
                                upsert(user("s2", s, v), SHA_512, 8192, "pw")))
                        .setDeletions(List.of())),
            describeUsers(List.of("s2"))));
    c.add(
        Case.of(
            ApiKeys.ALTER_USER_SCRAM_CREDENTIALS,
            "delete-then-upsert-same-user",
            upsertOne("sdu", SHA_256, 4096).uncompared(),
            Exchange.of(
                ApiKeys.ALTER_USER_SCRAM_CREDENTIALS,
                (s, v) ->
                    new AlterUserScramCredentialsRequestData()
                        .setUpsertions(List.of(upsert(user("sdu", s, v), SHA_512, 4096, "pw")))
                        .setDeletions(List.of(delete(user("sdu", s, v), SHA_256)))),
            describeUsers(List.of("sdu"))));
    c.add(
        Case.of(
            ApiKeys.ALTER_USER_SCRAM_CREDENTIALS,
            "same-user-twice",
            Exchange.of(
                ApiKeys.ALTER_USER_SCRAM_CREDENTIALS,
                (s, v) ->
                    new AlterUserScramCredentialsRequestData()
                        .setUpsertions(List.of(upsert(user("sd", s, v), SHA_256, 4096, "pw")))
                        .setDeletions(List.of(delete(user("sd", s, v), SHA_512))))));
    c.add(
        Case.of(
            ApiKeys.DESCRIBE_USER_SCRAM_CREDENTIALS,
            "known-unknown-and-duplicate",
            Exchange.of(
                    ApiKeys.ALTER_USER_SCRAM_CREDENTIALS,
                    (s, v) ->
                        new AlterUserScramCredentialsRequestData()
                            .setUpsertions(List.of(upsert(user("sk", s, v), SHA_512, 4096, "pw")))
                            .setDeletions(List.of()))
                .uncompared(),
            describeUsers(List.of("sk", "s-unknown", "s-unknown"))));
    c.add(
        Case.of(
            ApiKeys.DESCRIBE_USER_SCRAM_CREDENTIALS,
            "empty-list",
            Exchange.of(
                ApiKeys.DESCRIBE_USER_SCRAM_CREDENTIALS,
                (s, v) -> new DescribeUserScramCredentialsRequestData().setUsers(List.of()))));
    c.add(
        Case.of(
            ApiKeys.CREATE_ACLS,
            "no-authorizer",
            Exchange.of(ApiKeys.CREATE_ACLS, (s, v) -> createAcl("conf-acl", "User:alice"))));
    c.add(
        Case.of(
            ApiKeys.DELETE_ACLS,
            "no-authorizer",
            Exchange.of(ApiKeys.DELETE_ACLS, (s, v) -> deleteAcl("conf-acl", "User:alice"))));
    c.add(
        Case.of(
            ApiKeys.DESCRIBE_ACLS,
            "no-authorizer-topic",
            Exchange.of(ApiKeys.DESCRIBE_ACLS, (s, v) -> describeAcl("conf-acl"))));
    c.add(
        Case.of(
            ApiKeys.SASL_HANDSHAKE,
            "on-plaintext-listener",
            Exchange.of(
                ApiKeys.SASL_HANDSHAKE,
                (s, v) -> new SaslHandshakeRequestData().setMechanism("PLAIN"))));
    c.add(
        Case.of(
            ApiKeys.SASL_AUTHENTICATE,
            "on-plaintext-listener",
            Exchange.of(
                ApiKeys.SASL_AUTHENTICATE,
                (s, v) ->
                    new SaslAuthenticateRequestData()
                        .setAuthBytes(plain("admin", "admin-secret")))));
    return c;
  }

  private static Exchange upsertOne(String prefix, byte mechanism, int iterations) {
    return Exchange.of(
        ApiKeys.ALTER_USER_SCRAM_CREDENTIALS,
        (s, v) ->
            new AlterUserScramCredentialsRequestData()
                .setUpsertions(List.of(upsert(user(prefix, s, v), mechanism, iterations, "pw")))
                .setDeletions(List.of()));
  }

  static String user(String prefix, SideContext s, short v) {
    return "conf-" + prefix + "-v" + s.recall(Conformance.CASE_VERSION, v);
  }

  static byte[] plain(String user, String password) {
    return ("\0" + user + "\0" + password).getBytes(StandardCharsets.UTF_8);
  }

  static ScramCredentialUpsertion upsert(
      String user, byte mechanism, int iterations, String password) {
    byte[] salt = ("salt-of-" + user).getBytes(StandardCharsets.UTF_8);
    ScramMechanism m =
        mechanism == SHA_512 ? ScramMechanism.SCRAM_SHA_512 : ScramMechanism.SCRAM_SHA_256;
    byte[] salted;
    try {
      salted = new ScramFormatter(m).saltedPassword(password, salt, Math.max(iterations, 1));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
    return new ScramCredentialUpsertion()
        .setName(user)
        .setMechanism(mechanism)
        .setIterations(iterations)
        .setSalt(salt)
        .setSaltedPassword(salted);
  }

  static ScramCredentialDeletion delete(String user, byte mechanism) {
    return new ScramCredentialDeletion().setName(user).setMechanism(mechanism);
  }

  /** Describes the case's users named by {@code prefixes} (versioned like {@link #user}). */
  static Exchange describeUsers(List<String> prefixes) {
    return Exchange.of(
        ApiKeys.DESCRIBE_USER_SCRAM_CREDENTIALS,
        (s, v) -> {
          List<DescribeUserScramCredentialsRequestData.UserName> users = new ArrayList<>();
          for (String p : prefixes) {
            users.add(
                new DescribeUserScramCredentialsRequestData.UserName()
                    .setName(p.startsWith("s-") ? p : user(p, s, v)));
          }
          return new DescribeUserScramCredentialsRequestData().setUsers(users);
        });
  }

  /** Topic {@code topic}, literal, READ allowed for {@code principal} from any host. */
  static CreateAclsRequestData createAcl(String topic, String principal) {
    return new CreateAclsRequestData()
        .setCreations(
            List.of(
                new CreateAclsRequestData.AclCreation()
                    .setResourceType((byte) 2)
                    .setResourceName(topic)
                    .setResourcePatternType((byte) 3)
                    .setPrincipal(principal)
                    .setHost("*")
                    .setOperation((byte) 3)
                    .setPermissionType((byte) 3)));
  }

  /** Every ACL on topic {@code topic} (literal) of {@code principal}. */
  static DeleteAclsRequestData deleteAcl(String topic, String principal) {
    return new DeleteAclsRequestData()
        .setFilters(
            List.of(
                new DeleteAclsRequestData.DeleteAclsFilter()
                    .setResourceTypeFilter((byte) 2)
                    .setResourceNameFilter(topic)
                    .setPatternTypeFilter((byte) 3)
                    .setPrincipalFilter(principal)
                    .setHostFilter(null)
                    .setOperation((byte) 1)
                    .setPermissionType((byte) 1)));
  }

  /** Every ACL matching topic {@code topic} (MATCH: literal, wildcard and prefixes). */
  static DescribeAclsRequestData describeAcl(String topic) {
    return new DescribeAclsRequestData()
        .setResourceTypeFilter((byte) 2)
        .setResourceNameFilter(topic)
        .setPatternTypeFilter((byte) 2)
        .setPrincipalFilter(null)
        .setHostFilter(null)
        .setOperation((byte) 1)
        .setPermissionType((byte) 1);
  }
}
