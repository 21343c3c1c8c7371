package dev.ferry.security.scram;

import dev.ferry.network.NetworkRequest;
import dev.ferry.security.authorizer.Authorizer;
import dev.ferry.server.ApiHandler;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.AlterUserScramCredentialsRequestData.ScramCredentialDeletion;
import org.apache.kafka.common.message.AlterUserScramCredentialsRequestData.ScramCredentialUpsertion;
import org.apache.kafka.common.message.AlterUserScramCredentialsResponseData;
import org.apache.kafka.common.message.AlterUserScramCredentialsResponseData.AlterUserScramCredentialsResult;
import org.apache.kafka.common.message.DescribeUserScramCredentialsRequestData.UserName;
import org.apache.kafka.common.message.DescribeUserScramCredentialsResponseData;
import org.apache.kafka.common.message.DescribeUserScramCredentialsResponseData.CredentialInfo;
import org.apache.kafka.common.message.DescribeUserScramCredentialsResponseData.DescribeUserScramCredentialsResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.AlterUserScramCredentialsRequest;
import org.apache.kafka.common.requests.AlterUserScramCredentialsResponse;
import org.apache.kafka.common.requests.DescribeUserScramCredentialsRequest;
import org.apache.kafka.common.requests.DescribeUserScramCredentialsResponse;
import org.apache.kafka.common.resource.ResourceType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DescribeUserScramCredentials and AlterUserScramCredentials (KIP-554), as used by {@code
 * Admin.alterUserScramCredentials} and {@code kafka-configs.sh --entity-type users}: the client
 * sends salt and salted password, the broker stores only the keys derived from them. DESCRIBE or
 * ALTER on the cluster, as Kafka.
 */
public final class ScramApis {

  private static final Logger log = LoggerFactory.getLogger(ScramApis.class);

  private ScramApis() {}

  /**
   * @param store the credential store, got on each request: it may open the store's ZooKeeper
   *     session on first use ({@link dev.ferry.security.BrokerSecurity#scram()})
   */
  public static List<ApiHandler<?>> handlers(
      Authorizer authorizer, Supplier<ScramCredentialStore> store, Executor admin) {
    return List.of(new Describe(authorizer, store), new Alter(authorizer, store, admin));
  }

  private static boolean allowed(Authorizer authorizer, NetworkRequest request, AclOperation op) {
    return authorizer.authorize(
        request.principal(),
        request.clientAddress(),
        op,
        ResourceType.CLUSTER,
        Authorizer.CLUSTER_NAME);
  }

  private static final class Describe extends ApiHandler<DescribeUserScramCredentialsRequest> {
    private final Authorizer authorizer;
    private final Supplier<ScramCredentialStore> store;

    Describe(Authorizer authorizer, Supplier<ScramCredentialStore> store) {
      super(ApiKeys.DESCRIBE_USER_SCRAM_CREDENTIALS, DescribeUserScramCredentialsRequest.class);
      this.authorizer = authorizer;
      this.store = store;
    }

    @Override
    protected CompletableFuture<AbstractResponse> handle(
        NetworkRequest request, DescribeUserScramCredentialsRequest body) {
      DescribeUserScramCredentialsResponseData data =
          new DescribeUserScramCredentialsResponseData();
      if (!allowed(authorizer, request, AclOperation.DESCRIBE)) {
        data.setErrorCode(Errors.CLUSTER_AUTHORIZATION_FAILED.code())
            .setErrorMessage(Errors.CLUSTER_AUTHORIZATION_FAILED.message());
        return CompletableFuture.completedFuture(new DescribeUserScramCredentialsResponse(data));
      }
      Map<String, Map<ScramMechanism, Integer>> all = store.get().describe();
      List<UserName> asked = body.data().users();
      List<DescribeUserScramCredentialsResult> results = new ArrayList<>();
      if (asked == null || asked.isEmpty()) {
        all.forEach((user, credentials) -> results.add(result(user, credentials)));
      } else {
        Set<String> seen = new HashSet<>();
        Set<String> duplicates = new HashSet<>();
        for (UserName u : asked) {
          if (!seen.add(u.name())) {
            duplicates.add(u.name());
          }
        }
        for (String user : seen) {
          if (duplicates.contains(user)) {
            results.add(
                new DescribeUserScramCredentialsResult()
                    .setUser(user)
                    .setErrorCode(Errors.DUPLICATE_RESOURCE.code())
                    .setErrorMessage("Cannot describe SCRAM credentials for the same user twice"));
          } else if (!all.containsKey(user)) {
            results.add(
                new DescribeUserScramCredentialsResult()
                    .setUser(user)
                    .setErrorCode(Errors.RESOURCE_NOT_FOUND.code())
                    .setErrorMessage("Attempt to describe a user credential that does not exist"));
          } else {
            results.add(result(user, all.get(user)));
          }
        }
      }
      data.setErrorCode(Errors.NONE.code()).setResults(results);
      return CompletableFuture.completedFuture(new DescribeUserScramCredentialsResponse(data));
    }

