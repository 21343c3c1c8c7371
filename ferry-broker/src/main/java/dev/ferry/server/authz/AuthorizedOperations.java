package dev.ferry.server.authz;

import dev.ferry.network.NetworkRequest;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.ResourceType;

/**
 * The {@code *_authorized_operations} bit fields of Metadata, DescribeCluster and DescribeGroups
 * (KIP-430): one bit ({@code 1 << code}) per operation the requester may perform on the resource,
 * out of the operations Kafka defines for its type. Without an authorizer that is all of them.
 */
public final class AuthorizedOperations {

  /** Sent when the client did not ask for the field (Kafka's {@code Integer.MIN_VALUE}). */
  public static final int OMITTED = Integer.MIN_VALUE;

  /** The operations an ACL can grant on each resource type, as Kafka defines them. */
  private static final Map<ResourceType, Set<AclOperation>> SUPPORTED =
      new EnumMap<>(ResourceType.class);

  static {
    SUPPORTED.put(
        ResourceType.TOPIC,
        EnumSet.of(
            AclOperation.READ,
            AclOperation.WRITE,
            AclOperation.CREATE,
            AclOperation.DESCRIBE,
            AclOperation.DELETE,
            AclOperation.ALTER,
            AclOperation.DESCRIBE_CONFIGS,
            AclOperation.ALTER_CONFIGS));
    SUPPORTED.put(
        ResourceType.GROUP,
        EnumSet.of(
            AclOperation.READ,
            AclOperation.DESCRIBE,
            AclOperation.DELETE,
            AclOperation.DESCRIBE_CONFIGS,
            AclOperation.ALTER_CONFIGS));
    SUPPORTED.put(
        ResourceType.CLUSTER,
        EnumSet.of(
            AclOperation.CREATE,
            AclOperation.CLUSTER_ACTION,
            AclOperation.DESCRIBE_CONFIGS,
            AclOperation.ALTER_CONFIGS,
            AclOperation.IDEMPOTENT_WRITE,
            AclOperation.ALTER,
            AclOperation.DESCRIBE));
    SUPPORTED.put(
        ResourceType.TRANSACTIONAL_ID,
        EnumSet.of(AclOperation.DESCRIBE, AclOperation.WRITE, AclOperation.TWO_PHASE_COMMIT));
    SUPPORTED.put(ResourceType.DELEGATION_TOKEN, EnumSet.of(AclOperation.DESCRIBE));
    SUPPORTED.put(
        ResourceType.USER, EnumSet.of(AclOperation.CREATE_TOKENS, AclOperation.DESCRIBE_TOKENS));
  }

  /** The name of the one cluster resource, as in Kafka. */
  public static final String CLUSTER_NAME = "kafka-cluster";

  private final OperationCheck check;

  public AuthorizedOperations(OperationCheck check) {
    this.check = check;
  }

  /** Everything allowed: a broker without an authorizer. */
  public static AuthorizedOperations allowAll() {
    return new AuthorizedOperations(OperationCheck.ALLOW_ALL);
  }

  /** The operations Kafka defines for {@code type} (empty for types without ACLs). */
  public static Set<AclOperation> supported(ResourceType type) {
    Set<AclOperation> ops = SUPPORTED.get(type);
    return ops == null ? Set.of() : ops;
  }

  /** The bit field of what the sender of {@code request} may do on the named resource. */
  public int of(NetworkRequest request, ResourceType type, String resourceName) {
    int bits = 0;
    for (AclOperation op : supported(type)) {
      if (check.allowed(request, op, type, resourceName)) {
        bits |= 1 << op.code();
      }
    }
    return bits;
  }

  /** The bit field for the cluster resource. */
  public int ofCluster(NetworkRequest request) {
    return of(request, ResourceType.CLUSTER, CLUSTER_NAME);
  }
}
