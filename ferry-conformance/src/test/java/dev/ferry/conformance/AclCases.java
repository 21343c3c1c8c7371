package dev.ferry.conformance;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.message.CreateAclsRequestData;
import org.apache.kafka.common.message.CreateAclsRequestData.AclCreation;
import org.apache.kafka.common.message.DeleteAclsRequestData;
import org.apache.kafka.common.message.DescribeAclsRequestData;
import org.apache.kafka.common.message.DescribeAclsResponseData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.protocol.ApiKeys;

/**
 * The ACL APIs with an authorizer: create, describe (literal, prefixed and MATCH filters), delete
 * and describe again; bad bindings (no principal type, ANY or UNKNOWN where a concrete value is
 * needed, MATCH as a pattern); bad filters; and a user without ACLs asking (authenticated on a
 * connection of its own). Kafka applies ACLs through its controller after it answered, so a
 * describe that follows a change waits (bounded) for the change to show.
 */
final class AclCases {

  private static final byte TOPIC = 2;
  private static final byte LITERAL = 3;
  private static final byte PREFIXED = 4;
  private static final byte MATCH = 2;
  private static final byte ANY = 1;
  private static final byte READ = 3;
  private static final byte WRITE = 4;
  private static final byte ALLOW = 3;
  private static final byte DENY = 2;

  private AclCases() {}

  static List<Case> all() {
    List<Case> c = new ArrayList<>();
    c.add(
        Case.of(
            ApiKeys.CREATE_ACLS,
            "create-describe-delete",
            Exchange.of(
                ApiKeys.CREATE_ACLS,
                (s, v) ->
                    new CreateAclsRequestData()
                        .setCreations(
                            List.of(
                                creation(topic("acl", s, v), LITERAL, "User:alice", READ, ALLOW),
                                creation(topic("acl", s, v), PREFIXED, "User:bob", WRITE, DENY),
                                creation("*", LITERAL, "User:carol", READ, ALLOW)))),
            describe((s, v) -> topic("acl", s, v), MATCH).until(AclCases::hasThreeBindings),
            describe((s, v) -> topic("acl", s, v), LITERAL),
            Exchange.of(
                ApiKeys.DELETE_ACLS,
                (s, v) ->
                    new DeleteAclsRequestData()
                        .setFilters(
                            List.of(
                                deleteFilter(topic("acl", s, v), LITERAL, null),
                                deleteFilter(topic("acl", s, v), PREFIXED, "User:bob"),
                                deleteFilter("*", LITERAL, "User:carol"),
                                deleteFilter("conf-no-acls", LITERAL, null)))),
            describe((s, v) -> topic("acl", s, v), MATCH).until(AclCases::hasNoBindings)));
    c.add(
        Case.of(
            ApiKeys.CREATE_ACLS,
            "bad-bindings",
            Exchange.of(
                ApiKeys.CREATE_ACLS,
                (s, v) ->
                    new CreateAclsRequestData()
                        .setCreations(
                            List.of(
                                creation("conf-bad", LITERAL, "alice", READ, ALLOW),
                                creation("conf-bad", LITERAL, "User:alice", ANY, ALLOW),
                                creation("conf-bad", LITERAL, "User:alice", READ, ANY),
                                creation("conf-bad", MATCH, "User:alice", READ, ALLOW),
                                creation("", LITERAL, "User:alice", READ, ALLOW),
                                creation("conf-bad", LITERAL, "User:alice", (byte) 0, ALLOW)
                                    .setResourceType(ANY))))));
    c.add(
        Case.of(
            ApiKeys.DESCRIBE_ACLS,
            "bad-filters",
            Exchange.of(
                ApiKeys.DESCRIBE_ACLS,
                (s, v) -> describeData("conf-any", (byte) 0).setResourceTypeFilter(TOPIC)),
            Exchange.of(
                ApiKeys.DESCRIBE_ACLS,
                (s, v) -> describeData("conf-any", LITERAL).setOperation((byte) 0))));
    c.add(
        Case.of(
            ApiKeys.DESCRIBE_ACLS,
            "everything",
            Exchange.of(
                ApiKeys.DESCRIBE_ACLS,
                (s, v) ->
                    describeData(null, ANY)
                        .setResourceTypeFilter(ANY)
                        .setPrincipalFilter("User:nobody-has-acls"))));
    c.add(
        Case.of(
            ApiKeys.DELETE_ACLS,
            "bad-filter",
            Exchange.of(
                ApiKeys.DELETE_ACLS,
                (s, v) ->
                    new DeleteAclsRequestData()
                        .setFilters(
                            List.of(
                                deleteFilter("conf-x", (byte) 0, null),
                                deleteFilter("conf-x", LITERAL, "not-a-principal"))))));
    for (ApiKeys api : List.of(ApiKeys.CREATE_ACLS, ApiKeys.DESCRIBE_ACLS, ApiKeys.DELETE_ACLS)) {
      c.add(unauthorized(api));
    }
    return c;
  }

