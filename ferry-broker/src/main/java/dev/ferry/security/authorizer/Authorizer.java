package dev.ferry.security.authorizer;

import java.net.InetAddress;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.security.auth.KafkaPrincipal;

/**
 * What request handling asks before acting: may this principal, from this host, perform this
 * operation on this resource? Must not block (network threads call it).
 */
public interface Authorizer {

  /** The name of the one cluster resource, as in Kafka. */
  String CLUSTER_NAME = "kafka-cluster";

  boolean authorize(
      KafkaPrincipal principal,
      InetAddress host,
      AclOperation operation,
      ResourceType resourceType,
      String resourceName);

  /**
   * Whether the principal may perform {@code operation} on at least one resource of the type, as
   * Kafka's {@code authorizeByResourceType}: some ALLOW ACL of that type grants it and no DENY on
   * the type's wildcard takes it away (used by idempotent producers: WRITE on any topic).
   */
  default boolean authorizeAny(
      KafkaPrincipal principal,
      InetAddress host,
      AclOperation operation,
      ResourceType resourceType) {
    return authorize(principal, host, operation, resourceType, "*");
  }

  /** Whether ACLs are enforced at all (false: no {@code authorizer.class.name}). */
  default boolean enabled() {
    return true;
  }

  /** No authorizer configured: everything is allowed, as in Kafka. */
  Authorizer ALLOW_ALL =
      new Authorizer() {
        @Override
        public boolean authorize(
            KafkaPrincipal principal,
            InetAddress host,
            AclOperation operation,
            ResourceType resourceType,
            String resourceName) {
          return true;
        }

        @Override
        public boolean enabled() {
          return false;
        }
      };
}
