package dev.ferry.tools.security;

import java.util.Locale;
import org.apache.kafka.common.acl.AccessControlEntryFilter;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePatternFilter;
import org.apache.kafka.common.resource.ResourceType;
import picocli.CommandLine.Option;

/** The resource and entry options shared by the acl commands (kafka-acls.sh's vocabulary). */
public final class AclOptions {

  @Option(names = "--topic", description = "Topic name (or prefix with --prefixed; * for all).")
  String topic;

  @Option(names = "--group", description = "Consumer group id.")
  String group;

  @Option(names = "--transactional-id", description = "Transactional id.")
  String transactionalId;

  @Option(names = "--cluster", description = "The cluster resource.")
  boolean cluster;

  @Option(names = "--prefixed", description = "Treat the resource name as a prefix.")
  boolean prefixed;

  @Option(names = "--principal", description = "Principal, e.g. User:alice (User:* for all).")
  String principal;

  @Option(names = "--host", description = "Client host (default: * for create, any for filters).")
  String host;

  @Option(
      names = "--operation",
      description = "READ, WRITE, CREATE, DELETE, ALTER, DESCRIBE, DESCRIBE_CONFIGS, ...")
  String operation;

  @Option(names = "--deny", description = "A DENY rule (default: ALLOW).")
  boolean deny;

  ResourceType resourceType() {
    int n = (topic != null ? 1 : 0) + (group != null ? 1 : 0) + (transactionalId != null ? 1 : 0);
    n += cluster ? 1 : 0;
    if (n > 1) {
      throw new IllegalArgumentException(
          "Give at most one of --topic, --group, --transactional-id, --cluster");
    }
    if (topic != null) {
      return ResourceType.TOPIC;
    }
    if (group != null) {
      return ResourceType.GROUP;
    }
    if (transactionalId != null) {
      return ResourceType.TRANSACTIONAL_ID;
    }
    return cluster ? ResourceType.CLUSTER : ResourceType.ANY;
  }

  String resourceName() {
    if (topic != null) {
      return topic;
    }
    if (group != null) {
      return group;
    }
    if (transactionalId != null) {
      return transactionalId;
    }
    return cluster ? "kafka-cluster" : null;
  }

  AclOperation operation(AclOperation ifUnset) {
    return operation == null
        ? ifUnset
        : AclOperation.fromString(operation.toUpperCase(Locale.ROOT).replace('-', '_'));
  }

  /** What list and delete match: every unset option matches anything. */
  AclBindingFilter filter() {
    PatternType patternType =
        prefixed
            ? PatternType.PREFIXED
            : (resourceName() == null ? PatternType.ANY : PatternType.LITERAL);
    return new AclBindingFilter(
        new ResourcePatternFilter(resourceType(), resourceName(), patternType),
        new AccessControlEntryFilter(
            principal,
            host,
            operation(AclOperation.ANY),
            operation == null && !deny ? AclPermissionType.ANY : permission()));
  }

  AclPermissionType permission() {
    return deny ? AclPermissionType.DENY : AclPermissionType.ALLOW;
  }
}
