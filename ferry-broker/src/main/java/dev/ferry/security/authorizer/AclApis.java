package dev.ferry.security.authorizer;

import dev.ferry.network.NetworkRequest;
import dev.ferry.server.ApiHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.SecurityDisabledException;
import org.apache.kafka.common.message.CreateAclsRequestData.AclCreation;
import org.apache.kafka.common.message.CreateAclsResponseData;
import org.apache.kafka.common.message.CreateAclsResponseData.AclCreationResult;
import org.apache.kafka.common.message.DeleteAclsResponseData;
import org.apache.kafka.common.message.DeleteAclsResponseData.DeleteAclsFilterResult;
import org.apache.kafka.common.message.DeleteAclsResponseData.DeleteAclsMatchingAcl;
import org.apache.kafka.common.message.DescribeAclsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ApiError;
import org.apache.kafka.common.requests.CreateAclsRequest;
import org.apache.kafka.common.requests.CreateAclsResponse;
import org.apache.kafka.common.requests.DeleteAclsRequest;
import org.apache.kafka.common.requests.DeleteAclsResponse;
import org.apache.kafka.common.requests.DescribeAclsRequest;
import org.apache.kafka.common.requests.DescribeAclsResponse;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * CreateAcls, DescribeAcls and DeleteAcls: ALTER (create, delete) or DESCRIBE (describe) on the
 * cluster, SECURITY_DISABLED without an authorizer, writes on the admin thread (ZooKeeper).
 */
public final class AclApis {

  private static final Logger log = LoggerFactory.getLogger(AclApis.class);

  private AclApis() {}

  public static List<ApiHandler<?>> handlers(
      Authorizer authorizer, AclStore store, Executor admin) {
    return List.of(
        new Create(authorizer, store, admin),
        new Describe(authorizer, store),
        new Delete(authorizer, store, admin));
  }

  /** Null if the request may run; else the exception its error response carries. */
  private static Exception refusal(Authorizer authorizer, NetworkRequest request, AclOperation op) {
    if (!authorizer.enabled()) {
      return new SecurityDisabledException("No Authorizer is configured on the broker");
    }
    return new Access(authorizer, request).cluster(op)
        ? null
        : new ClusterAuthorizationException("Cluster authorization failed.");
  }

  /** What Kafka refuses to store: wildcard filters' values, unknown types, a mis-named cluster. */
  static String invalid(AclBinding binding) {
    ResourcePattern pattern = binding.pattern();
    AccessControlEntry entry = binding.entry();
    if (pattern.patternType() != PatternType.LITERAL
        && pattern.patternType() != PatternType.PREFIXED) {
      return "Invalid pattern type " + pattern.patternType();
    }
    if (pattern.resourceType() == ResourceType.ANY
        || pattern.resourceType() == ResourceType.UNKNOWN) {
      return "Invalid resource type " + pattern.resourceType();
    }
    if (pattern.resourceType() == ResourceType.CLUSTER
        && !pattern.name().equals(Authorizer.CLUSTER_NAME)) {
      return "The only valid name for the CLUSTER resource is " + Authorizer.CLUSTER_NAME;
    }
    if (pattern.name().isEmpty()) {
      return "Resource name should not be empty";
    }
    if (entry.operation() == AclOperation.ANY || entry.operation() == AclOperation.UNKNOWN) {
      return "Invalid operation " + entry.operation();
    }
    if (entry.permissionType() != AclPermissionType.ALLOW
        && entry.permissionType() != AclPermissionType.DENY) {
      return "Invalid permission type " + entry.permissionType();
    }
    try {
      AclAuthorizer.parsePrincipal(entry.principal());
    } catch (IllegalArgumentException e) {
      return "Invalid principal " + entry.principal();
    }
    return null;
  }

  private static final class Create extends ApiHandler<CreateAclsRequest> {
    private final Authorizer authorizer;
    private final AclStore store;
    private final Executor admin;

    Create(Authorizer authorizer, AclStore store, Executor admin) {
      super(ApiKeys.CREATE_ACLS, CreateAclsRequest.class);
      this.authorizer = authorizer;
      this.store = store;
      this.admin = admin;
    }

    @Override
    protected CompletableFuture<AbstractResponse> handle(
        NetworkRequest request, CreateAclsRequest body) {
      Exception refused = refusal(authorizer, request, AclOperation.ALTER);
      if (refused != null) {
        return CompletableFuture.completedFuture(body.getErrorResponse(0, refused));
      }
      List<AclCreation> creations = body.data().creations();
      return CompletableFuture.supplyAsync(
          () -> {
            List<AclCreationResult> results = new ArrayList<>();
            for (AclCreation creation : creations) {
              results.add(create(creation, request));
            }
            return new CreateAclsResponse(new CreateAclsResponseData().setResults(results));
          },
          admin);
    }

