package dev.ferry.security.authorizer;

import java.util.Collection;
import java.util.EnumSet;
import java.util.Set;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.security.auth.KafkaPrincipal;

/**
 * Kafka's rules for deciding with a set of ACLs that match a resource: a matching DENY wins over
 * any ALLOW; {@code ALL} covers every operation; allowing READ, WRITE, DELETE or ALTER also allows
 * DESCRIBE, and allowing ALTER_CONFIGS also allows DESCRIBE_CONFIGS. Principal {@code User:*} and
 * host {@code *} match everyone.
 */
final class AclRules {

  static final String WILDCARD_PRINCIPAL = "User:*";
  static final String WILDCARD_HOST = "*";

  private AclRules() {}

  /** The operations whose ALLOW grants {@code operation}. */
  static Set<AclOperation> allowingOperations(AclOperation operation) {
    Set<AclOperation> ops = EnumSet.of(operation, AclOperation.ALL);
    if (operation == AclOperation.DESCRIBE) {
      ops.addAll(
          EnumSet.of(
              AclOperation.READ, AclOperation.WRITE, AclOperation.DELETE, AclOperation.ALTER));
    } else if (operation == AclOperation.DESCRIBE_CONFIGS) {
      ops.add(AclOperation.ALTER_CONFIGS);
    }
    return ops;
  }

  static boolean decide(
      Collection<AccessControlEntry> acls,
      KafkaPrincipal principal,
      String host,
      AclOperation operation) {
    String principalName = principal.toString();
    Set<AclOperation> allowing = allowingOperations(operation);
    boolean allowed = false;
    for (AccessControlEntry acl : acls) {
      if (!matchesPrincipal(acl, principalName) || !matchesHost(acl, host)) {
        continue;
      }
      if (acl.permissionType() == AclPermissionType.DENY
          && (acl.operation() == operation || acl.operation() == AclOperation.ALL)) {
        return false;
      }
      if (acl.permissionType() == AclPermissionType.ALLOW && allowing.contains(acl.operation())) {
        allowed = true;
      }
    }
    return allowed;
  }

  /** Whether a DENY among {@code acls} applies to the principal, host and operation. */
  static boolean denies(
      Collection<AccessControlEntry> acls,
      KafkaPrincipal principal,
      String host,
      AclOperation operation) {
    String principalName = principal.toString();
    for (AccessControlEntry acl : acls) {
      if (acl.permissionType() == AclPermissionType.DENY
          && matchesPrincipal(acl, principalName)
          && matchesHost(acl, host)
          && (acl.operation() == operation || acl.operation() == AclOperation.ALL)) {
        return true;
      }
    }
    return false;
  }

  private static boolean matchesPrincipal(AccessControlEntry acl, String principal) {
    return acl.principal().equals(principal) || acl.principal().equals(WILDCARD_PRINCIPAL);
  }

  private static boolean matchesHost(AccessControlEntry acl, String host) {
    return acl.host().equals(WILDCARD_HOST) || acl.host().equals(host);
  }
}