  /** The same request from {@link PlainLogin#USER}, who has no ACLs: refused. */
  private static Case unauthorized(ApiKeys api) {
    Exchange.Factory request =
        switch (api) {
          case CREATE_ACLS ->
              (s, v) ->
                  new CreateAclsRequestData()
                      .setCreations(
                          List.of(creation("conf-denied", LITERAL, "User:x", READ, ALLOW)));
          case DESCRIBE_ACLS -> (s, v) -> describeData("conf-denied", LITERAL);
          default ->
              (s, v) ->
                  new DeleteAclsRequestData()
                      .setFilters(List.of(deleteFilter("conf-denied", LITERAL, null)));
        };
    return Case.of(
        api,
        "without-permission",
        Exchange.of(
                ApiKeys.SASL_HANDSHAKE,
                (s, v) ->
                    new org.apache.kafka.common.message.SaslHandshakeRequestData()
                        .setMechanism("PLAIN"))
            .onNewSasl()
            .uncompared(),
        Exchange.of(
                ApiKeys.SASL_AUTHENTICATE,
                (s, v) ->
                    new org.apache.kafka.common.message.SaslAuthenticateRequestData()
                        .setAuthBytes(
                            SecurityAdminCases.plain(
                                PlainLogin.USER.user(), PlainLogin.USER.password())))
            .onSasl()
            .uncompared(),
        Exchange.of(api, request).onSasl(),
        // The user's view of the cluster: no topics it may describe.
        Exchange.of(ApiKeys.METADATA, (s, v) -> new MetadataRequestData().setTopics(null))
            .onSasl());
  }

  static String topic(String prefix, SideContext s, short v) {
    return "conf-" + prefix + "-v" + s.recall(Conformance.CASE_VERSION, v);
  }

  static AclCreation creation(
      String resource, byte pattern, String principal, byte operation, byte permission) {
    return new AclCreation()
        .setResourceType(TOPIC)
        .setResourceName(resource)
        .setResourcePatternType(pattern)
        .setPrincipal(principal)
        .setHost("*")
        .setOperation(operation)
        .setPermissionType(permission);
  }

  static DeleteAclsRequestData.DeleteAclsFilter deleteFilter(
      String resource, byte pattern, String principal) {
    return new DeleteAclsRequestData.DeleteAclsFilter()
        .setResourceTypeFilter(TOPIC)
        .setResourceNameFilter(resource)
        .setPatternTypeFilter(pattern)
        .setPrincipalFilter(principal)
        .setHostFilter(null)
        .setOperation(ANY)
        .setPermissionType(ANY);
  }

  static DescribeAclsRequestData describeData(String resource, byte pattern) {
    return new DescribeAclsRequestData()
        .setResourceTypeFilter(TOPIC)
        .setResourceNameFilter(resource)
        .setPatternTypeFilter(pattern)
        .setPrincipalFilter(null)
        .setHostFilter(null)
        .setOperation(ANY)
        .setPermissionType(ANY);
  }

  /** A resource name per side and version. */
  interface Name {
    String of(SideContext side, short version);
  }

  private static Exchange describe(Name resource, byte pattern) {
    return Exchange.of(ApiKeys.DESCRIBE_ACLS, (s, v) -> describeData(resource.of(s, v), pattern));
  }

  private static boolean hasThreeBindings(org.apache.kafka.common.requests.AbstractResponse r) {
    return bindings(r) == 3;
  }

  private static boolean hasNoBindings(org.apache.kafka.common.requests.AbstractResponse r) {
    return bindings(r) == 0;
  }

  private static int bindings(org.apache.kafka.common.requests.AbstractResponse r) {
    int n = 0;
    for (DescribeAclsResponseData.DescribeAclsResource res :
        ((DescribeAclsResponseData) r.data()).resources()) {
      n += res.acls().size();
    }
    return n;
  }
}
