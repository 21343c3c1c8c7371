package dev.ferry.security.authorizer;

import java.net.InetAddress;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ferry's ACL authorizer, enabled by setting {@code authorizer.class.name} to either of Kafka's
 * authorizer classes: {@code super.users} may do everything; otherwise the ACLs matching the
 * resource decide ({@link AclRules}); a resource with no ACL at all is allowed only with {@code
 * allow.everyone.if.no.acl.found}.
 */
public final class AclAuthorizer implements Authorizer {

  private static final Logger log = LoggerFactory.getLogger("dev.ferry.security.authorizer");

  /** The class names of Kafka's authorizers that turn Ferry's on. */
  public static final Set<String> KAFKA_CLASS_NAMES =
      Set.of(
          "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
          "kafka.security.authorizer.AclAuthorizer");

  private final AclStore store;
  private final Set<KafkaPrincipal> superUsers;
  private final boolean allowIfNoAcl;

  public AclAuthorizer(AclStore store, Set<KafkaPrincipal> superUsers, boolean allowIfNoAcl) {
    this.store = store;
    this.superUsers = Set.copyOf(superUsers);
    this.allowIfNoAcl = allowIfNoAcl;
  }

  /** {@code super.users}: principals separated by semicolons ({@code User:admin;User:broker}). */
  public static Set<KafkaPrincipal> parseSuperUsers(String value) {
    if (value == null || value.isBlank()) {
      return Set.of();
    }
    java.util.Set<KafkaPrincipal> out = new java.util.HashSet<>();
    for (String p : value.split(";")) {
      if (!p.isBlank()) {
        out.add(parsePrincipal(p.trim()));
      }
    }
    return out;
  }

  /**
   * A principal in Kafka's {@code Type:name} form.
   *
   * @throws IllegalArgumentException if there is no type
   */
  public static KafkaPrincipal parsePrincipal(String value) {
    int colon = value.indexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException("expected Type:name, got " + value);
    }
    return new KafkaPrincipal(value.substring(0, colon), value.substring(colon + 1));
  }

  public AclStore store() {
    return store;
  }

  @Override
  public boolean authorizeAny(
      KafkaPrincipal principal,
      InetAddress host,
      AclOperation operation,
      ResourceType resourceType) {
    if (superUsers.contains(principal)) {
      return true;
    }
    String hostAddress = host == null ? "" : host.getHostAddress();
    AclStore.Snapshot acls = store.snapshot();
    if (AclRules.denies(
        acls.matching(resourceType, ResourcePattern.WILDCARD_RESOURCE),
        principal,
        hostAddress,
        operation)) {
      return false;
    }
    for (var e : acls.all.entrySet()) {
      if (e.getKey().resourceType() == resourceType
          && AclRules.decide(e.getValue(), principal, hostAddress, operation)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public boolean authorize(
      KafkaPrincipal principal,
      InetAddress host,
      AclOperation operation,
      ResourceType resourceType,
      String resourceName) {
    if (superUsers.contains(principal)) {
      return true;
    }
    List<AccessControlEntry> acls = store.snapshot().matching(resourceType, resourceName);
    boolean allowed;
    if (acls.isEmpty()) {
      allowed = allowIfNoAcl;
    } else {
      allowed =
          AclRules.decide(acls, principal, host == null ? "" : host.getHostAddress(), operation);
    }
    if (!allowed && log.isDebugEnabled()) {
      log.debug(
          "Principal = {} is Denied operation = {} from host = {} on resource = {}:{}",
          principal,
          operation,
          host == null ? "?" : host.getHostAddress(),
          resourceType,
          resourceName);
    }
    return allowed;
  }
}
