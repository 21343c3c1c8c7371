package dev.ferry.security.authorizer;

import dev.ferry.network.NetworkRequest;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.ResourceType;

/** The authorizer's answers for one request's principal and client host. */
final class Access {

  private final Authorizer authorizer;
  private final NetworkRequest request;

  Access(Authorizer authorizer, NetworkRequest request) {
    this.authorizer = authorizer;
    this.request = request;
  }

  boolean allowed(AclOperation operation, ResourceType type, String name) {
    return authorizer.authorize(
        request.principal(), request.clientAddress(), operation, type, name);
  }

  boolean topic(AclOperation operation, String topic) {
    return allowed(operation, ResourceType.TOPIC, topic);
  }

  boolean group(AclOperation operation, String group) {
    return allowed(operation, ResourceType.GROUP, group);
  }

  boolean cluster(AclOperation operation) {
    return allowed(operation, ResourceType.CLUSTER, Authorizer.CLUSTER_NAME);
  }

  boolean transactionalId(AclOperation operation, String id) {
    return allowed(operation, ResourceType.TRANSACTIONAL_ID, id);
  }

  /** Whether the principal may {@code operation} on some resource of the type (KIP-679). */
  boolean anyOfType(AclOperation operation, ResourceType type) {
    return authorizer.authorizeAny(request.principal(), request.clientAddress(), operation, type);
  }

  /** Kafka's authorized-operations bit field: bit {@code op.code()} for each allowed operation. */
  int operations(ResourceType type, String name, AclOperation... candidates) {
    int bits = 0;
    for (AclOperation op : candidates) {
      if (allowed(op, type, name)) {
        bits |= 1 << op.code();
      }
    }
    return bits;
  }
}