    private AclCreationResult create(AclCreation creation, NetworkRequest request) {
      AclBinding binding;
      try {
        binding = CreateAclsRequest.aclBinding(creation);
      } catch (RuntimeException e) {
        return error(Errors.INVALID_REQUEST, "Invalid ACL creation: " + e.getMessage());
      }
      String invalid = invalid(binding);
      if (invalid != null) {
        return error(Errors.INVALID_REQUEST, invalid);
      }
      try {
        store.add(binding.pattern(), List.of(binding.entry()));
        log.info("{} added ACL {}", request.principal(), binding);
        return new AclCreationResult().setErrorCode(Errors.NONE.code());
      } catch (RuntimeException e) {
        return error(Errors.UNKNOWN_SERVER_ERROR, e.getMessage());
      }
    }

    private static AclCreationResult error(Errors error, String message) {
      return new AclCreationResult().setErrorCode(error.code()).setErrorMessage(message);
    }
  }

  private static final class Describe extends ApiHandler<DescribeAclsRequest> {
    private final Authorizer authorizer;
    private final AclStore store;

    Describe(Authorizer authorizer, AclStore store) {
      super(ApiKeys.DESCRIBE_ACLS, DescribeAclsRequest.class);
      this.authorizer = authorizer;
      this.store = store;
    }

    @Override
    protected CompletableFuture<AbstractResponse> handle(
        NetworkRequest request, DescribeAclsRequest body) {
      Exception refused = refusal(authorizer, request, AclOperation.DESCRIBE);
      if (refused != null) {
        return CompletableFuture.completedFuture(body.getErrorResponse(0, refused));
      }
      AclBindingFilter filter = body.filter();
      List<AclBinding> matching = matching(store, filter);
      return CompletableFuture.completedFuture(
          new DescribeAclsResponse(
              new DescribeAclsResponseData()
                  .setErrorCode(Errors.NONE.code())
                  .setResources(DescribeAclsResponse.aclsResources(matching)),
              request.header().apiVersion()));
    }
  }

  static List<AclBinding> matching(AclStore store, AclBindingFilter filter) {
    List<AclBinding> out = new ArrayList<>();
    for (Map.Entry<ResourcePattern, Set<AccessControlEntry>> e : store.all().entrySet()) {
      for (AccessControlEntry entry : e.getValue()) {
        AclBinding binding = new AclBinding(e.getKey(), entry);
        if (filter.matches(binding)) {
          out.add(binding);
        }
      }
    }
    return out;
  }

  private static final class Delete extends ApiHandler<DeleteAclsRequest> {
    private final Authorizer authorizer;
    private final AclStore store;
    private final Executor admin;

    Delete(Authorizer authorizer, AclStore store, Executor admin) {
      super(ApiKeys.DELETE_ACLS, DeleteAclsRequest.class);
      this.authorizer = authorizer;
      this.store = store;
      this.admin = admin;
    }

    @Override
    protected CompletableFuture<AbstractResponse> handle(
        NetworkRequest request, DeleteAclsRequest body) {
      Exception refused = refusal(authorizer, request, AclOperation.ALTER);
      if (refused != null) {
        return CompletableFuture.completedFuture(body.getErrorResponse(0, refused));
      }
      List<AclBindingFilter> filters = body.filters();
      short version = request.header().apiVersion();
      return CompletableFuture.supplyAsync(
          () -> {
            List<DeleteAclsFilterResult> results = new ArrayList<>();
            for (AclBindingFilter filter : filters) {
              List<DeleteAclsMatchingAcl> deleted = new ArrayList<>();
              try {
                for (AclBinding binding : matching(store, filter)) {
                  for (AccessControlEntry entry :
                      store.remove(binding.pattern(), e -> e.equals(binding.entry()))) {
                    deleted.add(
                        DeleteAclsResponse.matchingAcl(
                            new AclBinding(binding.pattern(), entry), ApiError.NONE));
                    log.info("{} deleted ACL {}", request.principal(), binding);
                  }
                }
                results.add(
                    new DeleteAclsFilterResult()
                        .setErrorCode(Errors.NONE.code())
                        .setMatchingAcls(deleted));
              } catch (RuntimeException e) {
                results.add(
                    new DeleteAclsFilterResult()
                        .setErrorCode(Errors.UNKNOWN_SERVER_ERROR.code())
                        .setErrorMessage(e.getMessage()));
              }
            }
            return new DeleteAclsResponse(
                new DeleteAclsResponseData().setFilterResults(results), version);
          },
          admin);
    }
  }
}
