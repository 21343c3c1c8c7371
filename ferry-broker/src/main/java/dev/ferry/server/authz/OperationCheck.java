package dev.ferry.server.authz;

import dev.ferry.network.NetworkRequest;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.ResourceType;

/**
 * May the sender of {@code request} perform {@code operation} on a resource? The seam between
 * request handling and an authorizer: handlers ask it, an authorizer answers for the request's
 * principal and host. Must not block (network threads call it).
 */
@FunctionalInterface
public interface OperationCheck {

  boolean allowed(
      NetworkRequest request, AclOperation operation, ResourceType type, String resourceName);

  /** No authorizer configured: everything is allowed, as in Kafka. */
  OperationCheck ALLOW_ALL = (request, operation, type, name) -> true;
}