    private static DescribeUserScramCredentialsResult result(
        String user, Map<ScramMechanism, Integer> credentials) {
      List<CredentialInfo> infos = new ArrayList<>();
      credentials.forEach(
          (m, iterations) ->
              infos.add(new CredentialInfo().setMechanism(m.type()).setIterations(iterations)));
      return new DescribeUserScramCredentialsResult()
          .setUser(user)
          .setErrorCode(Errors.NONE.code())
          .setCredentialInfos(infos);
    }
  }

  private static final class Alter extends ApiHandler<AlterUserScramCredentialsRequest> {
    private final Authorizer authorizer;
    private final Supplier<ScramCredentialStore> store;
    private final Executor admin;

    Alter(Authorizer authorizer, Supplier<ScramCredentialStore> store, Executor admin) {
      super(ApiKeys.ALTER_USER_SCRAM_CREDENTIALS, AlterUserScramCredentialsRequest.class);
      this.authorizer = authorizer;
      this.store = store;
      this.admin = admin;
    }

    @Override
    protected CompletableFuture<AbstractResponse> handle(
        NetworkRequest request, AlterUserScramCredentialsRequest body) {
      List<ScramCredentialDeletion> deletions = body.data().deletions();
      List<ScramCredentialUpsertion> upsertions = body.data().upsertions();
      Set<String> users = new java.util.LinkedHashSet<>();
      deletions.forEach(d -> users.add(d.name()));
      upsertions.forEach(u -> users.add(u.name()));
      if (!allowed(authorizer, request, AclOperation.ALTER)) {
        List<AlterUserScramCredentialsResult> results = new ArrayList<>();
        for (String user : users) {
          results.add(
              result(
                  user,
                  Errors.CLUSTER_AUTHORIZATION_FAILED,
                  Errors.CLUSTER_AUTHORIZATION_FAILED.message()));
        }
        return CompletableFuture.completedFuture(response(results));
      }
      return CompletableFuture.supplyAsync(
          () -> {
            // As Kafka's controller: a user is altered at most once per request. Deletions are
            // checked first, then upsertions; a user whose earlier alteration was valid and who
            // appears again gets DUPLICATE_RESOURCE and none of its alterations is applied; a
            // user that already failed keeps its first error.
            Map<String, AlterUserScramCredentialsResult> errors = new HashMap<>();
            Map<String, ScramCredentialDeletion> toDelete = new java.util.LinkedHashMap<>();
            Map<String, ScramCredentialUpsertion> toUpsert = new java.util.LinkedHashMap<>();
            for (ScramCredentialDeletion d : deletions) {
              if (errors.containsKey(d.name())) {
                continue;
              }
              AlterUserScramCredentialsResult invalid =
                  toDelete.remove(d.name()) != null ? duplicate(d.name()) : validate(d);
              if (invalid != null) {
                errors.put(d.name(), invalid);
              } else {
                toDelete.put(d.name(), d);
              }
            }
            for (ScramCredentialUpsertion u : upsertions) {
              if (errors.containsKey(u.name())) {
                continue;
              }
              boolean again =
                  toDelete.remove(u.name()) != null || toUpsert.remove(u.name()) != null;
              AlterUserScramCredentialsResult invalid = again ? duplicate(u.name()) : validate(u);
              if (invalid != null) {
                errors.put(u.name(), invalid);
              } else {
                toUpsert.put(u.name(), u);
              }
            }
            Map<String, AlterUserScramCredentialsResult> results = new HashMap<>(errors);
            toDelete.values().forEach(d -> results.put(d.name(), delete(d, request)));
            toUpsert.values().forEach(u -> results.put(u.name(), upsert(u, request)));
            List<AlterUserScramCredentialsResult> out = new ArrayList<>();
            for (String user : users) {
              out.add(results.get(user));
            }
            return response(out);
          },
          admin);
    }

    private static AlterUserScramCredentialsResult duplicate(String user) {
      return result(
          user,
          Errors.DUPLICATE_RESOURCE,
          "A user credential cannot be altered twice in the same request");
    }

    /** Null when {@code d} can be applied, else its error. */
    private AlterUserScramCredentialsResult validate(ScramCredentialDeletion d) {
      Optional<ScramMechanism> mechanism = ScramMechanism.forType(d.mechanism());
      if (d.name().isEmpty()) {
        return result(d.name(), Errors.UNACCEPTABLE_CREDENTIAL, "Username must not be empty");
      }
      if (mechanism.isEmpty()) {
        return result(d.name(), Errors.UNSUPPORTED_SASL_MECHANISM, "Unknown SCRAM mechanism");
      }
      if (store.get().credential(d.name(), mechanism.get()).isEmpty()) {
        return result(
            d.name(),
            Errors.RESOURCE_NOT_FOUND,
            "Attempt to delete a user credential that does not exist");
      }
      return null;
    }

    /** Null when {@code u} can be applied, else its error. */
    private static AlterUserScramCredentialsResult validate(ScramCredentialUpsertion u) {
      Optional<ScramMechanism> mechanism = ScramMechanism.forType(u.mechanism());
      if (u.name().isEmpty()) {
        return result(u.name(), Errors.UNACCEPTABLE_CREDENTIAL, "Username must not be empty");
      }
      if (mechanism.isEmpty()) {
        return result(u.name(), Errors.UNSUPPORTED_SASL_MECHANISM, "Unknown SCRAM mechanism");
      }
      if (u.iterations() < ScramMechanism.MIN_ITERATIONS) {
        return result(u.name(), Errors.UNACCEPTABLE_CREDENTIAL, "Too few iterations");
      }
      if (u.iterations() > ScramMechanism.MAX_ITERATIONS) {
        return result(u.name(), Errors.UNACCEPTABLE_CREDENTIAL, "Too many iterations");
      }
      if (u.salt() == null || u.salt().length == 0 || u.saltedPassword() == null) {
        return result(u.name(), Errors.UNACCEPTABLE_CREDENTIAL, "Missing salt or salted password");
      }
      return null;
    }

    /** Applies a validated deletion. */
    private AlterUserScramCredentialsResult delete(
        ScramCredentialDeletion d, NetworkRequest request) {
      ScramMechanism mechanism = ScramMechanism.forType(d.mechanism()).orElseThrow();
      if (!store.get().update(d.name(), mechanism, null)) {
        return result(
            d.name(),
            Errors.RESOURCE_NOT_FOUND,
            "Attempt to delete a user credential that does not exist");
      }
      log.info(
          "{} deleted the {} credential of {}",
          request.principal(),
          mechanism.mechanismName(),
          d.name());
      return result(d.name(), Errors.NONE, null);
    }

    /** Applies a validated upsertion. */
    private AlterUserScramCredentialsResult upsert(
        ScramCredentialUpsertion u, NetworkRequest request) {
      ScramMechanism mechanism = ScramMechanism.forType(u.mechanism()).orElseThrow();
      ScramCredential credential =
          new ScramCrypto(mechanism).credential(u.salt(), u.saltedPassword(), u.iterations());
      store.get().update(u.name(), mechanism, credential);
      log.info(
          "{} set the {} credential of {}",
          request.principal(),
          mechanism.mechanismName(),
          u.name());
      return result(u.name(), Errors.NONE, null);
    }

    private static AlterUserScramCredentialsResult result(
        String user, Errors error, String message) {
      return new AlterUserScramCredentialsResult()
          .setUser(user)
          .setErrorCode(error.code())
          .setErrorMessage(message);
    }

    private static AbstractResponse response(List<AlterUserScramCredentialsResult> results) {
      return new AlterUserScramCredentialsResponse(
          new AlterUserScramCredentialsResponseData().setResults(results));
    }
  }
}
